/**
 * What enqueueing costs the database: `node --import tsx src/platform/queue/queue.bench.ts`.
 *
 * The figure behind `enqueueMany` (queue.ts): graphile-worker's `add_jobs` has a fixed cost per
 * call, so N jobs in one call cost far less than N calls. Each measured transaction is
 * BEGIN, the enqueue, ROLLBACK (nothing accumulates in the queue), one after the other on one
 * connection; the baseline is the same transaction around `select 1`. Rounds alternate between
 * the modes; the median time per transaction of each mode is reported, and its ratio to the
 * baseline (this machine is shared, so ratios travel better than milliseconds).
 *
 * Settings: QUEUE_BENCH_ROUNDS (default 5), QUEUE_BENCH_TRANSACTIONS per round (300),
 * QUEUE_BENCH_JOBS (4: the jobs a paid order enqueues), TEST_PG_ADMIN_URL (else an embedded PostgreSQL).
 */
import { sql, type Kysely } from 'kysely';
import { ensureScratchPostgres } from '../../../test/support/scratch-postgres.ts';
import { enqueue, enqueueMany, type JobSpec } from './queue.ts';

const ROUNDS = Number(process.env.QUEUE_BENCH_ROUNDS ?? 5);
const TRANSACTIONS = Number(process.env.QUEUE_BENCH_TRANSACTIONS ?? 300);
const JOBS = Number(process.env.QUEUE_BENCH_JOBS ?? 4);

const scratch = await ensureScratchPostgres('queue-bench');
const { createTestApp } = await import('../../../test/support/test-app.ts');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const job = (i: number): JobSpec => ({ task: 'bench.noop', payload: { i }, jobKey: `bench.noop:${i}:${Math.random()}` });

type Mode = (trx: Kysely<unknown>) => Promise<unknown>;
const modes: Record<string, Mode> = {
  'select 1 (baseline)': (trx) => sql`select 1`.execute(trx),
  'one job, enqueue': (trx) => enqueue(trx, job(0)),
  [`${JOBS} jobs, ${JOBS} enqueue calls`]: async (trx) => {
    for (let i = 0; i < JOBS; i++) await enqueue(trx, job(i));
  },
  [`${JOBS} jobs, one enqueueMany call`]: (trx) =>
    enqueueMany(
      trx,
      Array.from({ length: JOBS }, (_, i) => job(i)),
    ),
};

class Rollback extends Error {}

try {
  const t = await createTestApp({ PG_POOL_MAX: '2' });
  try {
    const db = t.app.stores.catalog.db;
    const perTx: Record<string, number[]> = Object.fromEntries(Object.keys(modes).map((k) => [k, []]));
    for (let round = 0; round <= ROUNDS; round++) {
      for (const [name, mode] of Object.entries(modes)) {
        const start = performance.now();
        for (let i = 0; i < TRANSACTIONS; i++) {
          await db
            .transaction()
            .execute(async (trx) => {
              await mode(trx);
              throw new Rollback();
            })
            .catch((err: unknown) => {
              if (!(err instanceof Rollback)) throw err;
            });
        }
        // Round 0 warms the connection's plans and is not counted.
        if (round > 0) perTx[name]!.push((performance.now() - start) / TRANSACTIONS);
      }
    }
    const base = median(perTx['select 1 (baseline)']!);
    console.log(`enqueue cost, ${ROUNDS} rounds x ${TRANSACTIONS} transactions (BEGIN, the call, ROLLBACK), medians:`);
    for (const [name, xs] of Object.entries(perTx)) {
      const ms = median(xs);
      console.log(`  ${name.padEnd(32)} ${ms.toFixed(3)} ms/transaction  ${(ms / base).toFixed(1)}x the baseline`);
    }
  } finally {
    await t.close();
  }
} finally {
  await scratch.stop();
}
