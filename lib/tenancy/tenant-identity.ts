import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';

/** Options of {@link TenantIdentity.authorizer}. */
export interface TenantAuthorizerOptions {
  /**
   * How long API Gateway reuses the authorizer's answer for a credential (0 to 3600 s). It is
   * also how long a retired credential version may outlive its grace period; a revoke takes
   * effect at once whatever the cache (the tenant's key is disabled too).
   * @default Duration.seconds(60)
   */
  readonly cacheTtl?: Duration;
}

/** Options of {@link TenantIdentity.apiKeyOnly}. */
export interface ApiKeyOnlyOptions {
  /** Why this API may run without an identity (kept with the acknowledged findings and warning). */
  readonly reason: string;
}

/**
 * Who a TenantApi's caller is. The usage-plan API key only meters; the identity is what the
 * integration and the logs are told (`$context.authorizer.tenantId`).
 */
export abstract class TenantIdentity {
  /**
   * The default: a Lambda REQUEST authorizer. Each tenant presents `Authorization: Bearer
   * <credential>`; the authorizer verifies it (an HMAC under the API's signing secret), checks
   * the tenant's registry entry (active, this credential version) and answers the tenant id, its
   * tier and its usage-plan key (`apiKeySource: AUTHORIZER`): clients never hold an API key,
   * and a key read from API Gateway opens nothing. Credentials are rotated, revoked and issued
   * through TenantOnboarding.
   */
  public static authorizer(options: TenantAuthorizerOptions = {}): TenantIdentity {
    return new (class extends TenantIdentity {
      public readonly kind = 'authorizer' as const;
      public readonly cacheTtl = options.cacheTtl ?? Duration.seconds(60);
    })();
  }

  /**
   * An authorizer of your own (Cognito-backed Lambda, an OIDC verifier): it must answer
   * `context.tenantId` and the tenant's usage-plan key as `usageIdentifierKey`
   * (`apiKeySource: AUTHORIZER`). The registry and TenantOnboarding work as with the default.
   */
  public static custom(authorizer: apigw.IAuthorizer): TenantIdentity {
    return new (class extends TenantIdentity {
      public readonly kind = 'custom' as const;
      public readonly authorizer = authorizer;
    })();
  }

  /**
   * No identity: the `x-api-key` header is all a tenant shows. A leaked key impersonates its
   * tenant on every route, and anyone with `apigateway:GET` (in ReadOnlyAccess) reads every key.
   * Only with a reason, and synth warns (`cdk-resilience:TenantIdentityApiKeyOnly`).
   */
  public static apiKeyOnly(options: ApiKeyOnlyOptions): TenantIdentity {
    return new (class extends TenantIdentity {
      public readonly kind = 'api-key' as const;
      public readonly reason = options.reason;
    })();
  }

  /** authorizer (the default), custom, or api-key. */
  public abstract readonly kind: 'authorizer' | 'custom' | 'api-key';
}

/** The fields each kind carries. @internal */
export interface ResolvedIdentity {
  readonly kind: 'authorizer' | 'custom' | 'api-key';
  readonly cacheTtl?: Duration;
  readonly authorizer?: apigw.IAuthorizer;
  readonly reason?: string;
}
