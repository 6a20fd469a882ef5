import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { createTestApp, type TestApp } from './support/test-app.ts';
import { ADDRESS, checkout, lines, listing, signUpMany, type Accepted, type Actor, type Listing } from './checkout/support.ts';
import { familiesOf, find, parseExposition, sum } from './observability-support.ts';
import { observeCacheEvents } from '../src/platform/observability/cache-metrics.ts';
import { startMetricsServer, type MetricsServer } from '../src/platform/observability/metrics-server.ts';
import { queueFigures } from '../src/platform/observability/queue-metrics.ts';
import { queryName } from '../src/platform/observability/query-names.ts';
import { REQUEST_OBJECTIVES } from '../ops/slo.ts';

let t: TestApp;
let buyer: Actor;
let item: Listing;
/** The metrics listener, as `atelier start` runs it next to the API (main.ts): the process's one registry. */
let metrics: MetricsServer;

before(async () => {
  t = await createTestApp();
  metrics = await startMetricsServer({ host: '127.0.0.1', port: 0 });
  buyer = (await signUpMany(t.server, 1))[0]!;
  item = await listing(t, [{ price: 900, stock: 50 }]);
});
after(async () => {
  await metrics?.close();
  await t?.close();
});

async function scrape() {
  const res = await fetch(metrics.url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  const body = await res.text();
  return { text: body, samples: parseExposition(body) };
}

/** Every family the issue lists, by the name it has here. */
const FAMILIES = [
  'atelier_http_requests_total',
  'atelier_http_request_duration_seconds',
  'atelier_db_pool_connections',
  'atelier_db_pool_max',
  'atelier_db_query_duration_seconds',
  'atelier_db_query_errors_total',
  'atelier_cache_hits_total',
  'atelier_cache_misses_total',
  'atelier_cache_stale_hits_total',
  'atelier_queue_depth',
  'atelier_queue_oldest_job_age_seconds',
  'atelier_queue_running_jobs',
  'atelier_queue_failed_jobs',
  'atelier_queue_scrape_ok',
  'atelier_jobs_total',
  'atelier_job_duration_seconds',
  'atelier_order_payment_seconds',
  'atelier_circuit_breaker_state',
  'atelier_replica_lag_seconds',
  'atelier_replica_healthy',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_eventloop_lag_seconds',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
];

test('a checkout shows in every family: requests by route, query time by name, cache, queue depth and age, jobs, breaker, pools, process', async () => {
  const productUrl = `/api/v1/products/${item.productId}`;
  for (let i = 0; i < 3; i++) assert.equal((await t.server.inject({ method: 'GET', url: productUrl })).statusCode, 200);
  const res = await checkout(t.server, buyer, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS });
  assert.equal(res.statusCode, 202, res.body);
  assert.equal((await t.server.inject({ method: 'GET', url: '/no/such/page' })).statusCode, 404);

  // Before the jobs run: the payment job waits in the buyer's shard queue.
  const waiting = await scrape();
  for (const family of FAMILIES) assert.ok(familiesOf(waiting.text).has(family), `family ${family} is exposed`);
  const depth = find(waiting.samples, 'atelier_queue_depth');
  assert.deepEqual(depth.map((s) => s.labels.database).sort(), ['catalog', 'shard0', 'shard1']);
  assert.ok(sum(waiting.samples, 'atelier_queue_depth') >= 1, 'the payment job is counted as waiting');
  assert.ok(Math.max(...find(waiting.samples, 'atelier_queue_oldest_job_age_seconds').map((s) => s.value)) >= 0);
  assert.deepEqual(
    find(waiting.samples, 'atelier_queue_scrape_ok').map((s) => s.value),
    [1, 1, 1],
  );

  await t.drainJobs();
  assert.equal(await t.app.orders.service.getOrderStatus(res.json<Accepted>().order.id), 'paid');
  const { text, samples } = await scrape();

  // Requests by route pattern (never the raw URL), method and status class; unknown paths in one series.
  assert.equal(sum(samples, 'atelier_http_requests_total', { route: '/api/v1/checkout', method: 'POST', status_class: '2xx' }), 1);
  assert.equal(sum(samples, 'atelier_http_requests_total', { route: '/api/v1/products/:id', method: 'GET', status_class: '2xx' }), 3);
  assert.equal(sum(samples, 'atelier_http_requests_total', { route: 'unmatched', method: 'GET', status_class: '4xx' }), 1);
  // The 5xx series of a route exists, at 0, before its first error (so rate() sees that error).
  assert.deepEqual(
    find(samples, 'atelier_http_requests_total', { route: '/api/v1/checkout', method: 'POST', status_class: '5xx' }).map((s) => s.value),
    [0],
  );
  assert.equal(find(samples, 'atelier_http_requests_total').filter((s) => s.labels.route?.includes(item.productId)).length, 0);
  const checkoutBuckets = find(samples, 'atelier_http_request_duration_seconds_bucket', { route: '/api/v1/checkout', method: 'POST' });
  assert.equal(checkoutBuckets.find((s) => s.labels.le === '+Inf')?.value, 1);
  assert.equal(sum(samples, 'atelier_http_request_duration_seconds_count', { route: '/api/v1/checkout', method: 'POST' }), 1);

  // Query time per database and named query: the order row went to a shard, the job through graphile-worker.
  const orderInserts = find(samples, 'atelier_db_query_duration_seconds_count', { query: 'with insert orders' });
  assert.ok(orderInserts.length >= 1 && orderInserts.every((s) => s.labels.database?.startsWith('shard')), JSON.stringify(orderInserts));
  assert.ok(sum(samples, 'atelier_db_query_duration_seconds_count', { database: 'catalog', query: 'select catalog_products' }) >= 1);
  assert.ok(sum(samples, 'atelier_db_query_duration_seconds_count', { query: 'select graphile_worker.add_jobs' }) >= 1);

  // The product page's first read missed and ran the loader (the repeats are answered by catalog's
  // per-process page layer in front of the cache), and so did the buyer's session lookup.
  assert.ok(sum(samples, 'atelier_cache_misses_total', { cache: 'catalog:product', tier: 'memory' }) >= 1);
  assert.ok(sum(samples, 'atelier_cache_misses_total', { cache: 'identity:session', tier: 'memory' }) >= 1);
  assert.equal(sum(samples, 'atelier_cache_hits_total', { tier: 'redis' }), 0, 'no Redis tier in this app');

  assert.ok(sum(samples, 'atelier_jobs_total', { task: 'orders.collect-payment', outcome: 'ok' }) >= 1);
  // The payment objective's histogram (ops/slo.ts): the order, accepted before the scrape above
  // and paid by the job, counts once, within its 10 s bucket (le="10", as the alert rules read it).
  const paidCount = (s: typeof samples) => sum(s, 'atelier_order_payment_seconds_count');
  assert.equal(paidCount(samples) - paidCount(waiting.samples), 1);
  const within10s = (s: typeof samples) => sum(s, 'atelier_order_payment_seconds_bucket', { le: '10' });
  assert.equal(within10s(samples) - within10s(waiting.samples), 1);
  assert.ok(sum(samples, 'atelier_order_payment_seconds_sum') > sum(waiting.samples, 'atelier_order_payment_seconds_sum'));
  assert.equal(sum(samples, 'atelier_queue_depth'), 0, 'drained');
  assert.equal(sum(samples, 'atelier_circuit_breaker_state', { breaker: 'payments', state: 'closed' }), 1);
  assert.equal(sum(samples, 'atelier_circuit_breaker_state', { breaker: 'payments', state: 'open' }), 0);
  for (const database of ['catalog', 'shard0', 'shard1']) {
    assert.ok(sum(samples, 'atelier_db_pool_connections', { database, state: 'total' }) >= 1, database);
    assert.equal(sum(samples, 'atelier_db_pool_max', { database }), 5);
  }
  assert.ok(sum(samples, 'process_resident_memory_bytes') > 0);
  assert.ok(find(samples, 'nodejs_eventloop_lag_p99_seconds').length === 1);
  assert.doesNotMatch(text, /NaN/);
});

