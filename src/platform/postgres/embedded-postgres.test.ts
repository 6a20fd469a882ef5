import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import pino from 'pino';
import { freePort } from '../../../test/support/scratch-postgres.ts';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres.ts';

const log = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** The server's own view of the connection: its address, or null over a unix socket. */
async function serverAddress(url: string): Promise<string | null> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ a: string | null }>('select host(inet_server_addr()) as a')).rows[0]!.a;
  } finally {
    await c.end();
  }
}

async function start(dataDir: string, port: number): Promise<EmbeddedServer> {
  const server = await startEmbeddedPostgres({ dataDir, port, databases: ['shop'], log });
  if (server.owned) cleanups.push(() => server.stop());
  return server;
}

test(
  'the embedded server: pools connect over its unix socket, tools over TCP, and a process that attaches finds the socket',
  { timeout: 120_000 },
  async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'atelier-sock-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const owner = await start(dir, port);
    assert.equal(owner.socketDir, path.join(dir, 'pg'));
    assert.equal(await serverAddress(owner.localUrlFor('shop')), null, 'local URL: unix socket');
    assert.equal(await serverAddress(owner.urlFor('shop')), '127.0.0.1', 'urlFor: TCP');

    const second = await start(dir, port);
    assert.equal(second.owned, false);
    assert.equal(second.socketDir, owner.socketDir);
    assert.equal(await serverAddress(second.localUrlFor('shop')), null);
  },
);

test('a data folder whose socket path would be too long for the kernel: TCP only, and it still works', { timeout: 120_000 }, async () => {
  const base = await mkdtemp(path.join(os.tmpdir(), 'atelier-sock-'));
  cleanups.push(() => rm(base, { recursive: true, force: true }));
  const dir = path.join(base, 'a-folder-name-long-enough-to-push-the-socket-path-past-the-limit-of-the-kernel');
  const server = await start(dir, await freePort());
  assert.equal(server.socketDir, null);
  assert.equal(server.localUrlFor('shop'), server.urlFor('shop'));
  assert.equal(await serverAddress(server.localUrlFor('shop')), '127.0.0.1');
});

test(
  'two data folders, one port: the second refuses to attach to the server of the first, naming the port and both folders; the same folder by another path attaches',
  { timeout: 120_000 },
  async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'atelier-two-'));
    cleanups.push(() => rm(base, { recursive: true, force: true }));
    const port = await freePort();
    const first = path.join(base, 'first');
    const owner = await start(first, port);
    assert.equal(owner.owned, true);

    const other = path.join(base, 'other');
    await assert.rejects(start(other, port), (err: Error) => {
      assert.match(err.message, new RegExp(`port ${port} `));
      assert.ok(err.message.includes(path.join(first, 'pg')), err.message);
      assert.ok(err.message.includes(path.join(other, 'pg')), err.message);
      assert.match(err.message, /EMBEDDED_PG_PORT/);
      return true;
    });
    // Nothing of the other folder's was made on the first one's server.
    const c = new pg.Client({ connectionString: owner.urlFor('postgres') });
    await c.connect();
    try {
      const shops = await c.query(`select 1 from pg_database where datname = 'shop'`);
      assert.equal(shops.rowCount, 1, 'the first folder keeps its own database');
    } finally {
      await c.end();
    }

    const alias = path.join(base, 'alias');
    await symlink(first, alias);
    const again = await start(alias, port);
    assert.equal(again.owned, false, 'the same folder through a symlink attaches');
  },
);
