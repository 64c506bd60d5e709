import {
  CreateDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  FailoverGlobalClusterCommand,
  PromoteReadReplicaCommand,
  PromoteReadReplicaDBClusterCommand,
  RemoveFromGlobalClusterCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { rds } from '../shared/aws';
import { backoffSeconds } from '../shared/backoff';
import { isoNow } from '../shared/clock';
import { loadConfig } from '../shared/config';
import { readDatabase, RunbookRefused } from '../shared/state';
import { RunbookConfig, RunbookRequest, StepResult } from '../../protocol';

/** One pass of the database reconciler. */
export interface DatabaseStep extends StepResult {
  /** The writer is in the target Region and available. */
  readonly done: boolean;
  /** Seconds to wait before the next pass. */
  readonly waitSeconds: number;
  /** Passes so far (drives the backoff). */
  readonly attempt: number;
  readonly status: string;
}

/**
 * Steps 3 and 5 for the database, as a reconciler: each pass reads the state in the
 * target Region and takes at most the one next action. Safe to re-run at any point.
 */
export async function handler(event: { request: RunbookRequest; database?: DatabaseStep }): Promise<DatabaseStep> {
  const config = loadConfig();
  const startedAt = event.database?.startedAt ?? isoNow();
  const attempt = (event.database?.attempt ?? -1) + 1;
  const actions = [...(event.database?.actions ?? [])];
  const result = (done: boolean, status: string, action?: string): DatabaseStep => {
    if (action) actions.push(action);
    return { step: 'database', startedAt, endedAt: isoNow(), actions, done, waitSeconds: done ? 0 : backoffSeconds(attempt), attempt, status };
  };

  const db = await readDatabase(config);
  if (db.writerRegion === config.targetRegion && !db.busy) return result(true, db.status);
  if (db.busy) return result(false, db.status);
  if (config.database.kind === 'aurora-global') return aurora(config, event.request, result, db.status);
  return replica(config, event.request, result);
}

type Result = (done: boolean, status: string, action?: string) => DatabaseStep;

/** Errors of FailoverGlobalCluster that mean "not possible here", not "try again". */
const DETACH_ON = ['InvalidParameterCombination', 'InvalidParameterValue', 'UnsupportedOperation', 'InvalidDBClusterStateFault'];

async function aurora(config: RunbookConfig, request: RunbookRequest, result: Result, status: string): Promise<DatabaseStep> {
  if (config.database.kind !== 'aurora-global') throw new Error('unreachable');
  const target = config.database.clusters[config.targetRegion];
  const client = rds(config.targetRegion);
  // A headless secondary needs an instance before it can take the writer.
  const cluster = (await client.send(new DescribeDBClustersCommand({ DBClusterIdentifier: target.identifier }))).DBClusters?.[0];
  const members = cluster?.DBClusterMembers ?? [];
  if (members.length === 0) {
    const id = `${target.identifier}-writer`;
    try {
      await client.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: id, DBClusterIdentifier: target.identifier, Engine: target.engine, DBInstanceClass: target.instanceClass }));
    } catch (e) {
      if ((e as Error).name !== 'DBInstanceAlreadyExistsFault') throw e;
    }
    return result(false, 'creating-instance', `created instance ${id} in the headless cluster ${target.identifier}`);
  }
  const instances = await client.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-cluster-id', Values: [target.identifier] }] }));
  if (!(instances.DBInstances ?? []).some((i) => i.DBInstanceStatus === 'available')) return result(false, 'instance-pending');

  try {
    if (request.mode === 'planned') {
      await client.send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: config.database.globalClusterIdentifier, TargetDbClusterIdentifier: target.arn }));
      return result(false, 'switching-over', `SwitchoverGlobalCluster to ${target.identifier}`);
    }
    try {
      await client.send(
        new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: config.database.globalClusterIdentifier, TargetDbClusterIdentifier: target.arn, AllowDataLoss: true }),
      );
      return result(false, 'failing-over', `FailoverGlobalCluster to ${target.identifier} with AllowDataLoss`);
    } catch (e) {
      if (!DETACH_ON.includes((e as Error).name)) throw e;
      // Managed failover is refused for this cluster (engine version, global state):
      // fall back to detach-and-promote. The detached cluster becomes a standalone
      // writer; the traffic step fences the old primary, and re-protection (adding the
      // old primary back as a secondary) is a manual step (docs/runbooks.md).
      await client.send(new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: config.database.globalClusterIdentifier, DbClusterIdentifier: target.arn }));
      return result(false, 'detaching', `RemoveFromGlobalCluster ${target.identifier} (detach-and-promote, after FailoverGlobalCluster failed with ${(e as Error).name})`);
    }
  } catch (e) {
    // Another pass (or a retry after a lost response) already started it.
    if ((e as Error).name === 'InvalidGlobalClusterStateFault') return result(false, status);
    throw e;
  }
}

async function replica(config: RunbookConfig, request: RunbookRequest, result: Result): Promise<DatabaseStep> {
  if (config.database.kind === 'aurora-global') throw new Error('unreachable');
  if (config.targetRegion !== config.database.replica.region) {
    throw new RunbookRefused(
      'ReprotectionRequired',
      `the read replica was promoted in ${config.database.replica.region}; moving back to ${config.targetRegion} needs a new replica there first (see docs/runbooks.md, failback)`,
    );
  }
  // Planned or not, promotion is the cut-over; for planned, preflight bounded the lag.
  void request;
  if (config.database.kind === 'aurora-replica') {
    await rds(config.targetRegion).send(new PromoteReadReplicaDBClusterCommand({ DBClusterIdentifier: config.database.replica.identifier }));
    return result(false, 'promoting', `PromoteReadReplicaDBCluster ${config.database.replica.identifier}`);
  }
  await rds(config.targetRegion).send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: config.database.replica.identifier, BackupRetentionPeriod: 7 }));
  return result(false, 'promoting', `PromoteReadReplica ${config.database.replica.identifier}`);
}