/** The top-level alternatives of a regular expression (`a|b(c|d)` -> `a`, `b(c|d)`). */
function alternatives(pattern: string): string[] {
  const out = [''];
  let depth = 0;
  for (const ch of pattern) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '|' && depth === 0) out.push('');
    else out[out.length - 1] += ch;
  }
  return out;
}

test("the SLO rules find their requests: each alternative of an objective's route pattern matches a route this server labels its series with", async () => {
  // Every route's duration series exists from its registration, so the scrape lists the route labels.
  const routes = new Set(
    find((await scrape()).samples, 'atelier_http_request_duration_seconds_count').map((s) => `${s.labels.method} ${s.labels.route}`),
  );
  for (const o of REQUEST_OBJECTIVES) {
    if (!o.rule) continue;
    for (const alt of alternatives(o.rule.route)) {
      // Anchored, as Prometheus anchors a label matcher.
      const re = new RegExp(`^(?:${alt})$`);
      const matched = [...routes].filter((r) => r.startsWith(`${o.rule!.method} `) && re.test(r.slice(o.rule!.method.length + 1)));
      assert.ok(matched.length > 0, `${o.class}: ${o.rule.method} ${alt} matches no route the server writes`);
    }
  }
});

test('cache reads: a miss runs the loader, then the memory tier answers; counted per cache (key prefix)', async () => {
  const before = (await scrape()).samples;
  let loads = 0;
  for (let i = 0; i < 3; i++) assert.equal(await t.app.cache.getOrLoad('obs:test:one', [], async () => ++loads), 1);
  const after = (await scrape()).samples;
  const delta = (name: string, tier: string) =>
    sum(after, name, { cache: 'obs:test', tier }) - sum(before, name, { cache: 'obs:test', tier });
  assert.equal(delta('atelier_cache_misses_total', 'memory'), 1);
  assert.equal(delta('atelier_cache_hits_total', 'memory'), 2);
  assert.equal(delta('atelier_cache_hits_total', 'redis'), 0);
});

