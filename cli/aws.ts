import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

/** The AWS clients of one Region. */
export interface RegionClients {
  readonly ssm: SSMClient;
  readonly lambda: LambdaClient;
  readonly sfn: SFNClient;
  /** Who the CLI runs as (GetCallerIdentity), sent with each request as `requestedBy`. */
  readonly sts: STSClient;
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
      // A Region in an outage must not hang the CLI: connect within 5 s; an answer within 90 s
      // (the runbook's entry function may take up to 60 s to plan).
      const config = { region, profile, maxAttempts: 5, requestHandler: { connectionTimeout: 5_000, requestTimeout: 90_000 } };
      c = { ssm: new SSMClient(config), lambda: new LambdaClient(config), sfn: new SFNClient(config), sts: new STSClient(config) };
      cache.set(region, c);
    }
    return c;
  };
}
