import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';

/** The AWS clients of one Region. */
export interface RegionClients {
  readonly ssm: SSMClient;
  readonly lambda: LambdaClient;
  readonly sfn: SFNClient;
}

/** Builds clients per Region; tests pass one that aws-sdk-client-mock intercepts. */
export type ClientFactory = (region: string) => RegionClients;

/**
 * Real AWS SDK v3 clients with the standard credential chain (environment, SSO, shared
 * config and credentials files, instance and container roles); `profile` picks a named
 * profile of the shared config.
 */
export function awsClients(profile?: string): ClientFactory {
  const cache = new Map<string, RegionClients>();
  return (region) => {
    let c = cache.get(region);
    if (!c) {
      const config = { region, profile, maxAttempts: 5 };
      c = { ssm: new SSMClient(config), lambda: new LambdaClient(config), sfn: new SFNClient(config) };
      cache.set(region, c);
    }
    return c;
  };
}
