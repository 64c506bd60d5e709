import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AWS_FIGURES } from '../core/aws-figures';
import { Validator } from '../core/validation';
import { validateBackupRetention, validateIdentifier, validateIsolatedSubnets } from './database-common';
import { Database, DatabaseKind, DatabaseRotation } from './database';
import { DatabaseEngine, EngineFamily } from './database-engine';
import { GlobalDatabaseSecondary, GlobalDatabaseSecondaryOptions } from './global-database-secondary';
import { addStackDependency } from '../core/stack-dependency';

/** How to build the primary cluster of a {@link GlobalDatabase}. */
export interface GlobalDatabasePrimaryOptions {
  /** The primary Region's VPC (isolated subnets in at least 2 AZs). */
  readonly vpc: ec2.IVpc;
  /**
   * Instance class of every instance, primary and secondaries (a memory-optimized class:
   * Aurora global databases require one).
   * @default db.r6g.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Readers besides the writer in the primary Region.
   * @default 1
   */
  readonly readers?: number;
  /**
   * Name of a database to create.
   * @default - none
   */
  readonly databaseName?: string;
  /**
   * Port.
   * @default - the engine's default
   */
  readonly port?: number;
  /**
   * Peers allowed to connect on the database port in the primary Region.
   * @default - nobody
   */
  readonly allowFrom?: ec2.IConnectable[];
  /**
   * Master user name.
   * @default 'dbadmin'
   */
  readonly masterUsername?: string;
  /**
   * Rotation of the master secret (replicated to every secondary Region).
   * @default - every 30 days
   */
  readonly rotation?: DatabaseRotation;
}

/** Props for {@link GlobalDatabase}. */
export interface GlobalDatabaseProps {
  /**
   * The global cluster identifier. Deterministic, so the secondary Regions' stacks name
   * it as a plain string instead of a cross-Region reference, and runbooks find it.
   * Each Region's cluster is named `<id>-<region>`.
   */
  readonly globalClusterIdentifier: string;
  /** An Aurora engine version that supports global databases. */
  readonly engine: DatabaseEngine;
  /**
   * Build the primary cluster with these options. Give this or `existingPrimary`.
   * @default - none
   */
  readonly primary?: GlobalDatabasePrimaryOptions;
  /**
   * Make an existing Aurora {@link Database} (with an `identifier`) the primary.
   * Give this or `primary`, not both. Secondaries then default to db.r6g.large: pass
   * `instanceType` to `addSecondary` to match the primary's class.
   * @default - none
   */
  readonly existingPrimary?: Database;
  /**
   * Aurora PostgreSQL only: managed RPO (`rds.global_db_rpo`, at least 20 s). The
   * primary blocks commits while every secondary lags more than this.
   * @default - none: replication is asynchronous with no bound
   */
  readonly managedRpo?: Duration;
  /**
   * Automated backup retention for every cluster, 1-35 days.
   * @default Duration.days(7)
   */
  readonly backupRetention?: Duration;
  /**
   * Deletion protection of the global cluster and every regional cluster.
   * @default true
   */
  readonly deletionProtection?: boolean;
  /**
   * Removal policy of every regional cluster.
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Topic the replication-lag alarms of the secondaries notify.
   * @default - no action
   */
  readonly alarmTopic?: sns.ITopic;
}

/** What a runbook needs to know about one Region of the global database. */
export interface GlobalDatabaseRegion {
  /** The Region. */
  readonly region: string;
  /** The cluster identifier in that Region. */
  readonly clusterIdentifier: string;
  /** The cluster ARN, as a plain string. */
  readonly clusterArn: string;
  /** Whether the cluster has no instances. */
  readonly headless: boolean;
}

/**
 * An Aurora global database: a primary cluster in this stack's Region and secondary
 * clusters in other Regions' stacks (`addSecondary`), linked by a deterministic global
 * cluster identifier and ordered by stack dependencies, never by cross-Region references.
 *
 * Secondaries get no master credentials, their own KMS key, and instances in distinct
 * AZs (or none, when headless). The master secret is replicated to every secondary
 * Region so the credentials survive the loss of the primary Region.
 */
