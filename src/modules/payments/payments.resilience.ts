import {
  BrokenCircuitError,
  BulkheadRejectedError,
  ConsecutiveBreaker,
  ExponentialBackoff,
  bulkhead,
  circuitBreaker,
  handleType,
  retry,
  wrap,
} from 'cockatiel';
import { breakerStateOf, type BreakerState } from '../../platform/breaker-state.ts';
import { ProviderUnavailableError } from './payments.provider.ts';

export type ResilienceSettings = Readonly<{
  /** Per attempt: an AbortSignal that fires after this long ends the HTTP call. */
  timeoutMs: number;
  /** Attempts per call, the first included: a few quick ones, the job retries later anyway. */
  maxAttempts: number;
  /** First retry delay; later ones grow exponentially with decorrelated jitter (cockatiel's default). */
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  /** Consecutive failed attempts that open the breaker. */
  breakerThreshold: number;
  /** How long the breaker stays open before a single half-open probe is let through. */
  breakerHalfOpenAfterMs: number;
  /**
   * Calls in flight to the provider from this process at most (a bulkhead): payment jobs run in
   * every database's pool and refunds come from requests, so nothing else bounds the sum. A slow
   * provider then holds this many sockets, not one per job and request.
   */
  maxConcurrent: number;
  /** Calls that may wait for a free slot; past that a call fails at once as unavailable. */
  maxQueued: number;
}>;

export const DEFAULT_RESILIENCE: Omit<ResilienceSettings, 'timeoutMs'> = {
  maxAttempts: 3,
  retryInitialDelayMs: 50,
  retryMaxDelayMs: 500,
  breakerThreshold: 5,
  breakerHalfOpenAfterMs: 10_000,
  maxConcurrent: 16,
  maxQueued: 64,
};

export type Resilience = Readonly<{
  /** Runs one provider call under retry, breaker and per-attempt timeout. Throws ProviderUnavailableError. */
  run<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T>;
  state(): BreakerState;
}>;

/**
 * Retry outside, breaker inside, bulkhead innermost (it bounds calls on the wire, not retries
 * waiting out their backoff): every failed attempt counts towards opening the breaker, and once
 * it is open the retry does not hammer it (BrokenCircuitError is not retried). Only
 * ProviderUnavailableError counts as a failure: a declined card is a healthy provider saying no,
 * and a rejected request is our bug, neither says the provider is down.
 */
export function createResilience(settings: ResilienceSettings): Resilience {
  const breaker = circuitBreaker(handleType(ProviderUnavailableError), {
    halfOpenAfter: settings.breakerHalfOpenAfterMs,
    breaker: new ConsecutiveBreaker(settings.breakerThreshold),
  });
  const retryPolicy = retry(handleType(ProviderUnavailableError), {
    maxAttempts: Math.max(0, settings.maxAttempts - 1),
    backoff: new ExponentialBackoff({ initialDelay: settings.retryInitialDelayMs, maxDelay: settings.retryMaxDelayMs }),
  });
  const slots = bulkhead(settings.maxConcurrent, settings.maxQueued);
  const policy = wrap(retryPolicy, breaker, slots);

  return {
    async run<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
      try {
        return await policy.execute(() => call(AbortSignal.timeout(settings.timeoutMs)));
      } catch (err) {
        if (err instanceof BrokenCircuitError) throw new ProviderUnavailableError('circuit breaker open');
        if (err instanceof BulkheadRejectedError) throw new ProviderUnavailableError('too many provider calls in flight');
        throw err;
      }
    },
    state: () => breakerStateOf(breaker),
  };
}
