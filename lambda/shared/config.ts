import { RunbookConfig } from '../../protocol';

let parsed: { raw: string; config: RunbookConfig } | undefined;

/** The runbook configuration rendered into RUNBOOK_CONFIG at deploy time (parsed once per value). */
export function loadConfig(): RunbookConfig {
  const raw = process.env.RUNBOOK_CONFIG;
  if (!raw) throw new ConfigError('RUNBOOK_CONFIG is not set');
  if (parsed?.raw === raw) return parsed.config;
  try {
    const config = JSON.parse(raw) as RunbookConfig;
    parsed = { raw, config };
    return config;
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
