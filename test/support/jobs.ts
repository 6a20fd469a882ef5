import { sql, type Kysely } from 'kysely';

/**
 * A task's jobs on one database as the tests of batched delivery look at them, read from
 * graphile-worker's own tables (the public `jobs` view leaves the payload out), and the two moves
 * those tests make on them. Shared by events.batch, reporting.batching and webhooks.batch.
 */
export type JobRow<P = unknown> = { id: string; key: string | null; payload: P; attempts: number; max_attempts: number };

export async function jobsOf<P = unknown>(db: Kysely<unknown>, task: string): Promise<Array<JobRow<P>>> {
  const { rows } = await sql<JobRow<P>>`select j.id::text, j.key, j.payload, j.attempts, j.max_attempts
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where t.identifier = ${task} order by j.id`.execute(db);
  return rows;
}

/** Waits for graphile-worker to record how the task's jobs ended (and unlock their queue): `runOnce` returns before it has. */
export async function settled(db: Kysely<unknown>, task: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs
      where task_identifier = ${task} and locked_at is not null`.execute(db);
    if (rows[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('a job stayed locked after its run');
}

/** Makes the task's waiting jobs due now, in place of sleeping through a window or a backoff. */
export async function dueNow(db: Kysely<unknown>, task: string): Promise<void> {
  await sql`update graphile_worker._private_jobs set run_at = now()
    where task_id = (select id from graphile_worker._private_tasks where identifier = ${task})`.execute(db);
}