export class GlobalDatabase extends Construct {
  /** The global cluster identifier. */
  public readonly globalClusterIdentifier: string;
  /** The global cluster resource (in the primary stack). */
  public readonly globalCluster: rds.CfnGlobalCluster;
  /** The primary Region's database. */
  public readonly primary: Database;
  /** The primary Region. */
  public readonly primaryRegion: string;
  /** The primary cluster identifier. */
  public readonly primaryClusterIdentifier: string;
  /** The primary cluster ARN (a plain string). */
  public readonly primaryClusterArn: string;
  /** The engine. */
  public readonly engine: DatabaseEngine;
  /**
   * The global writer endpoint, which always points at the current primary's writer.
   * A token of the primary stack: use it there, or resolve it by name elsewhere.
   */
  public readonly writerEndpoint: string;
  /** The secondaries added so far. */
  public readonly secondaries: GlobalDatabaseSecondary[] = [];

  /** The managed RPO (Aurora PostgreSQL `rds.global_db_rpo`), when set. */
  public get managedRpo(): Duration | undefined {
    return this.props.managedRpo;
  }

  private readonly props: GlobalDatabaseProps;
  private readonly instanceType: ec2.InstanceType;
  private readonly port: number;

  constructor(scope: Construct, id: string, props: GlobalDatabaseProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const v = new Validator(this);
    validateGlobal(v, stack, props);
    v.throwIfAny();

    this.props = props;
    this.engine = props.engine;
    this.globalClusterIdentifier = props.globalClusterIdentifier;
    this.primaryRegion = stack.region;

    if (props.existingPrimary) {
      this.primary = props.existingPrimary;
      this.instanceType = ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);
    } else {
      const p = props.primary!;
      this.instanceType = p.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE);
      this.primary = new Database(this, 'Primary', {
        kind: DatabaseKind.AURORA,
        engine: props.engine,
        vpc: p.vpc,
        instanceType: this.instanceType,
        readers: p.readers ?? 1,
        databaseName: p.databaseName,
        port: p.port,
        allowFrom: p.allowFrom,
        masterUsername: p.masterUsername,
        rotation: p.rotation,
        identifier: clusterIdentifierFor(props.globalClusterIdentifier, stack.region),
        backupRetention: props.backupRetention,
        deletionProtection: props.deletionProtection,
        removalPolicy: props.removalPolicy,
        parameters: props.managedRpo ? { 'rds.global_db_rpo': String(props.managedRpo.toSeconds()) } : undefined,
      });
    }
    this.port = props.existingPrimary ? props.existingPrimary.endpoint.port : (props.primary?.port ?? props.engine.defaultPort);
    this.primaryClusterIdentifier = this.primary.physicalIdentifier!;
    this.primaryClusterArn = `arn:${stack.partition}:rds:${stack.region}:${stack.account}:cluster:${this.primaryClusterIdentifier}`;

    this.globalCluster = new rds.CfnGlobalCluster(this, 'GlobalCluster', {
      globalClusterIdentifier: props.globalClusterIdentifier,
      sourceDbClusterIdentifier: this.primary.arn,
      deletionProtection: props.deletionProtection ?? true,
    });
    this.globalCluster.node.addDependency(this.primary);
    this.writerEndpoint = Token.asString(this.globalCluster.getAtt('GlobalEndpoint.Address'));
  }

  /**
   * Add a secondary Region: a cluster in `scope`'s stack (another Region, same account)
   * that joins this global database. That stack is made to depend on this one.
   */
  public addSecondary(scope: Construct, id: string, options: GlobalDatabaseSecondaryOptions): GlobalDatabaseSecondary {
    const primaryStack = Stack.of(this);
    const stack = Stack.of(scope);
    const v = new Validator(this);
    const prefix = `addSecondary(${id})`;
    if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
      v.add({
        code: 'GDB_SECONDARY_ENV',
        prop: `${prefix}.scope`,
        value: stack.node.path,
        message: "the secondary's stack has no concrete account and Region",
        fix: 'give the stack an env with account and region',
      });
    } else {
      v.check(stack.region === primaryStack.region, {
        code: 'GDB_SECONDARY_REGION',
        prop: `${prefix}.scope`,
        value: stack.region,
        message: 'a secondary in the primary Region is not disaster recovery: it must be in another Region',
        fix: `put the secondary in a stack of another Region than ${primaryStack.region}`,
      });
      v.check(this.secondaries.some((s) => s.region === stack.region), {
        code: 'GDB_SECONDARY_REGION',
        prop: `${prefix}.scope`,
        value: stack.region,
        message: 'the global database already has a secondary in this Region',
        fix: 'add one secondary per Region',
      });
      v.check(stack.account !== primaryStack.account, {
        code: 'GDB_SECONDARY_ACCOUNT',
        prop: `${prefix}.scope`,
        value: stack.account,
        message: `an Aurora global database spans Regions of one account, and the primary is in ${primaryStack.account}`,
        fix: "put the secondary's stack in the primary's account",
      });
    }
    v.check(options.masterUsername !== undefined, {
      code: 'GDB_SECONDARY_CREDENTIALS',
      prop: `${prefix}.masterUsername`,
      value: options.masterUsername,
      message: 'a secondary inherits users and passwords from the primary; giving it credentials makes CloudFormation fail with "Invalid master password" (aws-cdk #29880)',
      fix: 'drop masterUsername: the master secret is replicated to the secondary Region',
    });
    validateIsolatedSubnets(v, options.vpc, 2, 'GDB_TOO_FEW_AZS', 'the secondary places its instances in distinct AZs');
    if (options.headless) {
      v.check(options.readers !== undefined && options.readers > 0, {
        code: 'GDB_HEADLESS',
        prop: `${prefix}.readers`,
        value: options.readers,
        message: 'a headless secondary has no instances, so it cannot have readers',
        fix: 'drop readers, or set headless: false',
      });
    } else {
      v.integer(`${prefix}.readers`, options.readers, { code: 'GDB_READERS', min: 0, max: 15 });
    }
    if (options.instanceType) validateInstanceClass(v, `${prefix}.instanceType`, options.instanceType);
    v.duration(`${prefix}.replicationLagThreshold`, options.replicationLagThreshold, { code: 'GDB_ALARM', minSeconds: 0.001 });
    v.throwIfAny();

    const secondary = new GlobalDatabaseSecondary(scope, id, {
      ...options,
      alarmTopic: options.alarmTopic ?? this.props.alarmTopic,
      globalClusterIdentifier: this.globalClusterIdentifier,
      clusterIdentifier: clusterIdentifierFor(this.globalClusterIdentifier, stack.region),
      engine: this.engine,
      instanceType: options.instanceType ?? this.instanceType,
      port: this.port,
      backupRetention: this.props.backupRetention ?? Duration.days(7),
      managedRpo: this.props.managedRpo,
      deletionProtection: this.props.deletionProtection ?? true,
      removalPolicy: this.props.removalPolicy ?? RemovalPolicy.SNAPSHOT,
    });
    addStackDependency(stack, primaryStack, `the secondary cluster of ${this.globalClusterIdentifier} joins the global cluster created there`);
    this.primary.replicateSecretTo(stack.region);
    this.secondaries.push(secondary);
    return secondary;
  }

  /** Every Region of the global database: the primary first, then the secondaries. */
  public get regions(): GlobalDatabaseRegion[] {
    return [
      { region: this.primaryRegion, clusterIdentifier: this.primaryClusterIdentifier, clusterArn: this.primaryClusterArn, headless: false },
      ...this.secondaries.map((s) => ({ region: s.region, clusterIdentifier: s.clusterIdentifier, clusterArn: s.clusterArn, headless: s.headless })),
    ];
  }

  /** The recovery figures a runbook and the assessment use, with their sources. */
  public get figures(): { replicationLag: typeof AWS_FIGURES.auroraGlobalReplicationLag; promotion: typeof AWS_FIGURES.auroraGlobalSecondaryPromotion } {
    return { replicationLag: AWS_FIGURES.auroraGlobalReplicationLag, promotion: AWS_FIGURES.auroraGlobalSecondaryPromotion };
  }
}

