import { sql, type Kysely } from 'kysely';
import { newId } from '../shared/ids.ts';
import type { ModuleMigrations } from './postgres/migrations.ts';
import { BatchEntriesFailedError, enqueueMany, PermanentJobError, type JobContext, type JobSpec, type TaskHandler } from './queue/queue.ts';

/**
 * Domain events, delivered at least once through the job queue. Publishing takes the transaction
 * of the change, so an event exists if and only if its change committed; each subscriber gets its
 * own job, so a slow or failing subscriber delays nobody else. Handlers must be idempotent (they
 * receive the event id to deduplicate by).
 *
 * Events of a type that some subscriber marks `replayable` are also written to `platform_event_log`
 * on the database where they are published, in the same transaction: the history that read models
 * (reporting) are rebuilt from. Other types (product.changed on every edit, ...) are not logged, so
 * they cost nothing extra. The log is kept for good: deleting from it would make a rebuild forget
 * those figures (see docs/reporting.md).
 */
export type DomainEvent<P = Record<string, unknown>> = Readonly<{
  id: string;
  type: string;
  occurredAt: string;
  payload: P;
}>;

export type EventHandler = (event: DomainEvent, ctx: JobContext) => Promise<void>;

/**
 * Receives a batch of events of one type, in no particular order, possibly some it has seen
 * before (it must deduplicate by event id). Throwing fails the batch: see `subscribeBatched`.
 */
export type BatchEventHandler = (events: ReadonlyArray<DomainEvent>, ctx: JobContext) => Promise<void>;

export type SubscribeOptions = Readonly<{
  /**
   * Keep every event of this type in the event log, so this subscriber's state can be rebuilt by
   * replaying them (`readEventLog`). Costs one insert per event, in the publisher's transaction.
   */
  replayable?: boolean;
}>;

export type BatchSubscribeOptions = SubscribeOptions &
  Readonly<{
    /**
     * Events are gathered in windows of this many milliseconds (aligned on the clock, the same for
     * every process) and delivered in one job per window and database, at the window's end: so
     * each waits at most this long before its job is due. 0: every event in a job of its own, due
     * at once (no batching; the handler still receives an array).
     *
     * Batching moves the cost to the publishers: each publish of a window appends to the same job
     * row, so publishers wait for each other's commits (docs/benchmark-results.md has the figures, from
     * `BENCH_PG_STATEMENTS=true npm run bench -- --only checkout`: add_jobs several times slower
     * per call). Keep it for events published off the request path (by jobs), not for one a
     * request waits on.
     */
    maxDelayMs: number;
    /**
     * A named graphile-worker queue: the subscriber's jobs run one at a time per database. For a
     * subscriber whose transactions meet on the same rows (reporting's per-day totals), one at a
     * time beats a convoy of them waiting on each other's locks while holding worker slots.
     */
    queueName?: string;
  }>;

export type EventBus = Readonly<{
  /**
   * `alsoEnqueue`: the publisher's own jobs for the same change, added in the same round trip as
   * the event's (a paid order's follow-ups ride with `order.paid`).
   */
  publish(
    db: Kysely<unknown>,
    type: string,
    payload: Record<string, unknown>,
    opts?: { jobKeySuffix?: string; alsoEnqueue?: ReadonlyArray<JobSpec> },
  ): Promise<void>;
  subscribe(type: string, subscriber: string, handler: EventHandler, opts?: SubscribeOptions): void;
  /**
   * A subscription whose events are delivered in batches: one job, one handler call for all the
   * events of this type published on one database within `maxDelayMs` (graphile-worker's batch jobs:
   * an array payload under a job key per window, which later publishes of the window append to).
   * Fewer jobs and one transaction per batch for the subscriber, at the price of up to `maxDelayMs`
   * more latency, and of publishers of one window queueing on its job row (see `publish`).
   *
   * Failure: a batch that fails is delivered again one event at a time, in the same run, so one
   * poison event cannot hold back the others; the events that still fail stay in the job, which
   * leaves its window (later events start a new batch) and is retried with graphile-worker's
   * backoff like any job; when all that fail do so with a `PermanentJobError`, it is failed for
   * good with just them, listed with their ids by `GET /api/v1/admin/jobs/failed`. At-least-once throughout:
   * an event is dropped from its job only once its handler call succeeded.
   */
  subscribeBatched(type: string, subscriber: string, handler: BatchEventHandler, opts: BatchSubscribeOptions): void;
  /** The job handlers the worker role runs, one per subscription. */
  tasks(): Record<string, TaskHandler>;
}>;

