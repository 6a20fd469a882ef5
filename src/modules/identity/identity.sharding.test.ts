import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { shardOfId } from '../../shared/ids.ts';
import { hashToken } from './identity.tokens.ts';
import { bearer, signUp, type AuthBody } from './identity.test-support.ts';

describe('identity: accounts and sessions are placed on the customer shards', () => {
  let t: TestApp;
  const customers: AuthBody[] = [];

  before(async () => {
    t = await createTestApp();
    for (let i = 0; i < 20; i++) {
      const { res, body } = await signUp(t.server);
      assert.equal(res.statusCode, 202, res.body);
      customers.push(body);
    }
  });
  after(async () => {
    await t?.close();
  });

  const hasAccount = async (db: TestApp['app']['stores']['catalog']['db'], id: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from identity_accounts where id = ${id}`.execute(db)).rows[0]!.n === 1;

  test('customers land on both physical shard databases', async () => {
    const [a, b] = t.app.stores.shards.databases;
    assert.ok(a && b, 'the test app has two shard databases');
    const counts = [];
    for (const shard of [a, b]) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from identity_accounts`.execute(shard.db);
      counts.push(rows[0]!.n);
    }
    assert.equal(counts[0]! + counts[1]!, 20);
    // 20 ids hashed over 16 logical shards split 8/8: both databases holding some is near certain
    // (all on one side has probability 2 * 2^-20).
    assert.ok(counts[0]! > 0 && counts[1]! > 0, `both shards hold accounts: ${counts.join('/')}`);
  });

  test('each account exists only in the database its id routes to', async () => {
    for (const { account } of customers) {
      const home = t.app.stores.shards.forId(account.id);
      for (const shard of t.app.stores.shards.databases) {
        assert.equal(await hasAccount(shard.db, account.id), shard.name === home.name, `${account.id} on ${shard.name}`);
      }
    }
  });

  test('the email index in the catalog store names every account', async () => {
    const { rows } = await sql<{ email: string; account_id: string }>`select email, account_id from identity_email_index`.execute(
      t.app.stores.catalog.db,
    );
    const byEmail = new Map(rows.map((r) => [r.email, r.account_id]));
    for (const { account } of customers) assert.equal(byEmail.get(account.email), account.id);
  });

  test("a session token's prefix names the account's logical shard, and its row lives only there", async () => {
    for (const { account, token } of customers) {
      const prefix = token.split('.')[0]!;
      assert.equal(parseInt(prefix, 36), shardOfId(account.id));
      const home = t.app.stores.shards.forShard(parseInt(prefix, 36));
      assert.equal(home, t.app.stores.shards.forId(account.id));
      for (const shard of t.app.stores.shards.databases) {
        const { rows } = await sql<{ id: string; account_id: string }>`
          select id, account_id from identity_sessions where token_hash = ${hashToken(token)}`.execute(shard.db);
        assert.equal(rows.length, shard.name === home.name ? 1 : 0, `session of ${account.id} on ${shard.name}`);
        if (rows[0]) {
          assert.equal(rows[0].account_id, account.id);
          // The session id carries the same shard, so it routes without a lookup too.
          assert.equal(shardOfId(rows[0].id), shardOfId(account.id));
        }
      }
    }
  });

  test('only the SHA-256 of a token is stored, never the token', async () => {
    const { account, token } = customers[0]!;
    const secret = token.split('.')[1]!;
    const home = t.app.stores.shards.forId(account.id);
    const { rows } = await sql<{ token_hash: Buffer; whole_row: string }>`
      select token_hash, s::text as whole_row from identity_sessions s where account_id = ${account.id}`.execute(home.db);
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]!.token_hash, hashToken(token));
    assert.ok(!rows[0]!.whole_row.includes(secret));
  });

  test('resolving a session runs one query, on the shard its token names only', async () => {
    // Count the statements each pool (catalog and shards) runs while one authenticated request is
    // served; a failure names them. Not the request's, and so not counted: the node's shard-map
    // heartbeat (an upsert into platform_shard_nodes on the catalog), which runs on its own timer
    // and now and then fell inside the request's window (CI failed once on it).
    const seen = new Map<string, number>();
    const texts: string[] = [];
    const restore: Array<() => void> = [];
    const patched = new WeakSet<object>();
    for (const handle of t.app.stores.all()) {
      const pool = handle.pool as unknown as { connect: (...a: unknown[]) => Promise<{ query: (...a: unknown[]) => unknown }> };
      const original = pool.connect;
      pool.connect = async function (this: unknown, ...args: unknown[]) {
        const client = await original.apply(this, args);
        if (!patched.has(client)) {
          patched.add(client);
          const query = client.query;
          client.query = function (this: unknown, ...qargs: unknown[]) {
            const text = String(typeof qargs[0] === 'string' ? qargs[0] : (qargs[0] as { text?: string } | undefined)?.text);
            if (text.includes('platform_shard_nodes')) return query.apply(this, qargs);
            seen.set(handle.name, (seen.get(handle.name) ?? 0) + 1);
            texts.push(`${handle.name}: ${text}`);
            return query.apply(this, qargs);
          };
        }
        return client;
      };
      restore.push(() => (pool.connect = original));
    }
    try {
      for (const { account, token } of customers.slice(0, 6)) {
        seen.clear();
        texts.length = 0;
        const res = await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json<AuthBody>().account.id, account.id);
        const home = t.app.stores.shards.forId(account.id).name;
        assert.deepEqual([...seen.entries()], [[home, 1]], `one query, on ${home} only (no catalog, no other shard): ${texts.join(' | ')}`);
      }
    } finally {
      for (const r of restore) r();
    }
  });
});
