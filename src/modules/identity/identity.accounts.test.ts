import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { hashToken } from './identity.tokens.ts';
import { assertError, bearer, logIn, mailTo, PASSWORD, signUp, tokenOf, uniqueEmail, type AuthBody } from './identity.test-support.ts';

/** Issue 13, section 5: accounts as OWASP ASVS level 2 asks (passwords, sign-up, reset, verification, sessions by role). */

const post = (t: TestApp, url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.server.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers });
const me = (t: TestApp, token: string) => t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });

/** The emails to `to` whose subject matches, waiting a little for work done after the answer (reset requests). */
async function mailWhere(t: TestApp, to: string, subject: RegExp, count = 1): Promise<Awaited<ReturnType<typeof mailTo>>> {
  for (let i = 0; ; i++) {
    const found = (await mailTo(t, to)).filter((m) => subject.test(m.subject));
    if (found.length >= count || i >= 50) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('identity: passwords, sign-up, change, reset and verification (ASVS)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ SESSION_CACHE_SECONDS: '30' });
  });
  after(async () => {
    await t?.close();
  });
  const valid = () => ({ email: uniqueEmail(), password: PASSWORD, name: 'Ada Maker' });

  test('passwords: under 12 characters and common or guessable ones are refused with 400, the field and advice', async () => {
    for (const password of ['aaaaaaaaaa', '1234567890', 'password12']) {
      const res = await post(t, '/auth/signup', { ...valid(), password });
      assertError(res, 400, 'INVALID_FIELD', 'body.password');
      assert.match(res.json<{ error: { message: string } }>().error.message, /12/);
    }
    for (const password of ['passwordpassword', 'aaaaaaaaaaaa', '123456789012', 'password1234', 'qwertyuiop123', 'iloveyou2024']) {
      const res = await post(t, '/auth/signup', { ...valid(), password });
      assertError(res, 400, 'IDENTITY_PASSWORD_TOO_WEAK', 'body.password');
      assert.match(res.json<{ error: { message: string } }>().error.message, /too easy to guess: .+\. Try a passphrase/, password);
    }
    // The account's own email and name are the first guesses.
    const email = `glassblower.morgana.${Date.now()}@example.test`;
    assertError(
      await post(t, '/auth/signup', { email, name: 'Morgana', password: 'glassblowermorgana' }),
      400,
      'IDENTITY_PASSWORD_TOO_WEAK',
    );
    // Long random passwords (what the seed generates) and passphrases pass.
    for (const password of [
      randomBytes(12).toString('base64url'),
      randomBytes(48).toString('base64url'),
      'tangerine ladder quietly sings',
    ]) {
      assert.equal((await post(t, '/auth/signup', { ...valid(), password })).statusCode, 202, password);
    }
  });

  test('sign-up emails a verification link to a new address, and tells the owner of a taken one instead', async () => {
    const email = uniqueEmail('verify');
    const first = await post(t, '/auth/signup', { ...valid(), email });
    assert.equal(first.statusCode, 202, first.body);
    const again = await post(t, '/auth/signup', { ...valid(), email, password: 'someone else entirely' });
    const thrice = await post(t, '/auth/signup', { ...valid(), email, password: 'someone else again now' });
    assert.deepEqual([again.statusCode, again.body], [202, first.body]);
    assert.deepEqual([thrice.statusCode, thrice.body], [202, first.body]);

    const mail = await mailTo(t, email);
    assert.deepEqual(
      mail.map((m) => m.subject),
      ['Confirm your email address for Atelier', 'Someone tried to create an Atelier account with your address'],
      'one verification email, and one notice for the two later sign-ups (at most one an hour)',
    );
    assert.match(mail[0]!.link!, /^http:\/\/localhost:\d+\/verify-email#token=/);
    assert.ok(mail[1]!.text.includes('/reset-password'), 'the notice offers a password reset');
    assert.equal(mail[1]!.link, null, 'the notice carries no token');
  });

  test('verification: the emailed token verifies the address once; the account shows it, through the session cache too', async () => {
    const { body } = await signUp(t.server);
    assert.equal(body.account.emailVerified, false);
    assert.equal((await me(t, body.token)).json<AuthBody>().account.emailVerified, false); // now cached
    const [mail] = await mailWhere(t, body.account.email, /Confirm your email/);
    const token = tokenOf(mail!.link);

    assertError(
      await post(t, '/auth/verify-email', { token: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') }),
      400,
      'IDENTITY_TOKEN_INVALID',
    );
    const ok = await post(t, '/auth/verify-email', { token });
    assert.equal(ok.statusCode, 204, ok.body);
    assert.equal((await me(t, body.token)).json<AuthBody>().account.emailVerified, true);
    assertError(await post(t, '/auth/verify-email', { token }), 400, 'IDENTITY_TOKEN_INVALID', 'body.token');
  });

  test('password change: needs the current password and a strong new one; ends every other session, keeps this one', async () => {
    const { body } = await signUp(t.server);
    const email = body.account.email;
    const phone = (await logIn(t.server, email)).json<AuthBody>().token;
    for (const token of [body.token, phone]) assert.equal((await me(t, token)).statusCode, 200); // cached

    const change = (currentPassword: string, newPassword: string) =>
      post(t, '/auth/password', { currentPassword, newPassword }, bearer(body.token));
    assertError(
      await change('not my password at all', 'a brand new passphrase'),
      401,
      'IDENTITY_INVALID_CREDENTIALS',
      'body.currentPassword',
    );
    assertError(await change(PASSWORD, 'passwordpassword'), 400, 'IDENTITY_PASSWORD_TOO_WEAK', 'body.newPassword');
    assertError(await change(PASSWORD, 'short'), 400, 'INVALID_FIELD', 'body.newPassword');
    assert.equal((await me(t, phone)).statusCode, 200, 'refused changes end nothing');

    const ok = await change(PASSWORD, 'a brand new passphrase');
    assert.equal(ok.statusCode, 204, ok.body);
    assertError(await me(t, phone), 401, 'IDENTITY_UNAUTHENTICATED');
    assert.equal((await me(t, body.token)).statusCode, 200);
    assertError(await logIn(t.server, email), 401, 'IDENTITY_INVALID_CREDENTIALS');
    assert.equal((await logIn(t.server, email, 'a brand new passphrase')).statusCode, 200);
    assert.equal((await mailWhere(t, email, /password was changed/)).length, 1);
    assertError(
      await t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        payload: { currentPassword: 'x', newPassword: 'a brand new passphrase' },
      }),
      401,
      'IDENTITY_UNAUTHENTICATED',
    );
  });

  test('password reset: one answer for every email; a single-use, expiring token; the reset ends every session and verifies the address', async () => {
    const { body } = await signUp(t.server);
    const email = body.account.email;
    assert.equal((await me(t, body.token)).statusCode, 200); // cached

    const known = await post(t, '/auth/password-reset', { email: email.toUpperCase() });
    const unknown = await post(t, '/auth/password-reset', { email: uniqueEmail('nobody') });
    assert.deepEqual([known.statusCode, known.body], [202, unknown.body]);
    assert.equal(unknown.statusCode, 202);
    const [mail] = await mailWhere(t, email, /Reset your Atelier password/);
    assert.match(mail!.link!, /\/reset-password#token=/);
    const token = tokenOf(mail!.link);

    const confirm = (tok: string, newPassword: string) => post(t, '/auth/password-reset/confirm', { token: tok, newPassword });
    assertError(await confirm(token, 'passwordpassword'), 400, 'IDENTITY_PASSWORD_TOO_WEAK', 'body.newPassword');
    const ok = await confirm(token, 'reset to a fine passphrase');
    assert.equal(ok.statusCode, 204, ok.body);
    assertError(await me(t, body.token), 401, 'IDENTITY_UNAUTHENTICATED');
    assertError(await confirm(token, 'and once more again now'), 400, 'IDENTITY_TOKEN_INVALID', 'body.token');
    const login = await logIn(t.server, email, 'reset to a fine passphrase');
    assert.equal(login.statusCode, 200, login.body);
    assert.equal(login.json<AuthBody>().account.emailVerified, true, 'opening the emailed link proved the address');

    // A second request makes a new token; an expired one is refused like a used one.
    await post(t, '/auth/password-reset', { email });
    const second = (await mailWhere(t, email, /Reset your Atelier password/, 2))[1]!;
    const db = t.app.stores.shards.forId(body.account.id).db;
    await sql`update identity_tokens set expires_at = now() - interval '1 second' where token_hash = ${hashToken(tokenOf(second.link))}`.execute(
      db,
    );
    assertError(await confirm(tokenOf(second.link), 'too late for this one'), 400, 'IDENTITY_TOKEN_INVALID');
    // Only the SHA-256 of a token is stored, and a reset token lives 30 minutes (the unexpired one).
    const { rows } = await sql<{ minutes: number; raw: number }>`
      select extract(epoch from expires_at - created_at)::float8 / 60 as minutes,
             count(*) filter (where position(convert_to(${tokenOf(second.link)}, 'UTF8') in token_hash) > 0)::int as raw
      from identity_tokens where account_id = ${body.account.id} and purpose = 'reset_password' and expires_at > now()
      group by 1 order by 1`.execute(db);
    assert.ok(rows.length === 1 && rows.every((r) => Math.abs(r.minutes - 30) < 0.01 && r.raw === 0), JSON.stringify(rows));
  });
});

describe('identity: password guesses are capped per account without locking the owner out', () => {
  let t: TestApp;
  before(async () => {
    // Only the guess limits bind: the generic per-address limits are far above what the test sends.
    t = await createTestApp({
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_IP_MAX: '100000',
      RATE_LIMIT_STRICT_IP_MAX: '100000',
      LOGIN_CLIENT_MINUTE_MAX: '1000',
      LOGIN_CLIENT_HOURLY_MAX: '30',
      LOGIN_ACCOUNT_HOURLY_MAX: '100',
    });
  });
  after(async () => {
    await t?.close();
  });

  const attempt = (email: string, password: string, remoteAddress: string, headers: Record<string, string> = {}) =>
    t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress, headers });
  const tally = (answers: LightMyRequestResponse[]) => {
    const out: Record<number, number> = {};
    for (const a of answers) out[a.statusCode] = (out[a.statusCode] ?? 0) + 1;
    return out;
  };

  test('one address gets 30 guesses an hour at one account; many addresses 100 together; the owner still signs in', async () => {
    const { body } = await signUp(t.server);
    const email = body.account.email;
    // The owner's browser signed in before (signUp logged in from 127.0.0.1): it has a device cookie.
    const ownerLogin = await attempt(email, PASSWORD, '10.1.0.1');
    assert.equal(ownerLogin.statusCode, 200, ownerLogin.body);
    const device = ownerLogin.cookies.find((c) => c.name === 'atelier_device');
    assert.ok(device, 'a browser that signs in gets a device cookie');

    // One address: 30 guesses are answered, the rest refused before any password check.
    const fromOne: LightMyRequestResponse[] = [];
    for (let i = 0; i < 60; i++) fromOne.push(await attempt(email, `wrong guess number ${i}`, '10.9.9.9'));
    assert.deepEqual(tally(fromOne), { 401: 30, 429: 30 });
    assert.ok(Number(fromOne.at(-1)!.headers['retry-after']) > 60, 'the next guess from there waits for the hour');

    // The owner, from elsewhere, is not blocked by that address's flood.
    assert.equal((await attempt(email, PASSWORD, '10.1.0.2')).statusCode, 200);

    // Many addresses together: the account takes 100 tries an hour (the 30, the owner's three
    // sign-ins without a device cookie, and 67 more).
    const spread: LightMyRequestResponse[] = [];
    for (let i = 0; i < 90; i++) spread.push(await attempt(email, `spread guess ${i}`, `10.8.${i >> 4}.${i % 16}`));
    const counted = tally(spread);
    assert.equal(counted[401], 100 - 30 - 3, JSON.stringify(counted));
    assert.equal(counted[429], 90 - counted[401]!);

    // The cap is reached: a new browser is refused, but the owner's known browser still signs in.
    assertError(await attempt(email, PASSWORD, '10.1.0.3'), 429, 'RATE_LIMITED');
    const owner = await attempt(email, PASSWORD, '10.1.0.4', { cookie: `atelier_device=${device.value}` });
    assert.equal(owner.statusCode, 200, owner.body);
    // Someone else's device cookie does not exempt an attacker.
    const other = await signUp(t.server);
    const otherDevice = other.login.cookies.find((c) => c.name === 'atelier_device')!.value;
    assertError(
      await attempt(email, 'wrong with a stolen cookie', '10.7.0.1', { cookie: `atelier_device=${otherDevice}` }),
      429,
      'RATE_LIMITED',
    );
  });

  test('password-reset requests are rate-limited: 5 an hour for one email, from any address', async () => {
    const { body } = await signUp(t.server);
    const ask = (i: number) =>
      t.server.inject({
        method: 'POST',
        url: '/api/v1/auth/password-reset',
        payload: { email: body.account.email },
        remoteAddress: `10.6.0.${i}`,
      });
    const answers: LightMyRequestResponse[] = [];
    for (let i = 0; i < 7; i++) answers.push(await ask(i));
    assert.deepEqual(tally(answers), { 202: 5, 429: 2 });
    // Another email is not held up by it.
    const other = await t.server.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      payload: { email: uniqueEmail() },
      remoteAddress: '10.6.0.1',
    });
    assert.equal(other.statusCode, 202);
  });

  test('a second account is not affected by the first one being attacked', async () => {
    const { body } = await signUp(t.server);
    assert.equal((await attempt(body.account.email, PASSWORD, '10.9.9.9')).statusCode, 200);
  });
});

