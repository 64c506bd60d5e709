// The public API of cdk-resilience. Nothing but exports here.
export * from './core/errors';
export { Validator, isToken } from './core/validation';
export { WarningId, warningId } from './core/warnings';
export * from './tiers/multi-az-vpc';
export * from './tiers/web-tier';
export * from './core/aws-figures';
export * from './data/database-engine';
export * from './data/database';
export * from './data/global-database';
export * from './data/global-database-secondary';
export * from './data/cross-region-read-replica';
export * from './data/backup';
