import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hash } from '@node-rs/argon2';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { shardOfId } from '../../shared/ids.ts';
import { hashToken } from './identity.tokens.ts';
import {
  assertError,
  bearer,
  cookie,
  logIn,
  PASSWORD,
  sessionCookie,
  signUp,
  uniqueEmail,
  type AuthBody,
} from './identity.test-support.ts';

type SessionsBody = { sessions: Array<{ id: string; createdAt: string; lastSeenAt: string; expiresAt: string; current: boolean }> };

describe('identity: sign-up, log-in, sessions and roles over HTTP', () => {
  let t: TestApp;
  before(async () => {
    // The database's own session rules (idle and absolute expiry, last-seen writes), so no session
    // cache in front of them: identity.session-cache.test.ts tests that.
    t = await createTestApp({ SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_DAYS: '7', SESSION_CACHE_SECONDS: '0' });
  });
  after(async () => {
    await t?.close();
  });

  /** Signs up customers until one's id satisfies `wanted` (16 logical shards: a few tries). */
  const strangerWhere = async (wanted: (id: string) => boolean): Promise<AuthBody> => {
    for (let i = 0; i < 300; i++) {
      const { body } = await signUp(t.server);
      if (wanted(body.account.id)) return body;
    }
    throw new Error('no account landed where wanted');
  };
  const me = (headers: Record<string, string>) => t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
  const logOut = (headers: Record<string, string>) => t.server.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });
  const sessionRow = async (token: string, accountId: string) => {
    const { rows } = await sql<{ id: string; last_seen_at: Date; expires_at: Date; created_at: Date; revoked_at: Date | null }>`
      select id, created_at, last_seen_at, expires_at, revoked_at from identity_sessions where token_hash = ${hashToken(token)}`.execute(
      t.app.stores.shards.forId(accountId).db,
    );
    return rows[0]!;
  };

  test('sign-up answers 202 without a session; log-in answers the account and a token, sets a hardened cookie, and the cookie authenticates', async () => {
    const email = uniqueEmail('Mixed.Case');
    const { res, body, cookie: value, login } = await signUp(t.server, { email: `  ${email.toUpperCase()}`.trim(), name: '  Grace  ' });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.cookies.length, 0, 'sign-up never signs in');
    assert.ok(!res.body.includes('token'));
    assert.equal(body.account.email, email.toLowerCase());
    assert.equal(body.account.name, 'Grace');
    assert.equal(body.account.role, 'customer');
    assert.equal(body.account.emailVerified, false);
    assert.deepEqual(Object.keys(body.account).sort(), ['email', 'emailVerified', 'id', 'name', 'role']);
    assert.match(body.token, /^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    assert.equal(value, body.token);
    const c = login.cookies.find((x) => x.name === 'atelier_session')!;
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Lax');
    assert.equal(c.path, '/');
    // The test app runs with COOKIE_SECURE=false; the setting decides the flag.
    assert.ok(!c.secure);
    assert.equal(c.maxAge, 7 * 86_400);

    const viaCookie = await me(cookie(body.token));
    assert.equal(viaCookie.statusCode, 200, viaCookie.body);
    assert.deepEqual(viaCookie.json<AuthBody>().account, body.account);
  });

  test('a Secure session cookie is named __Host-atelier_session, with Path=/ and no Domain; only that name is read', async () => {
    const secure = await createTestApp({ COOKIE_SECURE: 'true' });
    try {
      const { login, body } = await signUp(secure.server);
      const c = login.cookies.find((x) => x.name === '__Host-atelier_session');
      assert.ok(c, `cookies set: ${login.cookies.map((x) => x.name).join(', ')}`);
      assert.equal(c.secure, true);
      assert.equal(c.path, '/');
      assert.equal(c.domain, undefined);
      assert.ok(!login.cookies.some((x) => x.name === 'atelier_session'), 'no unprefixed session cookie');
      const meWith = (header: string) => secure.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: header } });
      assert.equal((await meWith(`__Host-atelier_session=${body.token}`)).statusCode, 200);
      // A cookie without the prefix could have been planted by a sibling subdomain: not a session.
      assertError(await meWith(`atelier_session=${body.token}`), 401, 'IDENTITY_UNAUTHENTICATED');
      // Bearer tokens still work.
      assert.equal((await secure.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(body.token) })).statusCode, 200);
    } finally {
      await secure.close();
    }
  });

  test('log-in by email (any case) with the bearer token, me, and log-out', async () => {
    const email = uniqueEmail();
    const { body: signed } = await signUp(t.server, { email, role: 'seller' });
    assert.equal(signed.account.role, 'seller');

    const res = await logIn(t.server, email.toUpperCase());
    assert.equal(res.statusCode, 200, res.body);
    const { account, token } = res.json<AuthBody>();
    assert.deepEqual(account, signed.account);
    assert.equal(sessionCookie(res), token);

    const who = await me(bearer(token));
    assert.equal(who.statusCode, 200);
    assert.equal(who.json<AuthBody>().account.id, account.id);

    const out = await logOut(bearer(token));
    assert.equal(out.statusCode, 204);
    const cleared = out.cookies.find((c) => c.name === 'atelier_session')!;
    assert.equal(cleared.value, '');
    assert.ok(cleared.expires && cleared.expires.getTime() <= Date.now(), 'the cookie is expired');
    assert.ok((await sessionRow(token, account.id)).revoked_at, 'revoked in the database');
    assertError(await me(bearer(token)), 401, 'IDENTITY_UNAUTHENTICATED');
    // Log-out is idempotent: no session, still 204.
    assert.equal((await logOut({})).statusCode, 204);
  });

  test('wrong password and unknown email are the same 401', async () => {
    const email = uniqueEmail();
    await signUp(t.server, { email });
    assertError(await logIn(t.server, email, 'not the password at all'), 401, 'IDENTITY_INVALID_CREDENTIALS');
    const unknown = await logIn(t.server, uniqueEmail('nobody'));
    assertError(unknown, 401, 'IDENTITY_INVALID_CREDENTIALS');
    assertError(await logIn(t.server, 'not-an-email', PASSWORD), 401, 'IDENTITY_INVALID_CREDENTIALS');
    assert.equal(unknown.cookies.length, 0);
  });

  test('an unknown email costs a password verification too, so timing does not reveal which emails exist', async () => {
    const email = uniqueEmail();
    await signUp(t.server, { email });
    // Interleaved, and the fastest of several tries: noise from a busy machine only ever adds time,
    // so the minimum is the honest cost of each path.
    let known = Infinity;
    let unknown = Infinity;
    for (let i = 0; i < 7; i++) {
      let start = performance.now();
      await logIn(t.server, email, 'wrong password here');
      known = Math.min(known, performance.now() - start);
      start = performance.now();
      await logIn(t.server, uniqueEmail('nobody'), 'wrong password here');
      unknown = Math.min(unknown, performance.now() - start);
    }
    // Without the dummy hash an unknown email answers after one index lookup, an order of
    // magnitude faster than an argon2id verification; with it the two are alike.
    assert.ok(unknown > known * 0.4, `unknown ${unknown.toFixed(1)} ms vs known ${known.toFixed(1)} ms`);
  });

  test('a log-in upgrades a password hash made with weaker parameters', async () => {
    const email = uniqueEmail();
    const { body } = await signUp(t.server, { email });
    const db = t.app.stores.shards.forId(body.account.id).db;
    const weak = await hash(PASSWORD, { memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await sql`update identity_accounts set password_hash = ${weak} where id = ${body.account.id}`.execute(db);
    assert.equal((await logIn(t.server, email)).statusCode, 200);
    const { rows } = await sql<{
      password_hash: string;
    }>`select password_hash from identity_accounts where id = ${body.account.id}`.execute(db);
    assert.match(rows[0]!.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal((await logIn(t.server, email)).statusCode, 200);
  });

  test('every log-in rotates: two log-ins give two tokens, both valid; log-out kills only the presented one', async () => {
    const email = uniqueEmail();
    const { body: signed } = await signUp(t.server, { email });
    const a = (await logIn(t.server, email)).json<AuthBody>();
    const b = (await logIn(t.server, email)).json<AuthBody>();
    assert.notEqual(a.token, b.token);
    assert.notEqual(a.token, signed.token);
    for (const token of [signed.token, a.token, b.token]) assert.equal((await me(bearer(token))).statusCode, 200);

    assert.equal((await logOut(cookie(a.token))).statusCode, 204);
    assertError(await me(cookie(a.token)), 401, 'IDENTITY_UNAUTHENTICATED');
    assert.equal((await me(bearer(b.token))).statusCode, 200);
    assert.equal((await me(bearer(signed.token))).statusCode, 200);
  });

  test('sessions list shows the live sessions of the caller only, marks the current one, and never the token', async () => {
    const email = uniqueEmail();
    const { body: first } = await signUp(t.server, { email });
    const second = (await logIn(t.server, email)).json<AuthBody>();
    const third = (await logIn(t.server, email)).json<AuthBody>();
    await logOut(bearer(third.token));
    const { body: other } = await signUp(t.server);

    const res = await t.server.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: bearer(second.token) });
    assert.equal(res.statusCode, 200, res.body);
    const { sessions } = res.json<SessionsBody>();
    const ids = sessions.map((s) => s.id).sort();
    const expected = [(await sessionRow(first.token, first.account.id)).id, (await sessionRow(second.token, first.account.id)).id].sort();
    assert.deepEqual(ids, expected);
    assert.deepEqual(
      sessions.filter((s) => s.current).map((s) => s.id),
      [(await sessionRow(second.token, first.account.id)).id],
    );
    for (const s of sessions) assert.deepEqual(Object.keys(s).sort(), ['createdAt', 'current', 'expiresAt', 'id', 'lastSeenAt']);
    assert.ok(!res.body.includes(second.token.split('.')[1]!));
    assert.ok(!res.body.includes((await sessionRow(other.token, other.account.id)).id));
    assertError(await t.server.inject({ method: 'GET', url: '/api/v1/auth/sessions' }), 401, 'IDENTITY_UNAUTHENTICATED');
  });

  test('a customer revokes one of their own sessions, but another customer gets 404 and nothing changes', async () => {
    const email = uniqueEmail();
    const { body: mine } = await signUp(t.server, { email });
    const phone = (await logIn(t.server, email)).json<AuthBody>();
    const phoneSession = await sessionRow(phone.token, mine.account.id);
    // Strangers on the same logical shard (only the ownership check stands between them and the
    // row) and on another one (the session is not even in their database).
    const sameShard = await strangerWhere((id) => shardOfId(id) === shardOfId(mine.account.id));
    const otherShard = await strangerWhere((id) => shardOfId(id) !== shardOfId(mine.account.id));
    for (const stranger of [sameShard, otherShard]) {
      const res = await t.server.inject({
        method: 'DELETE',
        url: `/api/v1/auth/sessions/${phoneSession.id}`,
        headers: bearer(stranger.token),
      });
      assertError(res, 404, 'IDENTITY_SESSION_NOT_FOUND');
      assert.equal((await sessionRow(phone.token, mine.account.id)).revoked_at, null);
    }
    assert.equal((await me(bearer(phone.token))).statusCode, 200);

    const anonymous = await t.server.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phoneSession.id}` });
    assertError(anonymous, 401, 'IDENTITY_UNAUTHENTICATED');
    assert.equal((await sessionRow(phone.token, mine.account.id)).revoked_at, null);

    const own = await t.server.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phoneSession.id}`, headers: bearer(mine.token) });
    assert.equal(own.statusCode, 204, own.body);
    assertError(await me(bearer(phone.token)), 401, 'IDENTITY_UNAUTHENTICATED');
    assert.equal((await me(bearer(mine.token))).statusCode, 200);
    // Already revoked: nothing left to revoke.
    assertError(
      await t.server.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phoneSession.id}`, headers: bearer(mine.token) }),
      404,
      'IDENTITY_SESSION_NOT_FOUND',
    );
    assertError(
      await t.server.inject({ method: 'DELETE', url: '/api/v1/auth/sessions/not-a-uuid', headers: bearer(mine.token) }),
      400,
      'INVALID_FIELD',
      'params.id',
    );
  });

  test('idle sessions are refused; a recently used one is not rewritten on every request', async () => {
    const { body } = await signUp(t.server);
    const db = t.app.stores.shards.forId(body.account.id).db;
    const hash = hashToken(body.token);

    // Used 10 seconds ago: served, and last_seen_at is left alone (no write per request).
    await sql`update identity_sessions set last_seen_at = now() - interval '10 seconds' where token_hash = ${hash}`.execute(db);
    const before10s = (await sessionRow(body.token, body.account.id)).last_seen_at;
    assert.equal((await me(bearer(body.token))).statusCode, 200);
    assert.deepEqual((await sessionRow(body.token, body.account.id)).last_seen_at, before10s);

    // Used 20 minutes ago (idle limit 30): served, and last_seen_at moves to now.
    await sql`update identity_sessions set last_seen_at = now() - interval '20 minutes' where token_hash = ${hash}`.execute(db);
    assert.equal((await me(bearer(body.token))).statusCode, 200);
    const touched = (await sessionRow(body.token, body.account.id)).last_seen_at;
    assert.ok(Date.now() - touched.getTime() < 60_000, 'last_seen_at refreshed');

    // Idle 31 minutes: refused, and it no longer appears among the sessions.
    await sql`update identity_sessions set last_seen_at = now() - interval '31 minutes' where token_hash = ${hash}`.execute(db);
    assertError(await me(bearer(body.token)), 401, 'IDENTITY_UNAUTHENTICATED');
    assertError(await me(cookie(body.token)), 401, 'IDENTITY_UNAUTHENTICATED');
  });

  test('sessions past their absolute expiry are refused even when active', async () => {
    const { body } = await signUp(t.server);
    const db = t.app.stores.shards.forId(body.account.id).db;
    const row = await sessionRow(body.token, body.account.id);
    const days = (row.expires_at.getTime() - row.created_at.getTime()) / 86_400_000;
    assert.ok(Math.abs(days - 7) < 0.001, `absolute expiry is SESSION_ABSOLUTE_DAYS after creation (${days})`);

    await sql`update identity_sessions set created_at = now() - interval '7 days', expires_at = now() - interval '1 second', last_seen_at = now()
              where token_hash = ${hashToken(body.token)}`.execute(db);
    assertError(await me(bearer(body.token)), 401, 'IDENTITY_UNAUTHENTICATED');
  });

  test('malformed, foreign and forged tokens are simply unauthenticated', async () => {
    const { body } = await signUp(t.server);
    const [prefix, secret] = body.token.split('.') as [string, string];
    const otherShard = ((parseInt(prefix, 36) + 1) % 16).toString(36);
    const flipped = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    for (const token of [
      '',
      'garbage',
      `${prefix}.`,
      `${prefix}.${secret}x`,
      `zz.${secret}`, // shard 1295 does not exist with 16 logical shards
      `${otherShard}.${secret}`,
      `${prefix}.${flipped}`,
      `${prefix}.${secret}`.replace('.', '..'),
      "'; drop table identity_sessions; --",
      'x'.repeat(5000),
    ]) {
      assertError(await me(bearer(token)), 401, 'IDENTITY_UNAUTHENTICATED');
      assertError(await me(cookie(encodeURIComponent(token))), 401, 'IDENTITY_UNAUTHENTICATED');
    }
    assertError(await me({ authorization: 'Basic dXNlcjpwYXNz' }), 401, 'IDENTITY_UNAUTHENTICATED');
    assertError(await me({}), 401, 'IDENTITY_UNAUTHENTICATED');
    assert.equal((await me(bearer(body.token))).statusCode, 200);
  });

  test('admin-only route: 401 anonymous, 403 customer and seller, 200 admin (made by the service)', async () => {
    const { body: customer } = await signUp(t.server);
    const { body: seller } = await signUp(t.server, { role: 'seller' });
    const adminEmail = uniqueEmail('admin');
    const admin = await t.app.identity.service.createAccount({ email: adminEmail, password: PASSWORD, name: 'Root', role: 'admin' });
    assert.equal(admin.role, 'admin');
    const adminToken = (await logIn(t.server, adminEmail)).json<AuthBody>().token;

    const url = `/api/v1/admin/accounts/${customer.account.id}`;
    assertError(await t.server.inject({ method: 'GET', url }), 401, 'IDENTITY_UNAUTHENTICATED');
    assertError(await t.server.inject({ method: 'GET', url, headers: bearer(customer.token) }), 403, 'IDENTITY_FORBIDDEN');
    assertError(await t.server.inject({ method: 'GET', url, headers: cookie(seller.token) }), 403, 'IDENTITY_FORBIDDEN');

    const ok = await t.server.inject({ method: 'GET', url, headers: bearer(adminToken) });
    assert.equal(ok.statusCode, 200, ok.body);
    const { createdAt, ...account } = ok.json<{ account: AuthBody['account'] & { createdAt: string } }>().account;
    assert.deepEqual(account, customer.account);
    assert.ok(Math.abs(Date.parse(createdAt) - Date.now()) < 600_000, `the console sees when the account was made: ${createdAt}`);
    assert.ok(!ok.body.includes('argon2'), 'no password hash leaves the server');

    const missing = `/api/v1/admin/accounts/${customer.account.id.slice(0, -4)}ffff`;
    assertError(await t.server.inject({ method: 'GET', url: missing, headers: bearer(adminToken) }), 404, 'IDENTITY_ACCOUNT_NOT_FOUND');
    // A valid UUID whose shard bits name no logical shard is "not found", not a crash.
    const offMap = '01890a5d-ac96-7fff-8000-000000000000';
    assertError(
      await t.server.inject({ method: 'GET', url: `/api/v1/admin/accounts/${offMap}`, headers: bearer(adminToken) }),
      404,
      'IDENTITY_ACCOUNT_NOT_FOUND',
    );
  });

  test('the service: getAccount, and sign-up never makes an admin', async () => {
    const svc = t.app.identity.service;
    const outcome = await svc.signUp({ email: uniqueEmail(), password: PASSWORD, name: 'Eve', role: 'admin' as 'seller' });
    assert.ok('created' in outcome);
    const sneaky = outcome.created;
    assert.equal(sneaky.role, 'customer');
    assert.deepEqual(await svc.getAccount(sneaky.id), sneaky);
    assert.equal(await svc.getAccount('nope'), null);
  });

  test('the routes are in the OpenAPI document under the identity tag', async () => {
    type Doc = { paths: Record<string, Record<string, { tags?: string[] }>> };
    const doc = (await t.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<Doc>();
    for (const [path, method] of [
      ['/api/v1/auth/signup', 'post'],
      ['/api/v1/auth/login', 'post'],
      ['/api/v1/auth/logout', 'post'],
      ['/api/v1/auth/me', 'get'],
      ['/api/v1/auth/sessions', 'get'],
      ['/api/v1/auth/sessions/{id}', 'delete'],
      ['/api/v1/admin/accounts/{id}', 'get'],
    ] as const) {
      assert.deepEqual(doc.paths[path]?.[method]?.tags, ['identity'], `${method} ${path}`);
    }
  });
});