describe('identity: sellers and admins get short sessions, an idle limit, and re-enter the password for sensitive changes', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ SESSION_CACHE_SECONDS: '30', SESSION_IDLE_MINUTES: '10080', SESSION_ABSOLUTE_DAYS: '30' });
  });
  after(async () => {
    await t?.close();
  });

  const sessionRow = async (token: string, accountId: string) =>
    (
      await sql<{
        created_at: Date;
        expires_at: Date;
      }>`select created_at, expires_at from identity_sessions where token_hash = ${hashToken(token)}`.execute(
        t.app.stores.shards.forId(accountId).db,
      )
    ).rows[0]!;
  const hours = (r: { created_at: Date; expires_at: Date }) => (r.expires_at.getTime() - r.created_at.getTime()) / 3_600_000;
  const age = (token: string, accountId: string, column: 'last_seen_at' | 'authenticated_at', minutes: number) =>
    sql`update identity_sessions set ${sql.ref(column)} = now() - make_interval(mins => ${minutes}) where token_hash = ${hashToken(token)}`.execute(
      t.app.stores.shards.forId(accountId).db,
    );

  test('a customer stays signed in for 30 days; a seller and an admin for 12 hours, cookie included', async () => {
    const customer = await signUp(t.server);
    const seller = await signUp(t.server, { role: 'seller' });
    const adminEmail = uniqueEmail('admin');
    await t.app.identity.service.createAccount({ email: adminEmail, password: PASSWORD, name: 'Root', role: 'admin' });
    const admin = await logIn(t.server, adminEmail);
    const adminToken = admin.json<AuthBody>().token;

    assert.ok(Math.abs(hours(await sessionRow(customer.body.token, customer.body.account.id)) - 30 * 24) < 0.01);
    assert.ok(Math.abs(hours(await sessionRow(seller.body.token, seller.body.account.id)) - 12) < 0.01);
    assert.ok(Math.abs(hours(await sessionRow(adminToken, admin.json<AuthBody>().account.id)) - 12) < 0.01);
    assert.equal(customer.login.cookies.find((c) => c.name === 'atelier_session')!.maxAge, 30 * 86_400);
    assert.equal(seller.login.cookies.find((c) => c.name === 'atelier_session')!.maxAge, 12 * 3600);
  });

  test('a seller idle for 31 minutes is signed out; a customer idle as long is not', async () => {
    const customer = await signUp(t.server);
    const seller = await signUp(t.server, { role: 'seller' });
    await age(customer.body.token, customer.body.account.id, 'last_seen_at', 31);
    await age(seller.body.token, seller.body.account.id, 'last_seen_at', 31);
    assert.equal((await me(t, customer.body.token)).statusCode, 200);
    assertError(await me(t, seller.body.token), 401, 'IDENTITY_UNAUTHENTICATED');
  });

  test('the absolute expiry holds through the session cache', async () => {
    const seller = await signUp(t.server, { role: 'seller' });
    const db = t.app.stores.shards.forId(seller.body.account.id).db;
    await sql`update identity_sessions set expires_at = now() + interval '1500 milliseconds' where token_hash = ${hashToken(seller.body.token)}`.execute(
      db,
    );
    assert.equal((await me(t, seller.body.token)).statusCode, 200); // cached for 30 s from here
    await new Promise((r) => setTimeout(r, 2000));
    assertError(await me(t, seller.body.token), 401, 'IDENTITY_UNAUTHENTICATED');
  });

  test('registering a webhook needs a password entered in the last 10 minutes; re-authenticating gives it', async () => {
    const seller = await signUp(t.server, { role: 'seller' });
    const register = (token: string) =>
      post(t, '/seller/webhooks', { url: 'https://hooks.example.test/atelier', eventTypes: ['order.paid'] }, bearer(token));
    assert.notEqual((await register(seller.body.token)).statusCode, 403, 'just signed in: recent enough');

    // A session whose password entry is 11 minutes old (aged before its first, cached, lookup).
    const older = (await logIn(t.server, seller.body.account.email)).json<AuthBody>().token;
    await age(older, seller.body.account.id, 'authenticated_at', 11);
    assertError(await register(older), 403, 'IDENTITY_REAUTHENTICATION_REQUIRED');
    assertError(
      await post(t, '/auth/reauthenticate', { password: 'not the password at all' }, bearer(older)),
      401,
      'IDENTITY_INVALID_CREDENTIALS',
      'body.password',
    );
    assertError(await register(older), 403, 'IDENTITY_REAUTHENTICATION_REQUIRED');
    const ok = await post(t, '/auth/reauthenticate', { password: PASSWORD }, bearer(older));
    assert.equal(ok.statusCode, 204, ok.body);
    // At once, though the lookup was cached: re-authentication drops the cached entry.
    assert.notEqual((await register(older)).statusCode, 403);

    // Customers are not asked again.
    const customer = await signUp(t.server);
    await age(customer.body.token, customer.body.account.id, 'authenticated_at', 600);
    assert.equal((await post(t, '/auth/reauthenticate', { password: PASSWORD }, bearer(customer.body.token))).statusCode, 204);
  });
});
