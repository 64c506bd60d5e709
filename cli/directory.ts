import { GetParameterCommand } from '@aws-sdk/client-ssm';
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

/** The runbook that moves `strategy` to `region`, published in that Region. */
export function findRunbook(clients: ClientFactory, strategy: string, region: string): Promise<RunbookEntry> {
  return read<RunbookEntry>(clients, region, runbookParameterName(strategy, region), `unknown strategy '${strategy}': a runbook to ${region} was`);
}

/** A strategy, published in each of its Regions. */
export function findStrategy(clients: ClientFactory, strategy: string, region: string): Promise<StrategyEntry> {
  return read<StrategyEntry>(clients, region, strategyParameterName(strategy), `unknown strategy '${strategy}': it was`);
}

/** A drill, published in its Region. */
export function findDrill(clients: ClientFactory, drill: string, region: string): Promise<DrillEntry> {
  return read<DrillEntry>(clients, region, drillParameterName(drill), `drill '${drill}' was`);
}
