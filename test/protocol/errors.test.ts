/**
 * The error names the runbook retries, and those it stops on at once. The state machine's Retry
 * and the handlers read the same lists (protocol/errors.ts); these tests say where each name
 * comes from, so that a name lost or misspelt fails here, not in an outage.
 */
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import { isPermissionError } from '../../lambda/shared/aws';
import { LAMBDA_TRANSIENT_ERRORS, PERMISSION_DENIED, PERMISSION_ERRORS, TRANSIENT_ERRORS } from '../../protocol/errors';

const named = (name: string): Error => Object.assign(new Error(name), { name, $metadata: {} });

describe('transient errors', () => {
  test('each is one the AWS SDK classifies as throttling or transient, or one of the 5xx codes and our own named here', () => {
    const sdk = TRANSIENT_ERRORS.filter((n) => isThrottlingError(named(n) as never) || isTransientError(named(n) as never));
    expect(sdk.sort()).toEqual(['RequestLimitExceeded', 'RequestTimeout', 'Throttling', 'ThrottlingException', 'TimeoutError', 'TooManyRequestsException']);
    // The SDK classifies these by HTTP status (5xx), which a Step Functions Retry does not see; the
    // network error of the v2 SDK's shape; ARC's data plane with no endpoint answering (lambda/shared/state.ts).
    expect(TRANSIENT_ERRORS.filter((n) => !sdk.includes(n)).sort()).toEqual([
      'InternalFailure',
      'InternalServerError',
      'InternalServerException',
      'NetworkingError',
      'RoutingControlUnavailable',
      'ServiceUnavailable',
      'ServiceUnavailableException',
    ]);
  });

  test('Lambda service errors and a function timeout: Step Functions names, retried because every step is idempotent', () => {
    for (const n of LAMBDA_TRANSIENT_ERRORS) expect(n).toMatch(/^(Lambda|Sandbox|States)\.[A-Z]\w+$/);
    expect(LAMBDA_TRANSIENT_ERRORS).toEqual(expect.arrayContaining(['Lambda.Unknown', 'Lambda.TooManyRequestsException', 'Lambda.ServiceException', 'Sandbox.Timedout']));
    expect(new Set(LAMBDA_TRANSIENT_ERRORS).size).toBe(LAMBDA_TRANSIENT_ERRORS.length);
  });
});

describe('permission errors', () => {
  test.each([
    ['AccessDenied', 'S3, CloudWatch'],
    ['AccessDeniedException', 'most JSON APIs (RDS Data, DynamoDB, ARC, SSM)'],
    ['UnauthorizedOperation', 'EC2'],
    ['AuthorizationError', 'SNS (query protocol)'],
    ['AuthorizationErrorException', 'SNS (JSON shape)'],
    ['NotAuthorized', 'older query APIs'],
    ['InvalidClientTokenId', 'STS: credentials not valid in the Region'],
    [PERMISSION_DENIED, "the runbook's own, once it named the call and the Region"],
  ])('%s (%s) is a permission error: never retried, surfaced at once', (name) => {
    expect(isPermissionError(named(name))).toBe(true);
  });

  test('the lists are disjoint: a permission error is never retried', () => {
    expect(PERMISSION_ERRORS.filter((n) => TRANSIENT_ERRORS.includes(n) || LAMBDA_TRANSIENT_ERRORS.includes(n))).toEqual([]);
    expect(PERMISSION_ERRORS).toHaveLength(7);
    expect(isPermissionError(named('ThrottlingException'))).toBe(false);
    expect(PERMISSION_DENIED).toBe('RunbookPermissionDenied');
  });
});
