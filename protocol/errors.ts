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
