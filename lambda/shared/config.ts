import { RunbookConfig } from '../../protocol';

/** The runbook configuration rendered into RUNBOOK_CONFIG at deploy time. */
export function loadConfig(): RunbookConfig {
  const raw = process.env.RUNBOOK_CONFIG;
  if (!raw) throw new ConfigError('RUNBOOK_CONFIG is not set');
  try {
    return JSON.parse(raw) as RunbookConfig;
  } catch (e) {
    throw new ConfigError(`RUNBOOK_CONFIG is not JSON: ${(e as Error).message}`);
  }
}

/** A deployment problem, not a transient one: never retried. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunbookConfigError';
  }
}