/**
 * The event log's table, on the catalog store and on every shard (events are published on both).
 * Only a primary key: ids are UUIDv7, so the key is also the publication order, and a replay reads
 * the log in key order. One index keeps the insert on the publisher's path as cheap as it can be.
 */
export const eventLogMigrations: ModuleMigrations = {
  module: 'platform_events',
  catalog: { '0001_event_log': { up: createEventLog } },
  shard: { '0001_event_log': { up: createEventLog } },
};

async function createEventLog(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table platform_event_log (
      id uuid primary key,
      type text not null,
      occurred_at timestamptz not null,
      payload jsonb not null
    )
  `.execute(db);
}

/** The millisecond timestamp a UUIDv7 carries: an event's occurredAt, so log order and time agree. */
function timeOfId(id: string): Date {
  return new Date(parseInt(id.slice(0, 8) + id.slice(9, 13), 16));
}

type Subscription =
  | { subscriber: string; handler: EventHandler; batched: false }
  | { subscriber: string; handler: BatchEventHandler; batched: true; maxDelayMs: number; queueName?: string };

/**
 * The job of a batched subscription for one event. A window's job is keyed by the window, so the
 * publishes of one window append their event to its array (graphile-worker's add_jobs, "batch
 * jobs"), and due at the window's end. Keyed by window rather than by subscription alone with
 * `preserve_run_at`: a batch cannot grow past one window's events, even while no worker runs (each
 * append rewrites the array, under the job row's lock); the run_at flag is one per add_jobs call,
 * where the publisher's own keyed jobs want it off; and a failed job's window is over, so new
 * events do not pile onto it. A window's job that already started gets no more events: add_jobs
 * then makes a new job with the same key (due at once), so an event is never lost to a running batch.
 */
function batchJob(task: string, event: DomainEvent, maxDelayMs: number, now: number, queueName?: string): JobSpec {
  const payload = [event as unknown as Record<string, unknown>];
  const queue = queueName ? { queueName } : {};
  if (maxDelayMs <= 0) return { task, payload, ...queue };
  const windowEnd = (Math.floor(now / maxDelayMs) + 1) * maxDelayMs;
  return { task, payload, jobKey: `${task}:batch:${windowEnd}`, runAt: new Date(windowEnd), ...queue };
}

/**
 * Delivers a batch to its handler; when that fails, one event at a time, so that the events that
 * do not fail are done. Throws when some events remain: a `BatchEntriesFailedError` with them (the
 * job keeps only those), permanent when every one of them failed with a `PermanentJobError`.
 * A retryable failure of one event ends the round (the database may be down: no need to time out
 * on every event), and that event goes last in the job, so the next round gets past it.
 */
async function deliverBatch(handler: BatchEventHandler, events: ReadonlyArray<DomainEvent>, ctx: JobContext): Promise<void> {
  try {
    await handler(events, ctx);
    return;
  } catch (err) {
    if (events.length <= 1) throw err;
    ctx.log.warn({ err, events: events.length }, 'event batch failed; delivering its events one at a time');
  }
  const permanent: DomainEvent[] = [];
  let retry: { event: DomainEvent; err: unknown; untried: DomainEvent[] } | null = null;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    try {
      await handler([event], ctx);
    } catch (err) {
      ctx.log.warn({ err, eventId: event.id }, 'event failed on its own');
      if (err instanceof PermanentJobError) {
        permanent.push(event);
        continue;
      }
      retry = { event, err, untried: events.slice(i + 1) };
      break;
    }
  }
  if (!retry && permanent.length === 0) return;
  const failed = retry ? [...retry.untried, ...permanent, retry.event] : permanent;
  const ids = failed.map((e) => e.id).join(', ');
  const reason = retry ? String(retry.err instanceof Error ? retry.err.message : retry.err) : 'cannot be handled';
  throw new BatchEntriesFailedError(
    `${failed.length} of ${events.length} events not delivered (${reason}): ${ids}`,
    failed,
    retry === null,
  );
}

/** `now`: the clock that places an event in its batch window (tests pin it). */
export function createEventBus(opts: { now?: () => number } = {}): EventBus {
  const now = opts.now ?? Date.now;
  const subscriptions = new Map<string, Subscription[]>();
  const logged = new Set<string>();
  const taskName = (type: string, subscriber: string) => `event:${type}:${subscriber}`;
  const add = (type: string, subscription: Subscription, opts: SubscribeOptions | undefined) => {
    const list = subscriptions.get(type) ?? [];
    if (list.some((s) => s.subscriber === subscription.subscriber))
      throw new Error(`${subscription.subscriber} already subscribes to ${type}`);
    list.push(subscription);
    subscriptions.set(type, list);
    if (opts?.replayable) logged.add(type);
  };
  return {
    async publish(db, type, payload, opts) {
      const id = newId();
      const event: DomainEvent = { id, type, occurredAt: timeOfId(id).toISOString(), payload };
      const jobs: JobSpec[] = [...(opts?.alsoEnqueue ?? [])];
      for (const s of subscriptions.get(type) ?? []) {
        const task = taskName(type, s.subscriber);
        // A batch's job row is shared by the window's publishers: each holds its lock from this
        // statement until its transaction ends, so concurrent publishers of one type queue there
        // for as long as the rest of their transaction takes. Publishing transactions are short
        // (the order's payment, a cart line), and that wait is what one job per window costs.
        if (s.batched) {
          jobs.push(batchJob(task, event, s.maxDelayMs, now(), s.queueName));
          continue;
        }
        jobs.push({
          task,
          payload: event as unknown as Record<string, unknown>,
          // With a suffix (e.g. a product id), a burst of events for one entity coalesces into one job.
          ...(opts?.jobKeySuffix ? { jobKey: `${task}:${opts.jobKeySuffix}` } : {}),
        });
      }
      // Every job in one call whatever the number of subscribers (and the publisher's own jobs with
      // them). The log row is a statement of its own: folded into the same statement as a CTE, the
      // rebuild-while-delivering test of reporting lost an event, and one round trip is not worth it.
      if (logged.has(type)) {
        await sql`insert into platform_event_log (id, type, occurred_at, payload)
          values (${id}, ${type}, ${event.occurredAt}, ${JSON.stringify(payload)}::jsonb)`.execute(db);
      }
      await enqueueMany(db, jobs);
    },
    subscribe(type, subscriber, handler, opts) {
      add(type, { subscriber, handler, batched: false }, opts);
    },
    subscribeBatched(type, subscriber, handler, opts) {
      if (!Number.isSafeInteger(opts.maxDelayMs) || opts.maxDelayMs < 0) throw new Error(`maxDelayMs must be a whole number >= 0`);
      add(
        type,
        { subscriber, handler, batched: true, maxDelayMs: opts.maxDelayMs, ...(opts.queueName ? { queueName: opts.queueName } : {}) },
        opts,
      );
    },
    tasks() {
      const tasks: Record<string, TaskHandler> = {};
      for (const [type, list] of subscriptions) {
        for (const s of list) {
          tasks[taskName(type, s.subscriber)] = s.batched
            ? // A single event (not an array) is a job enqueued before this subscription was batched.
              (payload, ctx) => deliverBatch(s.handler, (Array.isArray(payload) ? payload : [payload]) as DomainEvent[], ctx)
            : (payload, ctx) => s.handler(payload as unknown as DomainEvent, ctx);
        }
      }
      return tasks;
    },
  };
}

type LogRow = { id: string; type: string; occurred_at: Date; payload: Record<string, unknown> };

/**
 * Every logged event of the given types, from every database, in publication order (UUIDv7 order:
 * the publishing node's clock, so across nodes only as good as their clocks agree). Reads each
 * database a page at a time and merges them, so memory stays bounded by `pageSize` per database.
 * Events committed after a database's last page was read are not returned.
 */
export async function* readEventLog(
  databases: ReadonlyArray<{ name: string; db: Kysely<unknown> }>,
  types: readonly string[],
  pageSize = 1000,
): AsyncGenerator<DomainEvent & { database: string }> {
  type Cursor = { name: string; db: Kysely<unknown>; page: LogRow[]; at: number; after: string | null; done: boolean };
  const cursors: Cursor[] = databases.map((d) => ({ name: d.name, db: d.db, page: [], at: 0, after: null, done: false }));
  const fill = async (c: Cursor) => {
    if (c.done || c.at < c.page.length) return;
    const after = c.after ?? '00000000-0000-0000-0000-000000000000';
    const { rows } = await sql<LogRow>`select id::text as id, type, occurred_at, payload from platform_event_log
      where id > ${after}::uuid and type = any(${[...types]}::text[]) order by id limit ${pageSize}`.execute(c.db);
    c.page = rows;
    c.at = 0;
    if (rows.length > 0) c.after = rows[rows.length - 1]!.id;
    c.done = rows.length < pageSize;
  };
  for (;;) {
    await Promise.all(cursors.map(fill));
    let next: Cursor | null = null;
    for (const c of cursors) {
      if (c.at >= c.page.length) continue;
      if (!next || c.page[c.at]!.id < next.page[next.at]!.id) next = c;
    }
    if (!next) return;
    const row = next.page[next.at++]!;
    yield { id: row.id, type: row.type, occurredAt: row.occurred_at.toISOString(), payload: row.payload, database: next.name };
  }
}
