/**
 * A refusal: the request cannot run as asked. Never retried; nothing was changed by the step
 * that refuses. The message starts with the code, since a state machine error carries only a
 * name (`RunbookRefused`) and a cause.
 */
export class RunbookRefused extends Error {
  /** The message without the code. */
  public readonly detail: string;

  constructor(
    public readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'RunbookRefused';
    this.detail = message;
  }
}
