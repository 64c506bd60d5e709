/**
 * Synthesized runbook definitions, cached on disk. A simulated run needs only the state
 * machine's definition and the functions' timeouts; synthesizing them (aws-cdk-lib, a stack, a
 * template) costs far more than the run, and they do not depend on the handlers. The fault
 * matrix, the property tests, the bench and each mutant of a mutation run (a fresh module
 * registry each time) would otherwise synthesize the same definitions again and again.
 *
 * The key is everything a definition is made from: the configuration, every source file of
 * lib/ and protocol/, the test fixtures that build the stack, cdk.json, the aws-cdk-lib
 * version, and, evaluated at run time, the protocol values the runbook construct reads
 * (state names, retried errors). The last part matters under mutation testing: a mutant of
 * protocol/errors.ts changes the retry lists without changing any file's text (the sandbox holds
 * every mutant at once), so it gets its own key and a definition synthesized with the mutant.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LAMBDA_TRANSIENT_ERRORS, RUNBOOK_STATES, RunbookConfig, TRANSIENT_ERRORS } from '../../protocol';
import type { LocalRunbook } from './harness';

const root = path.join(__dirname, '..', '..');
/** Where definitions are kept: node_modules/.cache (the convention of build tools; a clean install starts empty). */
const cacheDir = path.join(root, 'node_modules', '.cache', 'cdk-resilience', 'runbook-definitions');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (/\.(ts|json)$/.test(e.name)) out.push(p);
  }
  return out;
}

let sources: string | undefined;
/** A digest of every file a definition is synthesized from (once per process). */
function sourceDigest(): string {
  if (!sources) {
    const h = createHash('sha256');
    const files = [
      ...filesUnder(path.join(root, 'lib')),
      ...filesUnder(path.join(root, 'protocol')),
      path.join(root, 'test', 'dr', 'stacks.ts'),
      path.join(root, 'test', 'dr', 'harness.ts'),
      path.join(root, 'test', 'helpers', 'app.ts'),
      path.join(root, 'cdk.json'),
      path.join(root, 'cdk.context.json'),
      require.resolve('aws-cdk-lib/package.json'),
    ].sort();
    for (const f of files) h.update(path.relative(root, f)).update('\0').update(fs.readFileSync(f)).update('\0');
    sources = h.digest('hex');
  }
  return sources;
}

/** The runbook of a configuration: from the cache, or synthesized (and then cached). */
export function cachedRunbook(config: RunbookConfig): LocalRunbook {
  const key = createHash('sha256')
    .update(JSON.stringify({ config, sources: sourceDigest(), values: { RUNBOOK_STATES, TRANSIENT_ERRORS, LAMBDA_TRANSIENT_ERRORS } }))
    .digest('hex')
    .slice(0, 32);
  const file = path.join(cacheDir, `${key}.json`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LocalRunbook;
  } catch {
    // Not cached yet (or a torn file from a killed process): synthesize it.
  }
  // Loaded only on a miss: a run from the cache never loads aws-cdk-lib.
  const { testRunbook } = require('./stacks') as typeof import('./stacks');
  const { localRunbook } = require('./harness') as typeof import('./harness');
  const local = localRunbook(testRunbook(config).runbook);
  fs.mkdirSync(cacheDir, { recursive: true });
  // Written whole, then renamed: parallel workers never read half a file.
  const tmp = path.join(cacheDir, `.${key}.${process.pid}.${os.hostname()}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(local));
  fs.renameSync(tmp, file);
  return local;
}
