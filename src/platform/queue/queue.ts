import { sql, type Kysely, type RawBuilder } from 'kysely';
import { run, runMigrations, runOnce, type Runner, type TaskList, type WorkerEvents, type Logger as GwLogger } from 'graphile-worker';
import { Logger as GraphileLogger } from 'graphile-worker';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../postgres/database.ts';
import { runObservedJob } from '../observability/job-observability.ts';
import { withTraceContext } from '../observability/tracing.ts';

/**
 * Jobs live in PostgreSQL (graphile-worker) next to the data they follow. `enqueue` takes the
 * transaction that makes the change, so the job exists if and only if the change committed: no
 * dual write, no lost email. Every database that produces jobs has its own queue, and the worker
 * role drains all of them.
 */
export type JobSpec = Readonly<{
  task: string;
  /**
   * An array makes a batch job: graphile-worker appends the array to that of a not-yet-started job
   * with the same key instead of replacing it, so one job gathers the entries of many enqueues.
   * Its handler receives the array; on failure, see `BatchEntriesFailedError`.
   */
  payload: Record<string, unknown> | ReadonlyArray<Record<string, unknown>>;
  /**
   * Replaces a not-yet-started job with the same key: coalesces bursts (e.g. re-index a product).
   * A key whose job has already started makes a new job (graphile-worker's `add_jobs`).
   */
  jobKey?: string;
  runAt?: Date;
  maxAttempts?: number;
  /** Jobs in one named queue run one at a time, in order. */
  queueName?: string;
  priority?: number;
}>;

export async function enqueue(db: Kysely<unknown>, job: JobSpec): Promise<void> {
  await enqueueMany(db, [job]);
}

/**
 * Several jobs in ONE call of graphile-worker's `add_jobs`: the function has a fixed cost per call
 * (it upserts the task names, clears stale job keys and notifies the workers) that dwarfs the cost
 * of each further job in the same call. `node --import tsx src/platform/queue/queue.bench.ts`
 * measures it: four jobs in four calls cost about three times four jobs in one call.
 * A paid order's follow-ups (stock, emails, seller index) go in one call, not one call each.
 * Same semantics as `enqueue` per job: a job key replaces a not-yet-started job with that key.
 */
export async function enqueueMany(db: Kysely<unknown>, jobs: ReadonlyArray<JobSpec>): Promise<void> {
  if (jobs.length === 0) return;
  await sql`select count(*) from ${addJobsCall(jobs)}`.execute(db);
}

/**
 * The `add_jobs(...)` call for these jobs as an SQL fragment, for a caller that folds it into a
 * statement of its own (orders writes a new order, its lines and its jobs in one round trip).
 */
export function addJobsCall(jobs: ReadonlyArray<JobSpec>): RawBuilder<unknown> {
  const specs = jobs.map((j) => ({
    identifier: j.task,
    // A batch's array gathers the entries of many enqueues: no one trace context to carry.
    payload: Array.isArray(j.payload) ? j.payload : withTraceContext(j.payload as Record<string, unknown>),
    queue_name: j.queueName ?? null,
    run_at: j.runAt?.toISOString() ?? null,
    max_attempts: j.maxAttempts ?? null,
    job_key: j.jobKey ?? null,
    priority: j.priority ?? null,
  }));
  return sql`graphile_worker.add_jobs(array(
    select json_populate_record(null::graphile_worker.job_spec, spec)
    from json_array_elements(${JSON.stringify(specs)}::json) as spec
  ))`;
}

export type JobContext = Readonly<{
  /** The name of the database the job came from ('catalog', 'shard0', ...). */
  database: string;
  jobId: string;
  attempt: number;
  maxAttempts: number;
  log: Logger;
}>;

export type TaskHandler = (payload: Record<string, unknown>, ctx: JobContext) => Promise<void>;

/**
 * Throw this when retrying cannot help (the row is gone, the input is invalid): the job is failed
 * for good instead of being retried for a day.
 */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/**
 * Throw this from the handler of a batch job (an array payload) when some of its entries failed
 * and the others are done: the job keeps only `failed`, and is retried with them (or, when
 * `permanent`, failed for good with them, where `listFailedJobs` shows it).
 */
