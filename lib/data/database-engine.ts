import * as rds from 'aws-cdk-lib/aws-rds';

/** The database engine families the library supports. */
export enum EngineFamily {
  /** RDS for PostgreSQL. */
  POSTGRES = 'postgres',
  /** RDS for MySQL. */
  MYSQL = 'mysql',
  /** Aurora PostgreSQL-Compatible Edition. */
  AURORA_POSTGRESQL = 'aurora-postgresql',
  /** Aurora MySQL-Compatible Edition. */
  AURORA_MYSQL = 'aurora-mysql',
}

/**
 * A database engine and version, in one place for all three database kinds, so that a
 * construct can tell at synth whether the engine supports the kind (Multi-AZ instance,
 * Multi-AZ DB cluster, Aurora, Aurora global) and render the right L1/L2 engine.
 *
 * @example
 * DatabaseEngine.auroraPostgres('16.4')
 * DatabaseEngine.postgres('16.4')
 * DatabaseEngine.auroraMysql('8.0.mysql_aurora.3.05.2')
 */
export class DatabaseEngine {
  /** RDS for PostgreSQL, e.g. `'16.4'`. */
  public static postgres(version: string): DatabaseEngine {
    return new DatabaseEngine(EngineFamily.POSTGRES, version);
  }

  /** RDS for MySQL, e.g. `'8.0.39'`. */
  public static mysql(version: string): DatabaseEngine {
    return new DatabaseEngine(EngineFamily.MYSQL, version);
  }

  /** Aurora PostgreSQL, e.g. `'16.4'`. */
  public static auroraPostgres(version: string): DatabaseEngine {
    return new DatabaseEngine(EngineFamily.AURORA_POSTGRESQL, version);
  }

  /** Aurora MySQL, with the full Aurora version, e.g. `'8.0.mysql_aurora.3.05.2'`. */
  public static auroraMysql(version: string): DatabaseEngine {
    return new DatabaseEngine(EngineFamily.AURORA_MYSQL, version);
  }

  /** The engine family. */
  public readonly family: EngineFamily;
  /** The full engine version as given. */
  public readonly version: string;

  private constructor(family: EngineFamily, version: string) {
    this.family = family;
    this.version = version;
  }

  /** Whether this is an Aurora engine. */
  public get isAurora(): boolean {
    return this.family === EngineFamily.AURORA_POSTGRESQL || this.family === EngineFamily.AURORA_MYSQL;
  }

  /** Whether this is a PostgreSQL engine (RDS or Aurora). */
  public get isPostgres(): boolean {
    return this.family === EngineFamily.POSTGRES || this.family === EngineFamily.AURORA_POSTGRESQL;
  }

  /**
   * The major version: `'16'` for PostgreSQL 16.4, `'8.0'` for MySQL 8.0.39 and for
   * Aurora MySQL `8.0.mysql_aurora.3.05.2`.
   */
  public get majorVersion(): string {
    const parts = this.version.split('.');
    if (this.isPostgres) return parts[0];
    return parts.slice(0, 2).join('.');
  }

  /** Numeric version parts for comparisons (Aurora MySQL: the `3.05.2` Aurora version). */
  public get versionParts(): number[] {
    const text = this.family === EngineFamily.AURORA_MYSQL ? (this.version.split('mysql_aurora.')[1] ?? '') : this.version;
    return text.split('.').map((p) => Number.parseInt(p, 10));
  }

  /** Whether the version text is well formed for the family. */
  public get isWellFormed(): boolean {
    if (this.family === EngineFamily.AURORA_MYSQL) return /^\d+\.\d+\.mysql_aurora\.\d+\.\d+\.\d+$/.test(this.version);
    if (this.isPostgres) return /^\d+(\.\d+)?$/.test(this.version);
    return /^\d+\.\d+\.\d+$/.test(this.version);
  }

