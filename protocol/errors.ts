/**
 * Error names worth retrying: throttling, 5xx, timeouts, network, and the Step Functions
 * and Lambda service errors. Shared by the handlers and by lib/dr (the state machine's
 * Retry), so both agree.
 */
export const TRANSIENT_ERRORS = [
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'TimeoutError',
  'RequestTimeout',
  'NetworkingError',
  'RoutingControlUnavailable',
];

/**
 * What a Step Functions Lambda task reports when the invocation itself failed, and retrying
 * is safe because every runbook step is idempotent: Lambda's service errors, and a function
 * timeout, which Step Functions reports as `Lambda.Unknown` (Lambda's own error type for it
 * is `Sandbox.Timedout`). https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
 */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
  'States.Timeout',
];

/**
 * Error names that mean the caller may not make the call: a deployment (IAM) problem that
 * no retry fixes. A runbook surfaces them at once, naming the call and the Region.
 */
export const PERMISSION_ERRORS = ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'AuthorizationErrorException', 'NotAuthorized', 'InvalidClientTokenId'];

/** The name of the error a runbook step raises for a permission problem (never retried). */
export const PERMISSION_DENIED = 'RunbookPermissionDenied';
