/** Exit codes: distinct per outcome, so scripts and pagers can tell them apart. */
export const EXIT = {
  /** The runbook or drill succeeded (or plan/status answered). */
  succeeded: 0,
  /** The runbook or drill ran and failed. */
  failed: 1,
  /** It did not finish within --timeout (it may still be running). */
  timedOut: 2,
  /** Refused before anything changed: bad input, unknown strategy, already active, no confirmation. */
  refused: 3,
  /** AWS credentials missing or expired: nothing changed. */
  credentials: 4,
  /** Anything else (an AWS error). */
  error: 5,
} as const;

/** An error with its exit code and a one-line explanation. */
export class CliError extends Error {
  constructor(
    message: string,
    public readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Refused before anything changed. */
export function refused(message: string): CliError {
  return new CliError(message, EXIT.refused);
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'TokenRefreshRequired',
  'InvalidSignatureException',
]);

/** Map an AWS SDK error to a one-line CliError (credentials, or a generic AWS failure). */
export function fromAwsError(e: unknown, doing: string): CliError {
  if (e instanceof CliError) return e;
  const err = e as { name?: string; message?: string };
  if (err.name && CREDENTIAL_ERRORS.has(err.name)) {
    return new CliError(`AWS credentials are missing or expired (${err.name}) while ${doing}: refresh them (aws sso login, or --profile) and re-run; nothing was changed`, EXIT.credentials);
  }
  return new CliError(`${doing} failed: ${err.name ?? 'Error'}: ${(err.message ?? String(e)).split('\n')[0]}`, EXIT.error);
}