/** The deterministic cluster identifier of one Region: `<global id>-<region>`. */
export function clusterIdentifierFor(globalClusterIdentifier: string, region: string): string {
  return `${globalClusterIdentifier}-${region}`;
}

/**
 * Minimum engine versions that can be global, per major version.
 * Aurora MySQL 2.07.0+ and 3.01.0+; Aurora PostgreSQL 11.9+, 12.8+, 13.4+, 14.3+, 15.2+,
 * 16.1+, 17.4+ (the higher of the floors found in AWS's pages, to be safe).
 * Source: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.GlobalDatabase.html
 */
export function supportsGlobalDatabase(engine: DatabaseEngine): boolean {
  const [major, minor = 0, patch = 0] = engine.versionParts;
  if (engine.family === EngineFamily.AURORA_MYSQL) {
    if (major === 2) return minor > 7 || (minor === 7 && patch >= 0);
    return major >= 3;
  }
  if (engine.family === EngineFamily.AURORA_POSTGRESQL) {
    const floors: Record<number, number> = { 11: 9, 12: 8, 13: 4, 14: 3, 15: 2, 16: 1, 17: 4 };
    if (major < 11) return false;
    const floor = floors[major];
    return floor === undefined ? true : minor >= floor;
  }
  return false;
}

function validateInstanceClass(v: Validator, prop: string, instanceType: ec2.InstanceType): void {
  const family = instanceType.toString().split('.')[0];
  v.check(!/^[rx]/.test(family), {
    code: 'GDB_INSTANCE_CLASS',
    prop,
    value: instanceType.toString(),
    message: 'Aurora global databases require a memory-optimized instance class (r or x families)',
    fix: 'use e.g. ec2.InstanceType.of(ec2.InstanceClass.R6G, ec2.InstanceSize.LARGE)',
  });
}

