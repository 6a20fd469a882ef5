import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { assertError, bearer, logIn, signUp } from './identity.test-support.ts';

/**
 * The session cache in front of the shard query (identity.session-cache.ts), on the in-process
 * tier; test/redis-tier.test.ts covers the same across two nodes sharing Redis.
 */
describe('identity: cached session lookups', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ SESSION_CACHE_SECONDS: '30' });
  });
  after(async () => {
    await t?.close();
  });

  const me = (token: string) => t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });
  const renameInSql = (accountId: string, name: string) =>
    sql`update identity_accounts set name = ${name} where id = ${accountId}`.execute(t.app.stores.shards.forId(accountId).db);

  test('a resolved session is served from the cache, not the shard', async () => {
    const { body } = await signUp(t.server, { name: 'Before' });
    assert.equal((await me(body.token)).json<{ account: { name: string } }>().account.name, 'Before');
    // Behind the cache's back: the cached lookup still carries the old name, so no query ran.
    await renameInSql(body.account.id, 'Changed in SQL');
    assert.equal((await me(body.token)).json<{ account: { name: string } }>().account.name, 'Before');
  });

  test('log-out ends the session at once, though its lookup was cached', async () => {
    const { body } = await signUp(t.server);
    assert.equal((await me(body.token)).statusCode, 200);
    const out = await t.server.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(body.token) });
    assert.equal(out.statusCode, 204, out.body);
    assertError(await me(body.token), 401, 'IDENTITY_UNAUTHENTICATED');
  });

  test('revoking another of your sessions ends it at once; the others stay cached and valid', async () => {
    const { body } = await signUp(t.server);
    const second = (await logIn(t.server, body.account.email)).json<{ token: string }>().token;
    assert.equal((await me(body.token)).statusCode, 200);
    assert.equal((await me(second)).statusCode, 200);
    const listed = await t.server.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: bearer(body.token) });
    const other = listed.json<{ sessions: Array<{ id: string; current: boolean }> }>().sessions.find((s) => !s.current)!;
    const revoke = await t.server.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${other.id}`, headers: bearer(body.token) });
    assert.equal(revoke.statusCode, 204, revoke.body);
    assertError(await me(second), 401, 'IDENTITY_UNAUTHENTICATED');
    assert.equal((await me(body.token)).statusCode, 200);
  });

  test('SESSION_CACHE_SECONDS=0 turns the cache off: every lookup reads the shard', async () => {
    const uncached = await createTestApp({ SESSION_CACHE_SECONDS: '0' });
    try {
      const { body } = await signUp(uncached.server, { name: 'Before' });
      await sql`update identity_accounts set name = 'After' where id = ${body.account.id}`.execute(
        uncached.app.stores.shards.forId(body.account.id).db,
      );
      const res = await uncached.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(body.token) });
      assert.equal(res.json<{ account: { name: string } }>().account.name, 'After');
    } finally {
      await uncached.close();
    }
  });
});
