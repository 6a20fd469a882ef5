import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { enqueue, runDueJobsOnce } from '../src/platform/queue/queue.ts';
import type { DatabaseHandle } from '../src/platform/postgres/database.ts';
import type { AuditPage } from '../src/modules/audit/index.ts';
import type { DataPlacement, NowFigures } from '../src/modules/ops/index.ts';
import { signUpAdmin } from '../src/modules/catalog/catalog.test-support.ts';
import { ADDRESS, checkout, lines, listing, signUp, type Accepted, type Actor } from './checkout/support.ts';
import { settled } from './support/jobs.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

/**
 * The operator console's API: failed jobs retried (and then succeeding) or discarded from the API,
 * audited; the Now figures after some traffic; shards and replicas; all of it admins only.
 */
let t: TestApp;
let admin: Actor;
let seller: Actor;
let shard1: DatabaseHandle;
const FLAKY = 'ops-test.flaky';
let providerDown = true;
let runs = 0;
const flaky = {
  [FLAKY]: async () => {
    runs++;
    if (providerDown) throw new Error('the provider is down');
  },
};

before(async () => {
  t = await createTestApp();
  admin = await signUpAdmin(t);
  seller = await signUp(t.server, 'seller');
  shard1 = t.app.stores.all().find((h) => h.name === 'shard1')!;
});
after(async () => {
  await t?.close();
});

const api = (method: InjectOptions['method'], url: string, who: Actor | null): Promise<LightMyRequestResponse> =>
  t.server.inject({ method, url: `/api/v1${url}`, headers: who ? who.headers : {} });

type FailedList = { items: Array<{ database: string; id: string; task: string; attempts: number; lastError: string | null }> };

/** A job of FLAKY on shard1 that failed its only attempt. */
async function failedJob(): Promise<string> {
  await enqueue(shard1.db, { task: FLAKY, payload: { n: runs }, maxAttempts: 1 });
  await runDueJobsOnce(shard1, flaky, t.app.log);
  await settled(shard1.db, FLAKY);
  const res = await api('GET', '/admin/jobs/failed', admin);
  assert.equal(res.statusCode, 200, res.body);
  const mine = res.json<FailedList>().items.filter((j) => j.task === FLAKY && j.database === 'shard1');
  assert.equal(mine.length, 1, res.body);
  assert.match(mine[0]!.lastError ?? '', /the provider is down/);
  return mine[0]!.id;
}

async function jobExists(id: string): Promise<boolean> {
  const { rows } = await sql`select 1 from graphile_worker._private_jobs where id = ${id}::bigint`.execute(shard1.db);
  return rows.length > 0;
}

async function auditOf(action: string, targetId: string) {
  await t.drainJobs();
  const res = await api('GET', `/admin/audit?action=${action}&targetType=job&targetId=${targetId}`, admin);
  return res.json<AuditPage>().items;
}

describe('failed jobs from the console', () => {
  test('a failed job retried from the API runs again and succeeds; the retry is audited', async () => {
    providerDown = true;
    const id = await failedJob();
    const ranBefore = runs;
    const res = await api('POST', `/admin/jobs/shard1/${id}/retry`, admin);
    assert.equal(res.statusCode, 200, res.body);
    const { job } = res.json<{ job: { database: string; id: string; task: string; runAt: string } }>();
    assert.deepEqual({ database: job.database, id: job.id, task: job.task }, { database: 'shard1', id, task: FLAKY });
    assert.ok(Date.parse(job.runAt) <= Date.now() + 1000);

    providerDown = false;
    await runDueJobsOnce(shard1, flaky, t.app.log);
    await settled(shard1.db, FLAKY);
    assert.equal(runs, ranBefore + 1, 'the job ran again');
    assert.equal(await jobExists(id), false, 'and succeeded: graphile-worker removed it');
    const failed = (await api('GET', '/admin/jobs/failed', admin)).json<FailedList>().items;
    assert.ok(!failed.some((j) => j.id === id && j.database === 'shard1'));

    const entries = await auditOf('job.retried', `shard1:${id}`);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.actor.accountId, admin.id);
    assert.deepEqual(entries[0]!.before, { task: FLAKY, attempts: 1, maxAttempts: 1, lastError: 'the provider is down' });
    assert.equal(entries[0]!.after!.attempts, 0);
  });

  test('a failed job discarded from the API is gone, audited; discarding it again is a 404', async () => {
    providerDown = true;
    const id = await failedJob();
    assert.equal((await api('POST', `/admin/jobs/shard1/${id}/discard`, admin)).statusCode, 204);
    assert.equal(await jobExists(id), false);
    const entries = await auditOf('job.discarded', `shard1:${id}`);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.after, null);
    const again = await api('POST', `/admin/jobs/shard1/${id}/discard`, admin);
    assert.equal(again.statusCode, 404, again.body);
    assert.equal(again.json<{ error: { code: string } }>().error.code, 'OPS_JOB_NOT_FOUND');
  });

  test('only a failed job can be retried or discarded: a waiting one is a 409, unknown ones 404', async () => {
    await enqueue(shard1.db, { task: FLAKY, payload: {}, runAt: new Date(Date.now() + 3_600_000) });
    const { rows } = await sql<{ id: string }>`select j.id::text from graphile_worker._private_jobs j
      join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = ${FLAKY} and j.attempts = 0`.execute(shard1.db);
    const waiting = rows[0]!.id;
    for (const verb of ['retry', 'discard']) {
      const res = await api('POST', `/admin/jobs/shard1/${waiting}/${verb}`, admin);
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'OPS_JOB_NOT_FAILED');
      assert.equal((await api('POST', `/admin/jobs/shard1/999999999/${verb}`, admin)).statusCode, 404);
      assert.equal((await api('POST', `/admin/jobs/nowhere/${waiting}/${verb}`, admin)).statusCode, 404);
      assert.equal((await api('POST', `/admin/jobs/shard1/not-a-number/${verb}`, admin)).statusCode, 404);
    }
    assert.equal(await jobExists(waiting), true, 'the waiting job is untouched');
    await sql`delete from graphile_worker._private_jobs where id = ${waiting}::bigint`.execute(shard1.db);
  });
});

