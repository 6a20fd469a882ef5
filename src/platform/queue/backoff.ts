/**
 * Exponential backoff with jitter: after the n-th failed try, a delay between half and all of
 * min(max, base * 2^(n-1)), so the jobs one outage held up do not all come back at once.
 * For jobs that schedule their own retries: the payment job, the email send job, the webhook delivery job.
 */
export function jitteredBackoffMs(failedTries: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failedTries - 1, 0), 30));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
