/**
 * The time source of the handlers. In Lambda it is the wall clock; the runbook simulator
 * installs a virtual clock so that tests and benchmarks run hours of failover in
 * milliseconds.
 */
export interface Clock {
  now(): number;
}

const KEY = Symbol.for('cdk-resilience.clock');

/** Current time in ms since the epoch. */
export function now(): number {
  const clock = (globalThis as Record<symbol, Clock | undefined>)[KEY];
  return clock ? clock.now() : Date.now();
}

/** ISO timestamp of now(). */
export function isoNow(): string {
  return new Date(now()).toISOString();
}

/** Install (or remove, with undefined) a clock. For the simulator only. */
export function installClock(clock: Clock | undefined): void {
  (globalThis as Record<symbol, Clock | undefined>)[KEY] = clock;
}
