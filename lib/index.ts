// The public API of cdk-resilience. Nothing but exports here.
export * from './core/errors';
export { Validator, isToken } from './core/validation';
export { WarningId, warningId } from './core/warnings';
export * from './tiers/multi-az-vpc';
export * from './tiers/web-tier';
