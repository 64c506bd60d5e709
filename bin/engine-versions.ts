/**
 * The database engine versions of the reference app, in one place. AWS retires minor versions
 * on a schedule, and a version that can no longer be created fails `cdk deploy`
 * (CREATE_FAILED: "Cannot find version ..."). Keep them current: before a release, list what
 * can still be created in both Regions and pick the newest,
 *
 *   aws rds describe-db-engine-versions --engine aurora-postgresql --region us-east-1 \
 *     --query "DBEngineVersions[?Status=='available'].EngineVersion"
 *   aws rds describe-db-engine-versions --engine postgres --region us-west-2 \
 *     --query "DBEngineVersions[?Status=='available'].EngineVersion"
 *
 * and check the end-of-standard-support dates in the release calendars:
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurora-postgresql-release-calendar.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html
 * test/reference-app/deploy.cases.ts fails on any database of the app not on this list.
 */
export const REFERENCE_ENGINE_VERSIONS = {
  /** Aurora PostgreSQL (the global databases and every strategy). */
  auroraPostgres: '17.7',
  /** RDS for PostgreSQL (the Multi-AZ ledger and its cross-Region replica). */
  postgres: '17.7',
  /**
   * When and how they were chosen: no AWS API is reachable from where this was written, so the
   * versions are the newest 17.x that AWS's published pages list (the Aurora PostgreSQL
   * extension-versions page lists 17.4 to 17.7), not a describe-db-engine-versions answer.
   * Run the commands above before relying on them.
   */
  checked: '2026-12-07, from AWS documentation pages, not from the API',
} as const;