describe('the console figures', () => {
  test('Now, after some traffic: orders a minute, sales, requests, error rate, p99, queues, breakers, cache', async () => {
    const item = await listing(t, [{ price: 1250, stock: 10 }]);
    const buyer = await signUp(t.server, 'customer');
    for (let i = 0; i < 3; i++) assert.equal((await api('GET', `/products/${item.productId}`, null)).statusCode, 200);
    const res = await checkout(t.server, buyer, { lines: lines([item.variantIds[0]!, 2]), shippingAddress: ADDRESS });
    assert.equal(res.statusCode, 202, res.body);
    await t.drainJobs();
    assert.equal(await t.app.orders.service.getOrderStatus(res.json<Accepted>().order.id), 'paid');

    const now = await api('GET', '/admin/now', admin);
    assert.equal(now.statusCode, 200, now.body);
    const figures = now.json<NowFigures>();
    assert.equal(figures.lastMinute.orders, 1);
    assert.ok(figures.lastMinute.ordersPerMinute > 0);
    assert.deepEqual(figures.lastMinute.sales, [{ currency: res.json<Accepted>().order.total.currency, amount: 2500 }]);
    assert.ok(figures.lastMinute.requests >= 5, JSON.stringify(figures.lastMinute));
    assert.equal(figures.lastMinute.errorRate, 0);
    assert.ok(figures.lastMinute.p99LatencyMs !== null && figures.lastMinute.p99LatencyMs > 0);
    assert.equal(typeof figures.cacheHitRatio, 'number', 'the product read a second time came from the cache');
    assert.ok(figures.cacheHitRatio! > 0 && figures.cacheHitRatio! <= 1);
    assert.deepEqual(figures.queues.map((q) => q.database).sort(), ['catalog', 'shard0', 'shard1']);
    for (const q of figures.queues) assert.equal(typeof q.oldestJobAgeSeconds, 'number');
    assert.deepEqual(figures.breakers.map((b) => `${b.name}:${b.state}`).sort(), ['mail:closed', 'payments:closed']);
    assert.deepEqual(figures.replicas, []);
    assert.ok(Array.isArray(figures.history));
    assert.deepEqual(await t.app.ops.now().then((f) => f.lastMinute.orders), 1);
  });

  test('a 5xx shows in the error rate', async () => {
    // A database error the app does not expect answers 500: a statement refused by the catalog store.
    const before = (await api('GET', '/admin/now', admin)).json<NowFigures>().lastMinute;
    await sql`alter table audit_log rename to audit_log_away`.execute(t.app.stores.catalog.db);
    try {
      assert.equal((await api('GET', '/admin/audit', admin)).statusCode, 500);
    } finally {
      await sql`alter table audit_log_away rename to audit_log`.execute(t.app.stores.catalog.db);
    }
    const after = (await api('GET', '/admin/now', admin)).json<NowFigures>().lastMinute;
    assert.ok(after.errorRate! > (before.errorRate ?? 0), JSON.stringify({ before, after }));
  });

  test('data: every logical shard placed on a database, the nodes, replicas; row counts when asked', async () => {
    const res = await api('GET', '/admin/data', admin);
    assert.equal(res.statusCode, 200, res.body);
    const data = res.json<DataPlacement>();
    assert.equal(data.shardMap.logicalShards, 16);
    assert.deepEqual(
      data.shardMap.databases.map((d) => d.name),
      ['shard0', 'shard1'],
    );
    const placed = data.shardMap.databases.flatMap((d) => d.logicalShards).sort((a, b) => a - b);
    assert.deepEqual(
      placed,
      Array.from({ length: 16 }, (_, i) => i),
    );
    assert.equal(data.shardMap.servedVersion, data.shardMap.version);
    assert.ok(data.shardMap.databases.every((d) => d.rows === null && d.frozen.length === 0));
    assert.equal(data.stray, null);
    assert.deepEqual(data.replicas, { enabled: false, maxLagMs: t.app.config.catalogReplicas.maxLagMs, items: [] });

    const counted = (await api('GET', '/admin/data?rows=true', admin)).json<DataPlacement>();
    const accounts = counted.shardMap.databases.reduce((n, d) => n + (d.rows?.identity_accounts ?? 0), 0);
    assert.ok(accounts >= 3, JSON.stringify(counted.shardMap.databases));
    assert.deepEqual(counted.stray, []);
  });

  test('a seller is refused every console route (403), a stranger 401', async () => {
    const routes: Array<[InjectOptions['method'], string]> = [
      ['GET', '/admin/now'],
      ['GET', '/admin/data'],
      ['GET', '/admin/jobs/failed'],
      ['POST', '/admin/jobs/shard1/1/retry'],
      ['POST', '/admin/jobs/shard1/1/discard'],
      ['GET', '/admin/audit'],
      ['GET', '/admin/audit/verify'],
    ];
    for (const [method, url] of routes) {
      assert.equal((await api(method, url, seller)).statusCode, 403, `${method} ${url}`);
      assert.equal((await api(method, url, null)).statusCode, 401, `${method} ${url}`);
    }
  });
});
