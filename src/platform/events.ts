import { sql, type Kysely } from 'kysely';
import { newId } from '../shared/ids.ts';
import type { ModuleMigrations } from './postgres/migrations.ts';
import { enqueueMany, type JobContext, type JobSpec, type TaskHandler } from './queue/queue.ts';

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
 * those figures (see README, "Reporting").
 */
export type DomainEvent<P = Record<string, unknown>> = Readonly<{
  id: string;
  type: string;
  occurredAt: string;
  payload: P;
}>;

export type EventHandler = (event: DomainEvent, ctx: JobContext) => Promise<void>;

export type SubscribeOptions = Readonly<{
  /**
   * Keep every event of this type in the event log, so this subscriber's state can be rebuilt by
   * replaying them (`readEventLog`). Costs one insert per event, in the publisher's transaction.
   */
  replayable?: boolean;
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

export function createEventBus(): EventBus {
  const subscriptions = new Map<string, Array<{ subscriber: string; handler: EventHandler }>>();
  const logged = new Set<string>();
  const taskName = (type: string, subscriber: string) => `event:${type}:${subscriber}`;
  return {
    async publish(db, type, payload, opts) {
      const id = newId();
      const event: DomainEvent = { id, type, occurredAt: timeOfId(id).toISOString(), payload };
      const jobs: JobSpec[] = [...(opts?.alsoEnqueue ?? [])];
      for (const { subscriber } of subscriptions.get(type) ?? []) {
        jobs.push({
          task: taskName(type, subscriber),
          payload: event as unknown as Record<string, unknown>,
          // With a suffix (e.g. a product id), a burst of events for one entity coalesces into one job.
          ...(opts?.jobKeySuffix ? { jobKey: `${taskName(type, subscriber)}:${opts.jobKeySuffix}` } : {}),
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
      const list = subscriptions.get(type) ?? [];
      if (list.some((s) => s.subscriber === subscriber)) throw new Error(`${subscriber} already subscribes to ${type}`);
      list.push({ subscriber, handler });
      subscriptions.set(type, list);
      if (opts?.replayable) logged.add(type);
    },
    tasks() {
      const tasks: Record<string, TaskHandler> = {};
      for (const [type, list] of subscriptions) {
        for (const { subscriber, handler } of list) {
          tasks[taskName(type, subscriber)] = (payload, ctx) => handler(payload as unknown as DomainEvent, ctx);
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
