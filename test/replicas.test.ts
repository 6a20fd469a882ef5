import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { ConfigError, loadConfig } from '../src/app/config.ts';
import { createProduct, sellerWithShop, signUpAdmin, type Actor } from '../src/modules/catalog/catalog.test-support.ts';
import { WRITE_POSITION_COOKIE, WRITE_POSITION_HEADER } from '../src/platform/http/read-your-writes.ts';
import { openDatabase } from '../src/platform/postgres/database.ts';
import { isLsn } from '../src/platform/postgres/replicas.lag.ts';
import { openReplicaSet, type ReplicaStatus } from '../src/platform/postgres/replicas.ts';
import { startReplicatedPostgres, type ReplicatedPostgres } from './support/replica.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

/**
 * Catalog reads on a real streaming replica (test/support/replica.ts): the catalog store of this
 * app lives on a dedicated primary whose replica the app reads from. Replay is paused to make the
 * replica visibly stale, and the replica is stopped and started, while requests go through HTTP.
 */

const MAX_LAG_MS = 1500;
const CHECK_INTERVAL_MS = 250;
const RYW_MS = 3500;

let pair: ReplicatedPostgres;
let t: TestApp;
let catalogDb: string;
let admin: Actor;

before(async () => {
  pair = await startReplicatedPostgres();
  catalogDb = `replicas_${Date.now().toString(36)}`;
  await pair.createDatabase(catalogDb);
  t = await createTestApp({
    CATALOG_DATABASE_URL: pair.primaryUrl(catalogDb),
    CATALOG_REPLICA_URLS: pair.replicaUrl(catalogDb),
    REPLICA_MAX_LAG_MS: String(MAX_LAG_MS),
    REPLICA_CHECK_INTERVAL_MS: String(CHECK_INTERVAL_MS),
    REPLICA_READ_YOUR_WRITES_MS: String(RYW_MS),
  });
  admin = await signUpAdmin(t);
});

after(async () => {
  await t?.close();
  await pair?.stop();
});

const replica = (): ReplicaStatus => t.app.stores.catalogReplicas.status()[0]!;

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what} (replica: ${JSON.stringify(replica())})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The replica has replayed everything and the app has seen it do so. */
async function inSync(): Promise<void> {
  await pair.waitForReplay();
  await t.app.stores.catalogReplicas.probe();
  await waitFor('replica healthy and caught up', () => replica().healthy && replica().lagMs === 0);
}

async function title(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await t.server.inject({ method: 'GET', url, headers });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { title: string }).title;
}

async function shopTitles(slug: string, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await t.server.inject({ method: 'GET', url: `/api/v1/shops/${slug}`, headers });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { products: { items: Array<{ title: string }> } }).products.items.map((p) => p.title);
}

let seller: Awaited<ReturnType<typeof sellerWithShop>>;
let productId: string;
let writtenAt: number;

test('anonymous reads are served by the replica while the writer reads its own write at once', async () => {
  seller = await sellerWithShop(t.server);
  productId = (await createProduct(t.server, seller, { title: 'Blue bowl' })).id;
  await inSync();

  const readsBefore = replica().reads;
  assert.equal(await title(`/api/v1/products/${productId}`), 'Blue bowl');
  assert.ok(replica().reads > readsBefore, 'the cold page was read on the replica');

  // The replica keeps receiving WAL but stops applying it: from now on it is visibly stale.
  await pair.pauseReplay();
  const res = await t.server.inject({
    method: 'PATCH',
    url: `/api/v1/products/${productId}`,
    headers: seller.headers,
    payload: { title: 'Green bowl' },
  });
  assert.equal(res.statusCode, 200, res.body);
  writtenAt = Date.now();
  const lsn = res.headers[WRITE_POSITION_HEADER];
  assert.ok(typeof lsn === 'string' && isLsn(lsn), `a write hands back the primary's WAL position (got ${String(lsn)})`);
  const cookie = res.cookies.find((c) => c.name === WRITE_POSITION_COOKIE);
  assert.equal(cookie?.value, lsn);
  assert.equal(cookie?.maxAge, Math.ceil(RYW_MS / 1000), 'the pin lasts the read-your-writes window');
  assert.equal(cookie?.httpOnly, true);

  await t.app.stores.catalogReplicas.probe();
  assert.equal(replica().healthy, true, 'a moment of lag is under the threshold: still in rotation');

  // The writer, by cookie (a browser) or by header (an API client): its own write, every time.
  for (let i = 0; i < 3; i++) {
    assert.equal(await title(`/api/v1/products/${productId}`, { cookie: `${WRITE_POSITION_COOKIE}=${lsn}` }), 'Green bowl');
    assert.equal(await title(`/api/v1/products/${productId}`, { [WRITE_POSITION_HEADER]: lsn }), 'Green bowl');
    assert.deepEqual(await shopTitles(seller.shopSlug, { cookie: `${WRITE_POSITION_COOKIE}=${lsn}` }), ['Green bowl']);
  }
  // Everyone else reads the replica, which has not applied the write.
  await t.app.stores.catalogReplicas.probe();
  assert.equal(await title(`/api/v1/products/${productId}`), 'Blue bowl');
  assert.deepEqual(await shopTitles(seller.shopSlug), ['Blue bowl']);
  // A value that is not a WAL position pins nothing.
  assert.equal(await title(`/api/v1/products/${productId}`, { [WRITE_POSITION_HEADER]: 'FFFFFFFFF/0' }), 'Blue bowl');
});

