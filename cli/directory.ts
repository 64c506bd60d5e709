import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DrillEntry, drillParameterName, RunbookEntry, runbookParameterName, StrategyEntry, strategyParameterName } from '../protocol';
import { ClientFactory } from './aws';
import { fromAwsError, refused } from './errors';

async function read<T>(clients: ClientFactory, region: string, name: string, what: string): Promise<T> {
  try {
    const out = await clients(region).ssm.send(new GetParameterCommand({ Name: name }));
    return JSON.parse(out.Parameter!.Value!) as T;
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') {
      throw refused(`${what} not found in ${region}: no parameter ${name} (is it deployed there, and is the name right?)`);
    }
    throw fromAwsError(e, `reading ${name} in ${region}`);
  }
}

/**
 * A directory entry names what the CLI will invoke and read: it must be in the Region the entry
 * was read from and in the caller's account. Anyone who can write the parameter could otherwise
 * point an operator's failover at a function or state machine elsewhere (which could answer
 * "accepted" while nothing moves). The account is checked against STS when STS answers; when it
 * does not (an outage), the Region and the entry's own consistency still are, and the CLI goes on.
 */
async function verifyLocation(clients: ClientFactory, region: string, name: string, arns: readonly string[], functionName?: string): Promise<void> {
  const accounts = new Set<string>();
  for (const arn of arns) {
    const m = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:[A-Za-z0-9_-]+$/.exec(arn);
    if (!m) throw refused(`${name} in ${region} names ${arn}, which is not a state machine ARN: the entry is not one this library wrote; check who changed it`);
    if (m[1] !== region) throw refused(`${name} in ${region} names a state machine in ${m[1]} (${arn}): an entry must name what is in its own Region; check who changed it`);
    accounts.add(m[2]);
  }
  if (functionName !== undefined && functionName.startsWith('arn:')) {
    const m = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]+$/.exec(functionName);
    if (!m || m[1] !== region) throw refused(`${name} in ${region} names the function ${functionName}, not one of ${region}: check who changed it`);
    accounts.add(m[2]);
  } else if (functionName !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(functionName)) {
    throw refused(`${name} in ${region} names the function '${functionName}', which is not a function name: check who changed it`);
  }
  if (accounts.size > 1) throw refused(`${name} in ${region} names resources of several accounts (${[...accounts].join(', ')}): check who changed it`);
  const caller = await clients(region)
    .sts.send(new GetCallerIdentityCommand({}))
    .then((r) => r.Account)
    .catch(() => undefined);
  const [account] = [...accounts];
  if (caller !== undefined && account !== undefined && caller !== account) {
    throw refused(`${name} in ${region} names resources of account ${account}, but you are signed in to ${caller}: use the profile of the workload's account, or check who changed the entry`);
  }
}

/** The runbook that moves `strategy` to `region`, published in that Region. */
export async function findRunbook(clients: ClientFactory, strategy: string, region: string): Promise<RunbookEntry> {
  const name = runbookParameterName(strategy, region);
  const entry = await read<RunbookEntry>(clients, region, name, `unknown strategy '${strategy}': a runbook to ${region} was`);
  if (entry.targetRegion !== region) throw refused(`${name} in ${region} describes a runbook to ${entry.targetRegion}: check who changed it`);
  await verifyLocation(clients, region, name, [entry.stateMachineArn], entry.entryFunctionName);
  return entry;
}

/** A strategy, published in each of its Regions. */
export function findStrategy(clients: ClientFactory, strategy: string, region: string): Promise<StrategyEntry> {
  return read<StrategyEntry>(clients, region, strategyParameterName(strategy), `unknown strategy '${strategy}': it was`);
}

/** A drill, published in its Region. */
export async function findDrill(clients: ClientFactory, drill: string, region: string): Promise<DrillEntry> {
  const name = drillParameterName(drill);
  const entry = await read<DrillEntry>(clients, region, name, `drill '${drill}' was`);
  await verifyLocation(clients, region, name, [entry.stateMachineArn]);
  return entry;
}