  /** `true` when this version is at least `min` (compared part by part). */
  public atLeast(min: number[]): boolean {
    const v = this.versionParts;
    for (let i = 0; i < min.length; i++) {
      const a = v[i] ?? 0;
      if (a !== min[i]) return a > min[i];
    }
    return true;
  }

  /** The default port of the engine. */
  public get defaultPort(): number {
    return this.isPostgres ? 5432 : 3306;
  }

  /** The default master user name. */
  public get defaultUsername(): string {
    return this.isPostgres ? 'dbadmin' : 'dbadmin';
  }

  /**
   * The parameters that make the engine refuse connections without TLS, which every database
   * of this library sets (a user's `parameters` can still override them):
   * - PostgreSQL and Aurora PostgreSQL: `rds.force_ssl` 1 (Aurora PostgreSQL's default is 0:
   *   https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html#AuroraPostgreSQL.Security.SSL.Requiring;
   *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html#PostgreSQL.Concepts.General.SSL.Requiring).
   * - RDS for MySQL: `require_secure_transport` 1
   *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html).
   * - Aurora MySQL: `require_secure_transport` ON, a cluster parameter
   *   (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html#AuroraMySQL.Security.SSL.RequireSSL).
   */
  public get tlsParameters(): Record<string, string> {
    switch (this.family) {
      case EngineFamily.POSTGRES:
      case EngineFamily.AURORA_POSTGRESQL:
        return { 'rds.force_ssl': '1' };
      case EngineFamily.MYSQL:
        return { require_secure_transport: '1' };
      case EngineFamily.AURORA_MYSQL:
        return { require_secure_transport: 'ON' };
    }
  }

  /** The parameter group family (`postgres17`, `aurora-postgresql17`, `mysql8.0`, `aurora-mysql8.0`). */
  public get parameterGroupFamily(): string {
    return `${this.family}${this.majorVersion}`;
  }

  /** The CloudWatch log types exported by default. */
  public get logExports(): string[] {
    switch (this.family) {
      case EngineFamily.POSTGRES:
        return ['postgresql', 'upgrade'];
      case EngineFamily.AURORA_POSTGRESQL:
        return ['postgresql'];
      case EngineFamily.MYSQL:
        return ['error', 'general', 'slowquery'];
      case EngineFamily.AURORA_MYSQL:
        return ['audit', 'error', 'general', 'slowquery'];
    }
  }

  /** The CloudFormation `Engine` value. */
  public get cfnEngine(): string {
    return this.family;
  }

  /** The aws-cdk-lib instance engine (RDS engines only). */
  public instanceEngine(): rds.IInstanceEngine {
    switch (this.family) {
      case EngineFamily.POSTGRES:
        return rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of(this.version, this.majorVersion) });
      case EngineFamily.MYSQL:
        return rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.of(this.version, this.majorVersion) });
      default:
        throw new Error(`cdk-resilience internal: ${this.family} is not an RDS instance engine`);
    }
  }

  /** The aws-cdk-lib cluster engine (Aurora engines only). */
  public clusterEngine(): rds.IClusterEngine {
    switch (this.family) {
      case EngineFamily.AURORA_POSTGRESQL:
        return rds.DatabaseClusterEngine.auroraPostgres({
          version: rds.AuroraPostgresEngineVersion.of(this.version, this.majorVersion),
        });
      case EngineFamily.AURORA_MYSQL:
        return rds.DatabaseClusterEngine.auroraMysql({
          version: rds.AuroraMysqlEngineVersion.of(this.version, this.majorVersion),
        });
      default:
        throw new Error(`cdk-resilience internal: ${this.family} is not an Aurora engine`);
    }
  }

  /** The rotation application for a single master user. */
  public singleUserRotation(): 'postgres' | 'mysql' {
    return this.isPostgres ? 'postgres' : 'mysql';
  }

  /** For messages: e.g. `aurora-postgresql 16.4`. */
  public toString(): string {
    return `${this.family} ${this.version}`;
  }
}
