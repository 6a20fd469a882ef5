/**
 * Whether an error means "the database cannot answer right now" (so the request should be retried
 * later: 503 with Retry-After) rather than "this request or this code is wrong" (a bug: 500).
 *
 * Narrower than replicas.lag.ts's `isConnectionError`, which treats any error with a non-SQLSTATE
 * code as a dead replica (right there: the read is retried on the primary either way); here a
 * `TypeError` with code `ERR_INVALID_ARG_TYPE` must stay a 500, so only the errors a dead, hung,
 * flapping or overloaded server produces count:
 * - SQLSTATE 08 (connection exception), 53 (insufficient resources, too many connections),
 *   57P01-57P03 (shutdown, crash, cannot connect now) and 57014 (the statement timeout fired);
 * - the socket errors of a peer that is gone or unreachable;
 * - pg's own client-side failures, which have no code: a connection that ended mid-query, the
 *   pool's connect timeout, the client's `query_timeout` (database.ts), a client already broken.
 *
 * Errors are followed through `cause` (the cache wraps a loader's error in its own).
 */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'EAI_AGAIN',
]);

const PG_CLIENT_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)/;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (/^[0-9A-Z]{5}$/.test(code) && (code.startsWith('08') || code.startsWith('53') || /^57P0[123]$/.test(code) || code === '57014')) {
        return true;
      }
      if (SOCKET_CODES.has(code)) return true;
    }
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && PG_CLIENT_MESSAGES.test(message)) return true;
  }
  return false;
}
