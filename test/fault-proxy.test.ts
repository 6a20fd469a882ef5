import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.ts';

/**
 * The fault proxy the resiliency tests rely on, against a real PostgreSQL (the test run's scratch
 * server): each fault does to a real client what it claims to.
 */
const admin = new URL(process.env.TEST_PG_ADMIN_URL!);
let proxy: FaultProxy;

before(async () => {
  proxy = await startFaultProxy({ host: admin.hostname, port: Number(admin.port) });
});
after(() => proxy.close());

function client(timeoutMs = 2000): pg.Client {
  const url = new URL(admin);
  url.host = proxy.address;
  const c = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  c.on('error', () => undefined);
  return c;
}

async function roundTrip(c: pg.Client): Promise<number> {
  const started = performance.now();
  await c.query('select 1');
  return performance.now() - started;
}

test('up passes traffic; latency delays each round trip by about its amount', async () => {
  const c = client();
  await c.connect();
  const base = Math.min(await roundTrip(c), await roundTrip(c), await roundTrip(c));
  proxy.set({ kind: 'latency', ms: 150 });
  const slowed = await roundTrip(c);
  proxy.set({ kind: 'up' });
  // A round trip crosses the proxy twice (query, answer): at least 2 x 150 ms added.
  assert.ok(slowed >= base + 290, `slowed ${slowed.toFixed(0)} ms vs ${base.toFixed(0)} ms`);
  assert.ok((await roundTrip(c)) < slowed);
  await c.end();
});

test('down resets open connections and refuses new ones; up again serves', async () => {
  const open = client();
  await open.connect();
  proxy.set({ kind: 'down' });
  await assert.rejects(open.query('select 1'));
  const fresh = client();
  await assert.rejects(fresh.connect());
  proxy.set({ kind: 'up' });
  const again = client();
  await again.connect();
  await roundTrip(again);
  await again.end();
});

test('hang accepts and never answers: the client times out', async () => {
  proxy.set({ kind: 'hang' });
  const started = performance.now();
  await assert.rejects(client(500).connect());
  assert.ok(performance.now() - started >= 450);
  proxy.set({ kind: 'up' });
});

test('flap alternates: some connection attempts fail, some succeed', async () => {
  proxy.set({ kind: 'flap', periodMs: 150 });
  let ok = 0;
  let failed = 0;
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    const s = net.connect({ port: proxy.port, host: '127.0.0.1' });
    const result = await new Promise<'ok' | 'failed'>((resolve) => {
      s.once('error', () => resolve('failed'));
      s.once('close', () => resolve('failed'));
      // PostgreSQL waits for the client to speak first: a connection that stays open 30 ms got through.
      s.once('connect', () => setTimeout(() => resolve(s.destroyed ? 'failed' : 'ok'), 30));
    });
    s.destroy();
    if (result === 'ok') ok++;
    else failed++;
    await new Promise((r) => setTimeout(r, 25));
  }
  proxy.set({ kind: 'up' });
  assert.ok(ok > 0 && failed > 0, `ok ${ok}, failed ${failed}`);
});
