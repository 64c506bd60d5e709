/**
 * The protocol between cdk-resilience's constructs (lib/), its Lambda handlers (lambda/)
 * and its operator CLI (cli/): runbook requests, configuration, plans, execution state and
 * reports; drill configuration and reports; the SSM directory the CLI reads; the transient
 * error list; timeline rendering. Pure TypeScript: it imports nothing outside this folder.
 */
export * from './auto-failover';
export * from './config';
export * from './directory';
export * from './drill';
export * from './errors';
export * from './execution';
export * from './plan';
export * from './request';
export * from './timeline';