test('a failing statement is counted as an error of its named query', async () => {
  const before = sum((await scrape()).samples, 'atelier_db_query_errors_total', { database: 'catalog', query: 'select no_such_table' });
  await assert.rejects(t.app.stores.catalog.pool.query('select * from no_such_table'));
  const after = sum((await scrape()).samples, 'atelier_db_query_errors_total', { database: 'catalog', query: 'select no_such_table' });
  assert.equal(after - before, 1);
});

test('x-request-id: a well-formed one is kept and returned, anything else is replaced by a generated id', async () => {
  const kept = await t.server.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'edge-42.abc_DEF' } });
  assert.equal(kept.headers['x-request-id'], 'edge-42.abc_DEF');
  for (const bad of ['has space', 'x'.repeat(65), 'semi;colon', '']) {
    const res = await t.server.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': bad } });
    assert.notEqual(res.headers['x-request-id'], bad);
    assert.match(res.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
  }
  // Tracing is off in this process: no trace header and no SDK.
  assert.equal(kept.headers['x-trace-id'], undefined);
});

test('queue figures: a due job is depth with its age, a future job is not, a used-up job is failed; a dead database answers null within the timeout', async () => {
  const shard = t.app.stores.shards.databases[0]!;
  await shard.pool.query(`select graphile_worker.add_job('obs.test-due', '{}'::json, run_at => now() - interval '90 seconds')`);
  await shard.pool.query(`select graphile_worker.add_job('obs.test-later', '{}'::json, run_at => now() + interval '1 hour')`);
  await shard.pool.query(`select graphile_worker.add_job('obs.test-failed', '{}'::json, max_attempts => 1)`);
  await shard.pool.query(
    `update graphile_worker._private_jobs set attempts = 1, last_error = 'x' where task_id = (select id from graphile_worker._private_tasks where identifier = 'obs.test-failed')`,
  );
  const figures = await queueFigures(shard.db);
  assert.ok(figures);
  assert.equal(figures.depth, 1);
  assert.ok(figures.oldestAgeSeconds >= 89 && figures.oldestAgeSeconds < 200, String(figures.oldestAgeSeconds));
  assert.equal(figures.failed, 1);
  await shard.pool.query(`delete from graphile_worker._private_jobs`);

  // A query that outlives the timeout is reported as missing, quickly.
  const { openDatabase } = await import('../src/platform/postgres/database.ts');
  const dead = openDatabase({
    name: 'dead',
    url: 'postgres://127.0.0.1:9/none',
    poolMax: 1,
    statementTimeoutMs: 1000,
    applicationName: 'obs-test',
  });
  const started = Date.now();
  assert.equal(await queueFigures(dead.db, 300), null);
  assert.ok(Date.now() - started < 2000);
  await dead.db.destroy();
});