test('lag is measured and reported; past the threshold the replica leaves the rotation, and returns once caught up', async () => {
  await waitFor('replica out of rotation for lag', () => replica().state === 'lagging');
  const lagging = replica();
  assert.equal(lagging.healthy, false);
  assert.equal(lagging.replayPaused, true);
  assert.ok(lagging.lagMs !== null && lagging.lagMs > MAX_LAG_MS, `lag ${lagging.lagMs} over ${MAX_LAG_MS}`);
  assert.ok(lagging.lagBytes !== null && lagging.lagBytes > 0);

  const res = await t.server.inject({ method: 'GET', url: '/api/v1/admin/replicas', headers: admin.headers });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { maxLagMs: number; items: ReplicaStatus[] };
  assert.equal(body.maxLagMs, MAX_LAG_MS);
  assert.equal(body.items.length, 1);
  assert.equal(body.items[0]!.healthy, false);
  assert.ok(body.items[0]!.lagMs! > MAX_LAG_MS);
  assert.ok(!body.items[0]!.url.includes(':atelier@'), `the password is not shown: ${body.items[0]!.url}`);
  assert.equal((await t.server.inject({ method: 'GET', url: '/api/v1/admin/replicas', headers: seller.headers })).statusCode, 403);
  assert.equal((await t.server.inject({ method: 'GET', url: '/api/v1/admin/replicas' })).statusCode, 401);

  const ready = await t.server.inject({ method: 'GET', url: '/ready' });
  assert.equal(ready.statusCode, 200, 'a lagging replica does not make the node unready');
  assert.equal((ready.json() as { replicas: Array<{ healthy: boolean }> }).replicas[0]!.healthy, false);

  // Reads go to the primary now. The stale page an anonymous read cached from the replica is
  // dropped by the catalog's second invalidation, the staleness bound after the write.
  const readsBefore = replica().reads;
  const bound = t.app.stores.catalogReplicas.maxStalenessMs;
  await new Promise((r) => setTimeout(r, Math.max(0, writtenAt + bound + 200 - Date.now())));
  assert.equal(await title(`/api/v1/products/${productId}`), 'Green bowl');
  assert.deepEqual(await shopTitles(seller.shopSlug), ['Green bowl']);
  assert.equal(replica().reads, readsBefore, 'nothing was read on the lagging replica');

  await pair.resumeReplay();
  await waitFor('replica back in rotation', () => replica().healthy);
  assert.ok(replica().lagMs! <= MAX_LAG_MS / 2, `returns under half the threshold (lag ${replica().lagMs})`);
  const res2 = await t.server.inject({ method: 'GET', url: '/api/v1/products?limit=7' });
  assert.equal(res2.statusCode, 200, res2.body);
  assert.equal(replica().reads, readsBefore + 1, 'a cold list page is read on the replica again');
});