export class BatchEntriesFailedError extends Error {
  override name = 'BatchEntriesFailedError';
  constructor(
    message: string,
    readonly failed: ReadonlyArray<unknown>,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** Installs or upgrades graphile-worker's schema on a database. */
export async function migrateQueue(handle: DatabaseHandle): Promise<void> {
  await runMigrations({ pgPool: handle.pool, logger: quietLogger() });
}

function quietLogger(log?: Logger): GwLogger {
  return new GraphileLogger(() => (level, message, meta) => {
    if (!log) return;
    // LogLevel is a const enum of strings; compare its values as plain strings.
    const name: string = level;
    if (name === 'error') log.error({ meta }, message);
    else if (name === 'warning') log.warn({ meta }, message);
    else log.trace({ meta }, message);
  });
}

export type Workers = Readonly<{ stop(): Promise<void> }>;

/** Wraps our handlers for graphile-worker: a logger per job, and permanent failures not retried. */
function toTaskList(handle: DatabaseHandle, tasks: Readonly<Record<string, TaskHandler>>, baseLog: Logger): TaskList {
  const taskList: TaskList = {};
  for (const [name, handler] of Object.entries(tasks)) {
    taskList[name] = async (payload, helpers) => {
      const job = helpers.job;
      const log = baseLog.child({ job: name, jobId: job.id, database: handle.name, attempt: job.attempts });
      try {
        // Observed: the trace context the enqueuer stored (`_trace`) is removed before the handler sees the payload.
        const facts = { task: name, database: handle.name, jobId: job.id, attempt: job.attempts, maxAttempts: job.max_attempts };
        await runObservedJob(facts, (payload ?? {}) as Record<string, unknown>, (clean) =>
          handler(clean, { database: handle.name, jobId: job.id, attempt: job.attempts, maxAttempts: job.max_attempts, log }),
        );
      } catch (err) {
        const permanent = err instanceof PermanentJobError || (err instanceof BatchEntriesFailedError && err.permanent);
        const batch = Array.isArray(payload);
        if (permanent) log.error({ err }, 'job failed permanently');
        else log.warn({ err }, 'job failed, will retry');
        if (permanent || batch) {
          await helpers.withPgClient((c) =>
            c.query(
              `update graphile_worker._private_jobs set
                 -- A failed batch leaves its key: later entries start a new batch rather than join this
                 -- one, which would reset its attempts and retry it without backoff, for ever if one
                 -- entry can never succeed. add_jobs also gives a started job's key away, and then sets
                 -- its attempts to max_attempts (no retry): a batch has no newer job that repeats its
                 -- work, so its attempts are put back.
                 key = case when $2::boolean then null else key end,
                 attempts = case when $2::boolean then $3::smallint else attempts end,
                 -- Permanent: graphile-worker retries until attempts reach max_attempts, so close the gap.
                 max_attempts = case when not $4::boolean then max_attempts when $2::boolean then $3::smallint else attempts end,
                 -- The entries still to do (a batch of which some succeeded); null keeps the payload.
                 payload = coalesce($5::json, payload),
                 -- Written here too: graphile-worker records its own failure asynchronously.
                 last_error = case when $4::boolean then $6 else last_error end
               where id = $1`,
              [
                job.id,
                batch,
                job.attempts,
                permanent,
                err instanceof BatchEntriesFailedError ? JSON.stringify(err.failed) : null,
                err instanceof Error ? `${err.name}: ${err.message}` : String(err),
              ],
            ),
          );
        }
        throw err;
      }
    };
  }
  return taskList;
}

/**
 * Runs the jobs that are due on one database until none is left (tests, one-shot commands), and
 * returns once every one of them is recorded as done or failed.
 *
 * Without batching, graphile-worker 0.17 starts a job's completion (its row's delete) and does not
 * wait for it: runOnce could resolve while the last job's row was still there, locked. A caller
 * that then counted jobs saw one too many: a payment retry re-enqueued under the same key leaves
 * the running job's row, its key given away, until that delete lands (provider-outage failed
 * 6 !== 5 in CI). Batched, even with no delay, the completions are flushed before runOnce resolves.
 */
export async function runDueJobsOnce(handle: DatabaseHandle, tasks: Readonly<Record<string, TaskHandler>>, log: Logger): Promise<void> {
  await runOnce({
    pgPool: handle.pool,
    taskList: toTaskList(handle, tasks, log),
    logger: quietLogger(log),
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
  });
}

export async function startWorkers(opts: {
  databases: ReadonlyArray<DatabaseHandle>;
  tasks: Readonly<Record<string, TaskHandler>>;
  concurrency: number;
  /** Jobs fetched per query into each database's local queue (default twice the concurrency). */
  localQueueSize?: number;
  /**
   * After a fetch that finds nothing, wait about this long (0.5-1.5 times, at most pollInterval)
   * before the next, instead of fetching again on every new-job notification. graphile-worker
   * notifies every runner of a database about every job, whatever its task: without this, a runner
   * whose tasks are rare (media resizes) queries the database once per order's jobs, and finds
   * nothing. Unset: fetch on every notification (the runner whose jobs pay orders).
   */
  idleRefetchMs?: number;
  /** graphile-worker's event emitter (its runners' fetches, jobs...), for tests that count them. */
  events?: WorkerEvents;
  log: Logger;
}): Promise<Workers> {
  const runners: Runner[] = [];
  for (const handle of opts.databases) {
    runners.push(
      await run({
        pgPool: handle.pool,
        taskList: toTaskList(handle, opts.tasks, opts.log),
        concurrency: opts.concurrency,
        noHandleSignals: true,
        pollInterval: 1000,
        ...(opts.events ? { events: opts.events } : {}),
        logger: quietLogger(opts.log),
        preset: {
          worker: {
            // Fetch (and lock) jobs a batch at a time instead of one query per job, and complete
            // finished jobs in batches: under load the queue costs a fraction of a query per job.
            // The trade-off graphile-worker documents: a worker killed with jobs in its local queue
            // or completed-but-unrecorded leaves them locked until the lock times out; our sweeper
            // unlocks stale locks after JOB_LOCK_TIMEOUT_SECONDS, and every handler is idempotent.
            // 10 ms rather than 2: the longer window gathers the completions of more jobs into one
            // delete, and only delays the bookkeeping, not the jobs. `BENCH_COST_DETAIL=true npm run
            // bench -- --only checkout` counts them (`delete graphile_worker._private_jobs` per
            // order): 4.2 at 2 ms, 1.8 at 10 ms, in runs on 2026-11-22 with other changes between.
            localQueue: {
              size: opts.localQueueSize ?? Math.max(2, opts.concurrency * 2),
              ...(opts.idleRefetchMs === undefined
                ? {}
                : { refetchDelay: { durationMs: opts.idleRefetchMs, threshold: 0, maxAbortThreshold: Infinity } }),
            },
            completeJobBatchDelay: 10,
            failJobBatchDelay: 2,
          },
        },
      }),
    );
  }
  return {
    async stop() {
      await Promise.allSettled(runners.map((r) => r.stop()));
    },
  };
}

export type FailedJob = Readonly<{
  database: string;
  id: string;
  task: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: Date;
}>;

/** Jobs that have used up their attempts, from every database: what an operator must look at. */
/**
 * A job failed for good: out of attempts and not running. The second half matters: add_jobs gives
 * a running job's key to the new job it adds (a payment retry re-enqueued under its own key) and
 * sets the running one's attempts to max_attempts, so that it is not retried; it is running, not
 * failed. A job that failed for good was unlocked by graphile-worker. For graphile_worker.jobs
 * and _private_jobs alike (same column names).
 */
export const FAILED_JOB: RawBuilder<unknown> = sql`(attempts >= max_attempts and locked_at is null)`;

export async function listFailedJobs(databases: ReadonlyArray<DatabaseHandle>, limit: number): Promise<FailedJob[]> {
  const all: FailedJob[] = [];
  for (const handle of databases) {
    const { rows } = await sql<{
      id: string;
      task_identifier: string;
      attempts: number;
      max_attempts: number;
      last_error: string | null;
      run_at: Date;
    }>`select id::text, task_identifier, attempts, max_attempts, last_error, run_at
       from graphile_worker.jobs where ${FAILED_JOB} order by run_at desc limit ${limit}`.execute(handle.db);
    for (const r of rows) {
      all.push({
        database: handle.name,
        id: r.id,
        task: r.task_identifier,
        attempts: r.attempts,
        maxAttempts: r.max_attempts,
        lastError: r.last_error,
        runAt: r.run_at,
      });
    }
  }
  return all.sort((a, b) => b.runAt.getTime() - a.runAt.getTime()).slice(0, limit);
}

/** A failed job as an operator acts on it, locked for the rest of the transaction. */
export type LockedJob = Readonly<{
  id: string;
  task: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: Date;
  /** Out of attempts and not running: what retry and discard act on. */
  failed: boolean;
}>;

/**
 * The job, its row locked for the rest of the transaction (a worker cannot take it meanwhile:
 * graphile-worker's fetch skips locked rows); null when there is no such job (it succeeded, or was
 * discarded). Only the job's own row is locked, not its task's.
 */
export async function lockJob(trx: Kysely<unknown>, id: string): Promise<LockedJob | null> {
  const { rows } = await sql<{
    id: string;
    task: string;
    attempts: number;
    max_attempts: number;
    last_error: string | null;
    run_at: Date;
    failed: boolean;
  }>`select j.id::text, t.identifier as task, j.attempts, j.max_attempts, j.last_error, j.run_at,
       (j.attempts >= j.max_attempts and j.locked_at is null) as failed
     from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where j.id = ${id}::bigint for update of j`.execute(trx);
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    task: r.task,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    lastError: r.last_error,
    runAt: r.run_at,
    failed: r.failed,
  };
}

/**
 * A failed job runs again now, with its attempts back to zero (so with its usual retries; a job
 * failed for good by a PermanentJobError had its max_attempts lowered to the attempts it made, so
 * it gets that many). graphile-worker's own `reschedule_jobs`. Workers find it at their next poll.
 */
export async function retryJob(trx: Kysely<unknown>, id: string): Promise<{ runAt: Date }> {
  const { rows } = await sql<{ run_at: Date }>`select run_at
    from graphile_worker.reschedule_jobs(array[${id}::bigint], run_at := now(), attempts := 0)`.execute(trx);
  return { runAt: rows[0]?.run_at ?? new Date() };
}

/** Removes a job from its queue for good (graphile-worker's `complete_jobs`). */
export async function discardJob(trx: Kysely<unknown>, id: string): Promise<void> {
  await sql`select id from graphile_worker.complete_jobs(array[${id}::bigint])`.execute(trx);
}
