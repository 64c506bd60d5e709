/**
 * Known-bad handlers, planted in the harness (HandlerOverrides) to show that the property test
 * finds what they break: each is a bug the runbooks once had or a review asked about.
 */
import { RemoveFromGlobalClusterCommand } from '@aws-sdk/client-rds';
import { rds } from '../../lambda/shared/aws';
import { loadConfig } from '../../lambda/shared/config';
import { HandlerOverrides } from './harness';

/** The database step detaches the target from the global database at once, without consent or a fence. */
export const ALWAYS_DETACH: HandlerOverrides = {
  database: async (input, real) => {
    const config = loadConfig();
    const event = input as { database?: { planted?: boolean } };
    if (config.database.kind === 'aurora-global' && event.database?.planted !== true) {
      const target = config.database.clusters[config.targetRegion];
      try {
        await rds(config.targetRegion).send(new RemoveFromGlobalClusterCommand({ GlobalClusterIdentifier: config.database.globalClusterIdentifier, DbClusterIdentifier: target.arn }));
      } catch {
        // As the handler did: a failed detach is tried again on the next pass.
        return real(input);
      }
      return { ...((await real({ ...event, database: { ...event.database } } as never)) as object), planted: true };
    }
    return real(input);
  },
};

/** Verify reports success on its first pass, without looking at where traffic goes. */
export const VERIFY_WITHOUT_TRAFFIC: HandlerOverrides = {
  verify: async (input, real) => ({ ...((await real(input)) as object), done: true, waitSeconds: 0 }),
};

/** Preflight lets any request through: it validates the request it was given only after fixing it up. */
export const PREFLIGHT_WITHOUT_VALIDATION: HandlerOverrides = {
  preflight: async (input, real) => {
    const event = input as { request?: Record<string, unknown> };
    const { force: _force, ...request } = event.request ?? {};
    return real({ ...event, request: { ...request, allowDataLoss: request.mode === 'unplanned' ? true : request.allowDataLoss } } as never);
  },
};
