/**
 * Domain errors carry a stable code (`CATALOG_PRODUCT_NOT_FOUND`) and a kind that says what went
 * wrong in business terms, never an HTTP status: only `app/http-errors.ts` maps kinds (and, where
 * needed, single codes) to statuses. Expected outcomes are thrown as `DomainError`; anything else
 * is a bug and reaches the client as a bare 500 with no stack trace.
 */
export type ErrorKind =
  | 'invalid' // the input is wrong; `field` names the part at fault
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict' // the request clashes with current state (taken email, illegal state move)
  | 'too_large'
  | 'unsupported_media'
  | 'unprocessable' // well-formed but cannot be acted on (an image that does not decode)
  | 'rate_limited'
  | 'unavailable'; // a dependency is down; try again later

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}