test('the public API port does not serve /metrics: 404 in the error shape, nothing of the exposition', async () => {
  for (const method of ['GET', 'HEAD'] as const) {
    const res = await t.server.inject({ method, url: '/metrics' });
    assert.equal(res.statusCode, 404, `${method} /metrics`);
    if (method === 'GET') assert.deepEqual(Object.keys(res.json<{ error: object }>().error).sort(), ['code', 'message']);
    assert.doesNotMatch(res.body, /atelier_|# HELP/);
  }
});

test('the metrics listener serves only GET /metrics, in the exposition format; anything else is a 404 in the error shape', async () => {
  const res = await fetch(metrics.url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  assert.ok(familiesOf(await res.text()).has('atelier_jobs_total'));
  const other = await fetch(metrics.url.replace('/metrics', '/other'));
  assert.equal(other.status, 404);
  assert.equal(((await other.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  assert.match(metrics.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
});

test('with METRICS_TOKEN the listener answers only `Authorization: Bearer <token>`; others get 401 in the error shape', async () => {
  const token = 'a-scrape-token-0123456789';
  const server = await startMetricsServer({ host: '127.0.0.1', port: 0, token });
  try {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${token}`, `Bearer ${token}x`]) {
      const res = await fetch(server.url, { headers: authorization ? { authorization } : {} });
      assert.equal(res.status, 401, String(authorization));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'METRICS_UNAUTHENTICATED');
    }
    const ok = await fetch(server.url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.ok(familiesOf(await ok.text()).has('atelier_http_requests_total'));
  } finally {
    await server.close();
  }
});

test('query names: operation and first table, parameters never', () => {
  const cases: Array<[string, string]> = [
    ['select "id", "title" from "catalog_products" where "id" = $1', 'select catalog_products'],
    ['insert into "orders" ("id", "status") values ($1, $2)', 'insert orders'],
    ['update "inventory_stock" set "reserved" = "reserved" + $1 where "variant_id" = $2', 'update inventory_stock'],
    ['delete from "cart_lines" where "cart_id" = $1', 'delete cart_lines'],
    ['select graphile_worker.add_job(identifier => $1, payload => $2::json)', 'select graphile_worker.add_job'],
    [
      'with j as (select id from graphile_worker._private_jobs) update graphile_worker._private_jobs set x = 1 from j',
      'with update graphile_worker._private_jobs',
    ],
    ['with "o" as (insert into "orders" ("id") values ($1) returning "id") select count(*) from o', 'with insert orders'],
    ['select count(*) from "graphile_worker"."_private_jobs"', 'select graphile_worker._private_jobs'],
    ['begin', 'begin'],
    ['COMMIT', 'commit'],
    ['/* note */ select 1', 'select'],
    ['??', 'other'],
  ];
  for (const [sql, name] of cases) assert.equal(queryName(sql), name, sql);
});

// Last in the file: it fills this process's cap of distinct cache names.
test('cache names past the cap are counted under `other`', async () => {
  const emitter = new EventEmitter();
  observeCacheEvents(emitter, 'memory');
  for (let i = 0; i < 150; i++) emitter.emit('cache:miss', { key: `capped${i}:kind:1` });
  const { samples } = await scrape();
  assert.ok(sum(samples, 'atelier_cache_misses_total', { cache: 'other', tier: 'memory' }) > 0);
  assert.equal(sum(samples, 'atelier_cache_misses_total', { cache: 'capped149:kind', tier: 'memory' }), 0);
});
