import * as readline from 'readline/promises';
import { Command, CommanderError, Option } from 'commander';
import { awsClients, ClientFactory } from './aws';
import { cancel, drill, Io, plan, runRunbook, RunbookOptions, status } from './commands';
import { CliError, EXIT } from './errors';

/** The process's terminal. */
export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    isTTY: Boolean(process.stdout.isTTY),
    interactive: Boolean(process.stdin.isTTY),
    get columns() {
      return process.stdout.columns;
    },
    prompt: async (question) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
}

interface Flags {
  strategy: string;
  to: string;
  mode: 'planned' | 'unplanned';
  allowDataLoss?: boolean;
  allowDetach?: boolean;
  requestId?: string;
  reason?: string;
  yes?: boolean;
  timeout?: string;
  poll: string;
  drill?: string;
  profile?: string;
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)(s|m|h)?$/.exec(value.trim());
  if (!m) throw new CliError(`${flag} '${value}' is not a duration (e.g. 90s, 15m, 2h)`, EXIT.refused);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 's' | 'm' | 'h'];
}

/** The polling interval: 1 s at least (GetExecutionHistory is throttled per account). */
function pollSeconds(value: string | undefined): number {
  const s = seconds(value, '--poll') ?? 5;
  if (s < 1) throw new CliError(`--poll '${value}' is under 1 s: use 1s or more`, EXIT.refused);
  return s;
}

/**
 * Run the CLI on `argv` (without `node` and the script) and return the exit code. Every
 * failure is one line on stderr and a non-zero code; nothing is changed before a command
 * has validated its input and, for a change, been confirmed.
 */
export async function runCli(argv: string[], io: Io = processIo(), clientsFor: (profile?: string) => ClientFactory = awsClients): Promise<number> {
  let code: number = EXIT.succeeded;
  const program = new Command('cdk-resilience')
    .description('Plan, run and follow the failover runbooks and drills of cdk-resilience DR strategies.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError(false);

  const common = (cmd: Command, target: string): Command =>
    cmd
      .requiredOption('-s, --strategy <name>', 'the strategy name (its `name` prop, e.g. shop)')
      .option('-t, --to <region>', target)
      .option('-r, --region <region>', 'the same as --to: the Region the CLI talks to')
      .option('--profile <profile>', 'AWS shared-config profile (default: the standard credential chain)');
  const runbookFlags = (cmd: Command): Command =>
    cmd
      .addOption(new Option('-m, --mode <mode>', 'planned: switchover, no data loss, needs a healthy primary; unplanned: failover that may lose the replication lag').choices(['planned', 'unplanned']).default('planned'))
      .option('--allow-data-loss', 'accept losing up to the replication lag (required for --mode unplanned)')
      .option('--allow-detach', 'accept two writable databases, the old one fenced: detach-and-promote if Aurora refuses a managed failover, or promote a read replica (required for RDS replicas)')
      .option('--request-id <id>', 'idempotency key and execution name (default: derived from the time)')
      .option('--reason <text>', 'why, for the execution and the report');
  const runFlags = (cmd: Command): Command =>
    cmd
      .option('-y, --yes', 'do not ask for confirmation (required when not in a terminal)')
      .option('--timeout <duration>', 'stop following after this long (e.g. 30m); the execution goes on')
      .option('--poll <duration>', 'how often to read the execution history', '5s');

  const options = (f: Flags): RunbookOptions => ({
    strategy: f.strategy,
    to: f.to,
    mode: f.mode,
    allowDataLoss: Boolean(f.allowDataLoss),
    allowDetach: Boolean(f.allowDetach),
    requestId: f.requestId,
    reason: f.reason,
    yes: Boolean(f.yes),
    timeoutSeconds: seconds(f.timeout, '--timeout'),
    pollSeconds: pollSeconds(f.poll),
    profile: f.profile,
  });
  const action = (fn: (f: Flags) => Promise<number>) => async (f: Flags & { region?: string }) => {
    const to = f.to ?? f.region;
    if (!to) throw new CliError('a Region is required: --to <region> (or --region): the Region to move to, or where the strategy is read', EXIT.refused);
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(to)) throw new CliError(`'${to}' is not a Region name (e.g. us-west-2)`, EXIT.refused);
    if (f.to && f.region && f.to !== f.region) throw new CliError(`--to ${f.to} and --region ${f.region} disagree: give one`, EXIT.refused);
    code = await fn({ ...f, to });
  };

  runbookFlags(common(program.command('plan').description('show what a failover or failback to --to would do; changes nothing'), 'the Region to move to')).action(
    action((f) => plan(clientsFor(f.profile), io, options({ ...f, poll: f.poll ?? '5s' }))),
  );
  for (const direction of ['failover', 'failback'] as const) {
    runFlags(runbookFlags(common(program.command(direction).description(`${direction} to --to: show the plan, confirm, run the runbook and follow it live`), 'the Region to move to'))).action(
      action((f) => runRunbook(clientsFor(f.profile), io, direction, options(f))),
    );
  }
  runFlags(common(program.command('drill').description("run the strategy's failover drill and report the measured recovery against the RTO"), 'a Region of the strategy (where to read it)'))
    .option('--drill <name>', 'the drill, when the strategy has several')
    .option('--request-id <id>', 'execution name (default: derived from the time)')
    .action(
      action((f) =>
        drill(clientsFor(f.profile), io, {
          strategy: f.strategy,
          to: f.to,
          drill: f.drill,
          requestId: f.requestId,
          yes: Boolean(f.yes),
          timeoutSeconds: seconds(f.timeout, '--timeout'),
          pollSeconds: pollSeconds(f.poll),
          profile: f.profile,
        }),
      ),
    );
  common(program.command('status').description('the active Region, the last runbook executions and the last drill results'), 'a Region of the strategy (where to read it)').action(
    action((f) => status(clientsFor(f.profile), io, { strategy: f.strategy, to: f.to })),
  );

  common(program.command('cancel').description('stop every automatic failover still in its confirmation window (never a runbook already running)'), 'a Region of the strategy (where to read it)')
    .option('--reason <text>', 'why (kept as the stopped execution\'s cause)')
    .action(action((f) => cancel(clientsFor(f.profile), io, { strategy: f.strategy, to: f.to, reason: f.reason })));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; a usage error is bad input: refused, nothing changed.
      return e.exitCode === 0 ? EXIT.succeeded : EXIT.refused;
    }
    if (e instanceof CliError) {
      io.err(`cdk-resilience: ${e.message}`);
      return e.exitCode;
    }
    io.err(`cdk-resilience: unexpected error: ${(e as Error).message}`);
    return EXIT.error;
  }
}