test('a stopped replica is taken out of rotation, reads keep succeeding, and it returns when started', async () => {
  await inSync();
  // A replica set of its own with a probe loop too slow to notice: only a failed read can tell.
  const primary = openDatabase({
    name: 'probe-primary',
    url: pair.primaryUrl(catalogDb),
    poolMax: 2,
    statementTimeoutMs: 5000,
    applicationName: 'replica-test',
  });
  const slow = openReplicaSet({
    primary,
    settings: { urls: [pair.replicaUrl(catalogDb)], maxLagMs: 60_000, checkIntervalMs: 60_000, readYourWritesMs: 300_000 },
    poolMax: 2,
    statementTimeoutMs: 5000,
    applicationName: 'replica-test',
    log: t.app.log,
  });
  const inRecovery = () => slow.read(async ({ db }) => (await sql<{ r: boolean }>`select pg_is_in_recovery() as r`.execute(db)).rows[0]!.r);
  try {
    await slow.probe();
    assert.equal(await inRecovery(), true, 'served by the replica');

    await pair.stopReplica();
    const started = Date.now();
    assert.equal(await inRecovery(), false, 'the failed read was answered by the primary');
    assert.ok(Date.now() - started < 3000, 'a dead replica costs a read little time');
    const [st] = slow.status();
    assert.equal(st!.healthy, false, 'the failed read took it out of rotation at once');
    assert.equal(st!.state, 'unreachable');
    assert.equal(st!.fallbacks, 1);
    assert.equal(await inRecovery(), false);
    assert.equal(slow.status()[0]!.fallbacks, 1, 'later reads do not try it again');

    // The app, through HTTP, on pages nobody has cached: every read answers.
    for (let i = 1; i <= 15; i++) {
      const list = await t.server.inject({ method: 'GET', url: `/api/v1/products?limit=${i}` });
      assert.equal(list.statusCode, 200, list.body);
      const search = await t.server.inject({ method: 'GET', url: `/api/v1/search?q=bowl&limit=${i}` });
      assert.equal(search.statusCode, 200, search.body);
    }
    await waitFor('replica seen as unreachable', () => replica().state === 'unreachable');
    assert.equal(replica().healthy, false);
    assert.ok(replica().lastError);
    const ready = await t.server.inject({ method: 'GET', url: '/ready' });
    assert.equal(ready.statusCode, 200, 'a dead replica does not make the node unready');

    await pair.startReplica();
    await waitFor('replica back after a start', () => replica().healthy, 30_000);
    const readsBefore = replica().reads;
    const res = await t.server.inject({ method: 'GET', url: '/api/v1/products?limit=33' });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(replica().reads, readsBefore + 1, 'reads go to it again');
    await slow.probe();
    assert.equal(slow.status()[0]!.healthy, true);
    assert.equal(await inRecovery(), true);
  } finally {
    await slow.close();
    await primary.db.destroy();
  }
});

test('without replica URLs nothing changes: no WAL position on writes, reads on the primary', async () => {
  const plain = await createTestApp();
  try {
    assert.equal(plain.app.stores.catalogReplicas.enabled, false);
    const s = await sellerWithShop(plain.server);
    const res = await plain.server.inject({
      method: 'POST',
      url: '/api/v1/products',
      headers: s.headers,
      payload: { title: 'Mug', description: 'Stoneware', status: 'published', variants: [{ options: {}, price: 1800 }] },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers[WRITE_POSITION_HEADER], undefined);
    assert.equal(
      res.cookies.find((c) => c.name === WRITE_POSITION_COOKIE),
      undefined,
    );
    const ready = await plain.server.inject({ method: 'GET', url: '/ready' });
    assert.equal('replicas' in (ready.json() as object), false);
  } finally {
    await plain.close();
  }
});

test('replica settings are checked at start, naming the variable', () => {
  const base = { CATALOG_DATABASE_URL: 'postgres://a@h/c', SHARD_DATABASE_URLS: 'postgres://a@h/s' };
  const fails = (env: Record<string, string>, variable: string) =>
    assert.throws(
      () => loadConfig({ ...base, ...env }),
      (err: unknown) => err instanceof ConfigError && err.variable === variable,
    );
  fails({ CATALOG_REPLICA_URLS: 'postgres://a@r1/c,http://r2' }, 'CATALOG_REPLICA_URLS');
  fails({ CATALOG_REPLICA_URLS: 'postgres://a@r1/c,postgres://a@r1/c' }, 'CATALOG_REPLICA_URLS');
  fails(
    { CATALOG_REPLICA_URLS: 'postgres://a@r1/c', REPLICA_MAX_LAG_MS: '4000', REPLICA_READ_YOUR_WRITES_MS: '5000' },
    'REPLICA_READ_YOUR_WRITES_MS',
  );
  fails({ REPLICA_CHECK_INTERVAL_MS: '10' }, 'REPLICA_CHECK_INTERVAL_MS');
  const ok = loadConfig({ ...base, CATALOG_REPLICA_URLS: ' postgres://a:pw@r1/c , postgres://a@r2/c ' });
  assert.deepEqual(ok.catalogReplicas.urls, ['postgres://a:pw@r1/c', 'postgres://a@r2/c']);
  assert.deepEqual(loadConfig(base).catalogReplicas.urls, [], 'none by default');
});
