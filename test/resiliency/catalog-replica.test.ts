import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createProduct, sellerWithShop } from '../../src/modules/catalog/catalog.test-support.ts';
import type { ReplicaStatus } from '../../src/platform/postgres/replicas.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { startReplicatedPostgres, type ReplicatedPostgres } from '../support/replica.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { recoverAndCheck, sleep, waitFor } from './support.ts';

/**
 * Resiliency matrix, a catalog replica (docs/resiliency.md): the app's catalog store is a dedicated
 * primary with a real streaming replica (test/support/replica.ts, built once for the file), and
 * the app reaches the replica through a fault proxy. Whatever the replica does, public reads keep
 * answering 200 from the primary (a failed replica read is retried there), within a bounded time.
 */

let pair: ReplicatedPostgres;
let proxy: FaultProxy;
let t: TestApp;
let shopSlug: string;
/** Each read asks for a list page never asked before, so it is a cold read that reaches a database. */
let price = 1;

const replica = (): ReplicaStatus => t.app.stores.catalogReplicas.status()[0]!;
const coldRead = () => t.server.inject({ method: 'GET', url: `/api/v1/products?shop=${shopSlug}&minPrice=${price++}&limit=5` });
const reachable = async () => {
  await t.app.stores.catalogReplicas.probe();
  return replica().healthy;
};

before(async () => {
  pair = await startReplicatedPostgres();
  const db = `resiliency_${Date.now().toString(36)}`;
  await pair.createDatabase(db);
  const direct = new URL(pair.replicaUrl(db));
  proxy = await startFaultProxy({ host: direct.hostname, port: Number(direct.port) });
  const viaProxy = new URL(direct);
  viaProxy.host = proxy.address;
  t = await createTestApp({
    CATALOG_DATABASE_URL: pair.primaryUrl(db),
    CATALOG_REPLICA_URLS: viaProxy.toString(),
    REPLICA_MAX_LAG_MS: '1500',
    REPLICA_CHECK_INTERVAL_MS: '250',
    REPLICA_READ_YOUR_WRITES_MS: '3500',
    PG_STATEMENT_TIMEOUT_MS: '2000',
  });
  const seller = await sellerWithShop(t.server);
  shopSlug = seller.shopSlug;
  await createProduct(t.server, seller, { title: 'Replica bowl' });
  await pair.waitForReplay();
  await waitFor('the replica in rotation', reachable);
});

after(async () => {
  await t?.close();
  await proxy?.close();
  await pair?.stop();
});

/** Cold reads, one after another for `ms`: every one answers 200, fresh (not stale). Returns the slowest. */
async function readFor(ms: number): Promise<number> {
  let slowest = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const started = Date.now();
    const res = await coldRead();
    slowest = Math.max(slowest, Date.now() - started);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['atelier-stale'], undefined);
    assert.equal((res.json() as { items: unknown[] }).items.length, 1, 'the product is there');
    await sleep(50);
  }
  return slowest;
}

test('a healthy replica serves the cold reads (the baseline the faults are measured against)', async () => {
  const before = replica().reads;
  await readFor(500);
  assert.ok(replica().reads > before, 'reads went to the replica');
});

test('replica down: reads keep answering 200 from the primary; it returns to rotation when back', async () => {
  proxy.set({ kind: 'down' });
  try {
    await readFor(1500);
    assert.equal(replica().healthy, false, 'out of rotation');
    const before = replica().reads;
    await readFor(300);
    assert.equal(replica().reads, before, 'nothing more read on it');
  } finally {
    await recoverAndCheck(t, proxy, reachable);
  }
  const before = replica().reads;
  await readFor(300);
  assert.ok(replica().reads > before, 'reads go to it again');
});

test('replica hung: reads keep answering 200, none held longer than the client timeouts', async (ctx) => {
  proxy.set({ kind: 'hang' });
  try {
    const slowest = await readFor(4000);
    ctx.diagnostic(`slowest read while the replica hung: ${slowest} ms`);
    // A read already on the hung replica waits for the client's query timeout (statement timeout
    // 2 s + 1 s), then runs on the primary; new connections give up after 1.5 s.
    assert.ok(slowest < 10_000, `a read took ${slowest} ms`);
    assert.equal(replica().healthy, false, 'out of rotation');
  } finally {
    await recoverAndCheck(t, proxy, reachable);
  }
});

test('replica slow: reads keep answering 200, still on the replica', async () => {
  proxy.set({ kind: 'latency', ms: 40 });
  try {
    const before = replica().reads;
    await readFor(1500);
    assert.ok(replica().reads > before, 'a slow replica (not lagging) stays in rotation');
  } finally {
    await recoverAndCheck(t, proxy, reachable);
  }
});

test('replica flapping: reads keep answering 200 (a failed replica read is answered by the primary)', async () => {
  const refusedBefore = proxy.stats().refused;
  proxy.set({ kind: 'flap', periodMs: 300 });
  try {
    await readFor(3000);
  } finally {
    await recoverAndCheck(t, proxy, reachable);
  }
  assert.ok(proxy.stats().refused > refusedBefore, 'the proxy refused connections: the fault was real');
});
