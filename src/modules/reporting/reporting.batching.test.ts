import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { collectTasks } from '../../app/worker.ts';
import type { DatabaseHandle } from '../../platform/postgres/database.ts';
import { runDueJobsOnce } from '../../platform/queue/queue.ts';
import { newId } from '../../shared/ids.ts';
import { dueNow, jobsOf, settled } from '../../../test/support/jobs.ts';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';

// Reporting's events delivered in batches (REPORTING_BATCH_DELAY_MS), on real queues. Each test
// pays in a currency of its own, so its figures are the rows of that currency.

const TASK = 'event:order.paid:reporting';
let t: TestApp;
let shard: DatabaseHandle;
let catalog: Kysely<unknown>;

before(async () => {
  // A long window, so that publishes of one test share it even on a slow machine (runNow brings
  // the jobs forward instead of waiting for the window to end).
  t = await createTestApp({ REPORTING_BATCH_DELAY_MS: '60000' });
  shard = t.app.stores.shards.databases[0]!;
  catalog = t.app.stores.catalog.db;
});
after(() => t.close());

function paid(currency: string, total: number) {
  const sellerId = newId();
  return {
    orderId: newId(),
    customerId: newId(),
    total,
    currency,
    subOrders: [{ id: newId(), shopId: newId(), sellerId, total }],
    lines: [],
  };
}

const publishPaid = (payload: ReturnType<typeof paid>) =>
  shard.db.transaction().execute((trx) => t.app.events.publish(trx, 'order.paid', payload));

async function jobs(): Promise<Array<{ id: string; key: string | null; events: number; attempts: number; max_attempts: number }>> {
  return (await jobsOf<unknown[]>(shard.db, TASK)).map(({ payload, ...job }) => ({ ...job, events: payload.length }));
}

/**
 * Runs each of the shard's reporting jobs once now, rather than sleeping through the window or a
 * backoff; a job that fails is left for the next call (its backoff makes it not due). The jobs are
 * in a named queue, which stays locked until graphile-worker has recorded how its job ended, and
 * it records that without waiting: so `runOnce` may find the queue locked after one job and return
 * with others due. Hence the loop, waiting for each record before running again.
 */
async function runNow(): Promise<void> {
  await dueNow(shard.db, TASK);
  const due = async () =>
    (
      await sql<{ n: number }>`select count(*)::int as n from graphile_worker.jobs
        where task_identifier = ${TASK} and run_at <= now() and attempts < max_attempts`.execute(shard.db)
    ).rows[0]!.n;
  for (let runs = 0; runs < 20 && (await due()) > 0; runs++) {
    await runDueJobsOnce(shard, collectTasks(t.app), t.app.log);
    await settled(shard.db, TASK);
  }
}

async function figures(currency: string, orderIds: string[]) {
  const daily = await sql<{ orders: number; gross: number }>`select coalesce(sum(orders), 0)::int as orders,
    coalesce(sum(gross), 0)::int as gross from reporting_platform_daily where currency = ${currency}`.execute(catalog);
  const customers = await sql<{ n: number }>`select count(*)::int as n from reporting_customer_orders
    where order_id = any(${orderIds}::uuid[])`.execute(catalog);
  return { ...daily.rows[0]!, customerOrders: customers.rows[0]!.n };
}

async function processedEvents(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from reporting_processed_events`.execute(catalog);
  return rows[0]!.n;
}

test('events published at once in separate transactions share a few jobs, and each is applied exactly once', async () => {
  const payloads = Array.from({ length: 40 }, (_, i) => paid('XTA', 100 + i));
  const processedBefore = await processedEvents();
  await Promise.all(payloads.map(publishPaid));
  const queued = await jobs();
  assert.ok(queued.length >= 1 && queued.length < 10, `40 events in ${queued.length} jobs`);
  assert.equal(
    queued.reduce((n, j) => n + j.events, 0),
    40,
    'every event in some job',
  );

  await runNow();
  assert.deepEqual(await jobs(), []);
  const gross = payloads.reduce((n, p) => n + p.total, 0);
  const ids = payloads.map((p) => p.orderId);
  assert.deepEqual(await figures('XTA', ids), { orders: 40, gross, customerOrders: 40 });
  assert.equal((await processedEvents()) - processedBefore, 40);
});

test('a batch that fails is retried, and its events are applied once', async () => {
  // Reporting's transaction fails while the switch is on: the whole batch fails, then its first
  // event alone (a retryable error ends the round), and the job keeps all five.
  await sql`create table test_reporting_down (on_ boolean)`.execute(catalog);
  await sql`insert into test_reporting_down values (true)`.execute(catalog);
  await sql`create function test_reporting_down() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from test_reporting_down) then raise exception 'reporting store unavailable (test)'; end if;
      return null;
    end $$`.execute(catalog);
  await sql`create trigger test_reporting_down before insert on reporting_platform_daily
    for each statement execute function test_reporting_down()`.execute(catalog);
  try {
    const payloads = Array.from({ length: 5 }, () => paid('XTB', 1000));
    for (const p of payloads) await publishPaid(p);
    const ids = payloads.map((p) => p.orderId);
    assert.equal((await jobs()).length, 1);

    await runNow();
    const [failed] = await jobs();
    assert.equal(failed?.events, 5, 'the whole batch kept');
    assert.equal(failed.key, null, 'out of its window: new events do not join it');
    assert.ok(failed.attempts >= 1 && failed.attempts < failed.max_attempts);
    assert.deepEqual(await figures('XTB', ids), { orders: 0, gross: 0, customerOrders: 0 });

    await sql`delete from test_reporting_down`.execute(catalog);
    await runNow();
    assert.deepEqual(await jobs(), []);
    assert.deepEqual(await figures('XTB', ids), { orders: 5, gross: 5000, customerOrders: 5 });
  } finally {
    await sql`drop trigger if exists test_reporting_down on reporting_platform_daily`.execute(catalog);
    await sql`drop function if exists test_reporting_down()`.execute(catalog);
    await sql`drop table if exists test_reporting_down`.execute(catalog);
  }
});

test('one event that keeps failing does not hold back the rest of its batch, nor is it applied twice', async () => {
  const payloads = Array.from({ length: 4 }, () => paid('XTC', 500));
  const poison = payloads[1]!.orderId;
  await sql`create function test_reporting_poison() returns trigger language plpgsql as $$
    begin
      if new.order_id = ${sql.lit(poison)}::uuid then raise exception 'cannot apply this order (test)'; end if;
      return new;
    end $$`.execute(catalog);
  await sql`create trigger test_reporting_poison before insert on reporting_customer_orders
    for each row execute function test_reporting_poison()`.execute(catalog);
  const ids = payloads.map((p) => p.orderId);
  try {
    for (const p of payloads) await publishPaid(p);
    // Round 1: the batch fails; one at a time, the first applies, the poison fails and ends the
    // round. Round 2 (the rest, poison last): the others apply. The poison stays, alone.
    await runNow();
    await runNow();
    const left = await jobs();
    assert.deepEqual(
      left.map((j) => j.events),
      [1],
    );
    assert.deepEqual(await figures('XTC', ids), { orders: 3, gross: 1500, customerOrders: 3 });
  } finally {
    await sql`drop trigger if exists test_reporting_poison on reporting_customer_orders`.execute(catalog);
    await sql`drop function if exists test_reporting_poison()`.execute(catalog);
  }
  // Fixed: the poison's retry applies it, and only it.
  await runNow();
  assert.deepEqual(await jobs(), []);
  assert.deepEqual(await figures('XTC', ids), { orders: 4, gross: 2000, customerOrders: 4 });
});