function validateGlobal(v: Validator, stack: Stack, props: GlobalDatabaseProps): void {
  validateIdentifier(v, 'globalClusterIdentifier', props.globalClusterIdentifier, 'GDB_IDENTIFIER');
  if (props.globalClusterIdentifier.length > 40) {
    v.add({
      code: 'GDB_IDENTIFIER',
      prop: 'globalClusterIdentifier',
      value: props.globalClusterIdentifier,
      message: 'is too long to leave room for the "-<region>" suffix of each cluster identifier (63 characters in all)',
      fix: 'use at most 40 characters',
    });
  }
  if (
    v.check(!props.engine.isAurora, {
      code: 'GDB_ENGINE',
      prop: 'engine',
      value: props.engine.toString(),
      message: 'only Aurora engines can be global databases',
      fix: "use DatabaseEngine.auroraPostgres(...) or auroraMysql(...); for RDS engines use a CrossRegionReadReplica",
    })
  ) {
    v.check(!props.engine.isWellFormed || !supportsGlobalDatabase(props.engine), {
      code: 'GDB_ENGINE',
      prop: 'engine',
      value: props.engine.toString(),
      message: 'this engine version cannot be a global database (Aurora MySQL 2.07+/3.01+, Aurora PostgreSQL 11.9+, 12.8+, 13.4+, 14.3+, 15.2+, 16.1+, 17.4+)',
      fix: 'upgrade the engine version',
    });
  }
  v.check(props.primary !== undefined && props.existingPrimary !== undefined, {
    code: 'GDB_PRIMARY_CONFLICT',
    prop: 'existingPrimary',
    value: 'both existingPrimary and primary',
    message: 'an existing primary cluster and props to build one were both given',
    fix: 'pass existingPrimary to use an existing Aurora Database, or primary to build one, not both',
  });
  v.check(props.primary === undefined && props.existingPrimary === undefined, {
    code: 'GDB_PRIMARY_CONFLICT',
    prop: 'primary',
    value: undefined,
    message: 'no primary cluster: neither primary nor existingPrimary was given',
    fix: 'pass primary: { vpc, ... } or existingPrimary',
  });
  if (props.existingPrimary) {
    const e = props.existingPrimary;
    v.check(e.kind !== DatabaseKind.AURORA, {
      code: 'GDB_PRIMARY_CONFLICT',
      prop: 'existingPrimary',
      value: e.kind,
      message: 'only an Aurora cluster can be the primary of a global database',
      fix: 'use a Database of kind AURORA',
    });
    v.check(e.physicalIdentifier === undefined, {
      code: 'GDB_PRIMARY_CONFLICT',
      prop: 'existingPrimary',
      value: e.node.path,
      message: 'the existing primary has no physical identifier, so other Regions cannot name it',
      fix: `give that Database identifier: '${props.globalClusterIdentifier}-<region>'`,
    });
    v.check(e.engine.family !== props.engine.family || e.engine.version !== props.engine.version, {
      code: 'GDB_ENGINE',
      prop: 'engine',
      value: props.engine.toString(),
      message: `differs from the existing primary's engine ${e.engine.toString()}`,
      fix: "pass the existing primary's engine",
    });
    v.check(props.managedRpo !== undefined, {
      code: 'GDB_MANAGED_RPO',
      prop: 'managedRpo',
      value: props.managedRpo?.toHumanString(),
      message: "is set on the primary's cluster parameter group, which an existing primary already owns",
      fix: "set parameters: { 'rds.global_db_rpo': '<seconds>' } on the existing primary Database and drop managedRpo",
    });
    v.check(Stack.of(e) !== stack, {
      code: 'GDB_PRIMARY_CONFLICT',
      prop: 'existingPrimary',
      value: e.node.path,
      message: 'the existing primary is in another stack than the global database',
      fix: "create the GlobalDatabase in the existing primary's stack",
    });
  }
  if (props.primary) {
    validateIsolatedSubnets(v, props.primary.vpc, 2, 'GDB_TOO_FEW_AZS', 'the primary places its writer and readers in distinct AZs');
    if (props.primary.instanceType) validateInstanceClass(v, 'primary.instanceType', props.primary.instanceType);
  }
  if (props.managedRpo !== undefined) {
    v.check(props.engine.family !== EngineFamily.AURORA_POSTGRESQL, {
      code: 'GDB_MANAGED_RPO',
      prop: 'managedRpo',
      value: props.managedRpo.toHumanString(),
      message: 'managed RPO (rds.global_db_rpo) exists only for Aurora PostgreSQL',
      fix: 'drop managedRpo, or use Aurora PostgreSQL',
    });
    v.duration('managedRpo', props.managedRpo, {
      code: 'GDB_MANAGED_RPO',
      minSeconds: AWS_FIGURES.auroraPostgresManagedRpoMinimum.seconds,
      fix: 'set managedRpo to at least Duration.seconds(20)',
    });
  }
  validateBackupRetention(v, 'backupRetention', props.backupRetention, 'GDB_BACKUP_RETENTION');
  if (Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account)) {
    v.add({
      code: 'GDB_PRIMARY_ENV',
      prop: 'scope',
      value: stack.node.path,
      message: 'the primary stack has no concrete account and Region, which the deterministic identifiers and ARNs need',
      fix: 'give the stack an env with account and region',
    });
  }
}
