#!/usr/bin/env node
// The operator CLI: `cdk-resilience <plan|failover|failback|drill|status> --strategy <name> --to <region>`.
import { runCli } from './program';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`cdk-resilience: ${(e as Error).message}\n`);
    process.exitCode = 5;
  },
);
