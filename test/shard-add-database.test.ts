import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../src/app/config.ts';
import { createContainer, type Container } from '../src/app/container.ts';
import { buildHttpServer } from '../src/app/http.ts';
import { startFakeProvider, type FakeProvider } from '../src/modules/payments/index.ts';
import type { ShardStatus } from '../src/platform/postgres/shard-move.ts';
import { shardOfId } from '../src/shared/ids.ts';
import { ADDRESS, checkout, lines, listing, signUpMany, type Accepted, type Actor } from './checkout/support.ts';
import { runAtelier } from './support/processes.ts';
import { adminUrl, createDatabases, dropDatabases, PROTECTIONS_OFF, type TestApp } from './support/test-app.ts';

/**
 * Adding a physical shard database is a configuration change plus moves, done the way an operator
 * would: the new database joins SHARD_DATABASE_URLS, `atelier migrate` prepares it, the nodes are
 * restarted with the new setting, and `atelier shards move` (a real process) moves a logical
 * shard onto it while a node serves. A node still running with the old setting blocks the move.
 */
const tag = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const names = ['catalog', 'shard0', 'shard1', 'shard2'].map((n) => `${tag}_${n}`);
const url = (db: string) => {
  const u = new URL(adminUrl());
  u.pathname = `/${db}`;
  return u.toString();
};
let provider: FakeProvider;
let dataDir: string;
let env2: Record<string, string>;
let env3: Record<string, string>;
const nodes: Array<{ app: Container; server: Awaited<ReturnType<typeof buildHttpServer>> }> = [];

async function startNode(env: Record<string, string>) {
  const app = await createContainer(loadConfig(env), { role: 'test', migrate: true, log: pino({ level: 'silent' }) });
  const server = await buildHttpServer(app);
  await server.ready();
  const node = { app, server };
  nodes.push(node);
  return node;
}
async function stopNode(node: (typeof nodes)[number]): Promise<void> {
  nodes.splice(nodes.indexOf(node), 1);
  await node.server.close();
  await node.app.close();
}

async function atelier(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const proc = runAtelier(args, env);
  const code = await proc.exited;
  return { code, out: proc.output() };
}

before(async () => {
  await createDatabases(names);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'atelier-shards-'));
  provider = await startFakeProvider();
  const base = {
    CATALOG_DATABASE_URL: url(names[0]!),
    LOGICAL_SHARDS: '16',
    ATELIER_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    COOKIE_SECURE: 'false',
    DEMO_SEED: 'false',
    PG_POOL_MAX: '5',
    PAYMENT_PROVIDER_URL: provider.url,
    // As createTestApp's: this test is not about the protections that refuse requests on a busy machine.
    ...PROTECTIONS_OFF,
  };
  env2 = { ...base, SHARD_DATABASE_URLS: `shard0=${url(names[1]!)},shard1=${url(names[2]!)}` };
  env3 = { ...base, SHARD_DATABASE_URLS: `${env2.SHARD_DATABASE_URLS},shard2=${url(names[3]!)}` };
});
after(async () => {
  for (const n of [...nodes]) await stopNode(n).catch(() => undefined);
  await provider?.close();
  await dropDatabases(names);
  await rm(dataDir, { recursive: true, force: true });
});

test('a third database: configuration, migrate, restart, then `atelier shards move` onto it while a node serves', async () => {
  // Two databases, some customers with an order each.
  const old = await startNode(env2);
  const t = { app: old.app, server: old.server } as unknown as TestApp;
  const item = await listing(t, [{ price: 900, stock: 1000 }]);
  const customers = await signUpMany(old.server, 12);
  const orders = new Map<string, string>();
  for (const c of customers) {
    const res = await checkout(old.server, c, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS });
    assert.equal(res.statusCode, 202, res.body);
    orders.set(c.id, res.json<Accepted>().order.id);
  }
  const shard = shardOfId(customers[0]!.id);
  const ofShard = customers.filter((c: Actor) => shardOfId(c.id) === shard);

  // The new database is configured and migrated; a node still on the old setting blocks the move.
  const migrated = await atelier(['migrate'], env3);
  assert.equal(migrated.code, 0, migrated.out);
  const refused = await atelier(['shards', 'move', String(shard), 'shard2'], env3);
  assert.equal(refused.code, 1, refused.out);
  assert.match(refused.out, /not configured with database "shard2"/);
  await stopNode(old);

  // Restarted with the new setting, the node serves while the shard moves.
  const node = await startNode(env3);
  const moved = await atelier(['shards', 'move', String(shard), 'shard2'], env3);
  assert.equal(moved.code, 0, moved.out);
  assert.match(moved.out, new RegExp(`moved logical shard ${shard} from shard[01] to shard2 in \\d+ ms; writes were held for \\d+ ms`));
  for (let i = 0; i < 100 && node.app.stores.shards.forShard(shard).name !== 'shard2'; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(node.app.stores.shards.forShard(shard).name, 'shard2', 'the node follows the map');

  const status = await atelier(['shards', 'status', '--json'], env3);
  assert.equal(status.code, 0, status.out);
  const parsed = JSON.parse(status.out) as ShardStatus;
  assert.equal(parsed.map[shard]!.database, 'shard2');
  const onNew = parsed.databases.find((d) => d.database === 'shard2')!;
  assert.equal(onNew.tables.find((x) => x.table === 'orders')!.byShard[shard], ofShard.length);
  // The seller's account lives on a logical shard too: on this one, one time in 16.
  const accountsOnShard = ofShard.length + (shardOfId(item.seller.id) === shard ? 1 : 0);
  assert.equal(onNew.tables.find((x) => x.table === 'identity_accounts')!.byShard[shard], accountsOnShard);
  assert.deepEqual(parsed.stray, []);
  assert.ok(
    parsed.nodes.some((n) => n.role === 'test'),
    'the serving node is listed',
  );

  // The customers of the moved shard still sign in with their sessions and see their order.
  for (const c of ofShard) {
    const res = await node.server.inject({ method: 'GET', url: `/api/v1/orders/${orders.get(c.id)}`, headers: c.headers });
    assert.equal(res.statusCode, 200, res.body);
  }
  const again = await checkout(node.server, ofShard[0]!, { lines: lines([item.variantIds[0]!, 1]), shippingAddress: ADDRESS });
  assert.equal(again.statusCode, 202, again.body);
  const { rows } = await node.app.stores.shards.databases[2]!.pool.query('select 1 from orders where id = $1', [
    again.json<Accepted>().order.id,
  ]);
  assert.equal(rows.length, 1, 'a new order of the moved shard is written to the new database');

  // The human-readable status names the placement.
  const text = await atelier(['shards', 'status'], env3);
  assert.equal(text.code, 0, text.out);
  assert.match(text.out, new RegExp(`^${shard}\\s+shard2\\s+serving`, 'm'));
});

test('bad usage of `atelier shards` exits 2', async () => {
  const res = await atelier(['shards', 'move', 'x'], env3);
  assert.equal(res.code, 2, res.out);
  assert.match(res.out, /usage: atelier shards move <logical> <database>/);
});
