import { BrokenCircuitError, ConsecutiveBreaker, circuitBreaker, handleType, type CircuitBreakerPolicy } from 'cockatiel';

/**
 * What keeps a failing mail server from costing more than it must. Emails are delayed, never lost:
 * a send that fails because the server is unreachable, slow past `timeoutMs` or answering 4xx is
 * tried again later by the job itself (never given up); only a 5xx answer, the server refusing
 * that message for good, ends the job.
 */
export type MailResilienceSettings = Readonly<{
  /** Each wait on the SMTP server: connecting, its greeting, any silence on the socket. */
  timeoutMs: number;
  /** The email worker pool's concurrency per database (app/worker.ts): its bulkhead. */
  concurrency: number;
  /** First retry delay; it doubles per failed try up to `retryMaxDelayMs`, with jitter. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
}>;

export const DEFAULT_MAIL_RESILIENCE: MailResilienceSettings = {
  timeoutMs: 10_000,
  concurrency: 2,
  retryBaseMs: 5000,
  retryMaxDelayMs: 300_000,
};

/** Consecutive failed sends that open the breaker. */
const BREAKER_THRESHOLD = 5;

/**
 * The mail server could not take the message now (unreachable, timed out, 4xx): try again later.
 * The send did not complete, so nothing was logged as sent.
 */
export class MailUnavailableError extends Error {
  override name = 'MailUnavailableError';
}

/**
 * The breaker around sends: after a few consecutive failures, sends fail at once for a while
 * instead of each waiting out a timeout while it holds a job slot and a database transaction (the
 * sent-log lock). It reopens for one probe after `retryBaseMs`, which is when the first of the
 * failed jobs comes back anyway.
 */
export function createMailBreaker(settings: Pick<MailResilienceSettings, 'retryBaseMs'>): CircuitBreakerPolicy {
  return circuitBreaker(handleType(MailUnavailableError), {
    halfOpenAfter: settings.retryBaseMs,
    breaker: new ConsecutiveBreaker(BREAKER_THRESHOLD),
  });
}

/** True for the failures that a later retry may get past (the breaker being open among them). */
export function isRetryable(err: unknown): boolean {
  return err instanceof MailUnavailableError || err instanceof BrokenCircuitError;
}
