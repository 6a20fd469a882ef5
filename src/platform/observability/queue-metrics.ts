import { sql, type Kysely } from 'kysely';
import { withTimeout } from '../../shared/timeout.ts';
import { FAILED_JOB } from '../queue/queue.ts';
import type { QueueFigures } from './metrics.ts';

/** A scrape that waits longer than this for a database's queue figures reports that queue as not read. */
export const QUEUE_SCRAPE_TIMEOUT_MS = 1000;

/**
 * One database's job queue as the scrape sees it, in one statement over graphile-worker's jobs
 * table (finished jobs are deleted, so it holds the backlog, running and failed jobs only). Null
 * when the query fails or takes longer than `timeoutMs`: a slow database must not stall the
 * scrape, and `atelier_queue_scrape_ok` says the figures are missing.
 */
export async function queueFigures(db: Kysely<unknown>, timeoutMs = QUEUE_SCRAPE_TIMEOUT_MS): Promise<QueueFigures | null> {
  const query = sql<{ depth: number; oldest: number; running: number; failed: number }>`
    select count(*) filter (where is_available and run_at <= now())::int as depth,
           coalesce(extract(epoch from now() - min(run_at) filter (where is_available and run_at <= now())), 0)::float8 as oldest,
           count(*) filter (where locked_at is not null)::int as running,
           count(*) filter (where ${FAILED_JOB})::int as failed
      from graphile_worker._private_jobs`
    .execute(db)
    .then(({ rows }) => {
      const r = rows[0]!;
      return { depth: r.depth, oldestAgeSeconds: Math.max(0, r.oldest), running: r.running, failed: r.failed };
    });
  return withTimeout(query, timeoutMs, 'the queue figures query').catch(() => null);
}
