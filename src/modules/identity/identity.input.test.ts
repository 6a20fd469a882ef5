import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { isDomainError } from '../../shared/errors.ts';
import { newCustomerId } from '../../shared/ids.ts';
import { assertError, countRows, logIn, PASSWORD, signUp, uniqueEmail, type AuthBody } from './identity.test-support.ts';

describe('identity: bad input is refused and writes nothing; the email index stays consistent', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t?.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.server.inject({ method: 'POST', url: `/api/v1${url}`, payload: payload as Record<string, unknown>, headers });
  const valid = () => ({ email: uniqueEmail(), password: PASSWORD, name: 'Ada Maker' });
  const indexRow = async (email: string) =>
    (await sql<{ account_id: string }>`select account_id from identity_email_index where email = ${email}`.execute(t.app.stores.catalog.db))
      .rows[0];

  /** Runs a request that must be refused, and checks that no identity table changed. */
  async function refused(send: () => ReturnType<typeof post>, status: number, code: string, field?: string): Promise<void> {
    const before = await countRows(t);
    assertError(await send(), status, code, field);
    assert.deepEqual(await countRows(t), before, `nothing written by a refused request (${code})`);
  }

  test('sign-up: unknown, missing and wrongly typed fields', async () => {
    await refused(() => post('/auth/signup', { ...valid(), nickname: 'x' }), 400, 'UNKNOWN_FIELD', 'body.nickname');
    await refused(() => post('/auth/signup', { ...valid(), name: undefined }), 400, 'MISSING_FIELD', 'body.name');
    await refused(() => post('/auth/signup', { ...valid(), password: 12345678901 }), 400, 'INVALID_FIELD', 'body.password');
    await refused(() => post('/auth/signup', { ...valid(), email: ['a@b.example'] }), 400, 'INVALID_FIELD', 'body.email');
    await refused(() => post('/auth/signup', [valid()]), 400, 'INVALID_FIELD', 'body');
  });

  test('sign-up: password length, email format, name bounds', async () => {
    await refused(() => post('/auth/signup', { ...valid(), password: 'x'.repeat(11) }), 400, 'INVALID_FIELD', 'body.password');
    await refused(() => post('/auth/signup', { ...valid(), password: 'x'.repeat(201) }), 400, 'INVALID_FIELD', 'body.password');
    for (const email of ['not-an-email', 'a@', '@b.example', 'a b@c.example', `${'a'.repeat(250)}@b.example`]) {
      await refused(() => post('/auth/signup', { ...valid(), email }), 400, 'INVALID_FIELD', 'body.email');
    }
    await refused(() => post('/auth/signup', { ...valid(), name: '' }), 400, 'INVALID_FIELD', 'body.name');
    await refused(() => post('/auth/signup', { ...valid(), name: 'n'.repeat(101) }), 400, 'INVALID_FIELD', 'body.name');
    // Blank after trimming: the service catches what the schema's length check cannot.
    await refused(() => post('/auth/signup', { ...valid(), name: '   ' }), 400, 'IDENTITY_INVALID_NAME', 'body.name');
    // The boundaries themselves are accepted (12 characters, 200 characters, a 100-character name).
    const ok = await post('/auth/signup', { ...valid(), password: 'Vk4-mRq8-Zt2', name: 'n'.repeat(100) });
    assert.equal(ok.statusCode, 202, ok.body);
    const long = await post('/auth/signup', { ...valid(), password: randomBytes(150).toString('base64url') });
    assert.equal(long.statusCode, 202, long.body);
  });

  test('sign-up as admin is impossible over HTTP', async () => {
    await refused(() => post('/auth/signup', { ...valid(), role: 'admin' }), 400, 'INVALID_FIELD', 'body.role');
  });

  test('oversized and malformed bodies', async () => {
    await refused(() => post('/auth/signup', { ...valid(), name: 'n'.repeat(5000) }), 413, 'PAYLOAD_TOO_LARGE');
    await refused(() => post('/auth/login', { email: 'a@b.example', password: 'p'.repeat(5000) }), 413, 'PAYLOAD_TOO_LARGE');
    await refused(
      () =>
        t.server.inject({
          method: 'POST',
          url: '/api/v1/auth/signup',
          payload: '{"email":',
          headers: { 'content-type': 'application/json' },
        }),
      400,
      'MALFORMED_JSON',
    );
  });

  test('log-in: unknown and wrongly typed fields', async () => {
    const { body } = await signUp(t.server);
    await refused(
      () => post('/auth/login', { email: body.account.email, password: PASSWORD, remember: true }),
      400,
      'UNKNOWN_FIELD',
      'body.remember',
    );
    await refused(() => post('/auth/login', { email: body.account.email, password: 1234567890 }), 400, 'INVALID_FIELD', 'body.password');
    await refused(() => post('/auth/login', { email: body.account.email }), 400, 'MISSING_FIELD', 'body.password');
    await refused(
      () => post('/auth/login', { email: body.account.email, password: 'wrong password!' }),
      401,
      'IDENTITY_INVALID_CREDENTIALS',
    );
  });

  /** A sign-up that must answer exactly as a new one does (202, same body, no cookie) and write no account. */
  async function sameAsNew(send: () => ReturnType<typeof post>): Promise<void> {
    const fresh = await post('/auth/signup', valid());
    const before = await countRows(t);
    const res = await send();
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json(), fresh.json());
    assert.equal(res.cookies.length, 0);
    assert.deepEqual(await countRows(t), before, 'no account written');
  }

  test('a taken email (in any case) answers as a new sign-up, writes nothing, and leaves the password alone', async () => {
    const email = uniqueEmail();
    assert.equal((await post('/auth/signup', { ...valid(), email })).statusCode, 202);
    await sameAsNew(() => post('/auth/signup', { ...valid(), email: email.toUpperCase(), password: 'another long passphrase' }));
    // An old index row whose account exists is not an orphan.
    await sql`update identity_email_index set created_at = now() - interval '1 day' where email = ${email}`.execute(
      t.app.stores.catalog.db,
    );
    await sameAsNew(() => post('/auth/signup', { ...valid(), email, password: 'another long passphrase' }));
    assert.equal((await logIn(t.server, email)).statusCode, 200, 'the first password still signs in');
    assertError(await logIn(t.server, email, 'another long passphrase'), 401, 'IDENTITY_INVALID_CREDENTIALS');
  });

  test('concurrent sign-ups with one email: exactly one account, every answer alike', async () => {
    const email = uniqueEmail('race');
    const before = await countRows(t);
    const results = await Promise.all(Array.from({ length: 6 }, () => post('/auth/signup', { ...valid(), email })));
    assert.deepEqual(
      results.map((r) => r.statusCode),
      [202, 202, 202, 202, 202, 202],
    );
    assert.equal(new Set(results.map((r) => r.body)).size, 1);
    const after = await countRows(t);
    assert.deepEqual(after, { index: before.index + 1, accounts: before.accounts + 1, sessions: before.sessions });
    const login = await logIn(t.server, email);
    assert.equal(login.statusCode, 200, login.body);
    assert.equal((await indexRow(email))?.account_id, login.json<AuthBody>().account.id);
  });

  test('the service checks input too (for seeders and tools), with domain codes', async () => {
    const svc = t.app.identity.service;
    const before = await countRows(t);
    const cases: Array<[Parameters<typeof svc.createAccount>[0], string]> = [
      [{ ...valid(), role: 'admin', password: 'short' }, 'IDENTITY_PASSWORD_LENGTH'],
      [{ ...valid(), role: 'admin', password: 'p'.repeat(201) }, 'IDENTITY_PASSWORD_LENGTH'],
      [{ ...valid(), role: 'admin', password: 'passwordpassword' }, 'IDENTITY_PASSWORD_TOO_WEAK'],
      [{ ...valid(), role: 'admin', email: 'nobody' }, 'IDENTITY_INVALID_EMAIL'],
      [{ ...valid(), role: 'seller', name: ' ' }, 'IDENTITY_INVALID_NAME'],
    ];
    for (const [input, code] of cases) {
      await assert.rejects(svc.createAccount(input), (err) => isDomainError(err) && err.code === code && err.kind === 'invalid');
    }
    assert.deepEqual(await countRows(t), before);
  });

  test('an orphaned email-index row (a crash between the two writes) is taken over on re-sign-up', async () => {
    const email = uniqueEmail('orphan');
    const ghost = newCustomerId(16);
    await sql`insert into identity_email_index (email, account_id, created_at) values (${email}, ${ghost}, now() - interval '1 hour')`.execute(
      t.app.stores.catalog.db,
    );
    // Nobody can sign in through the orphan.
    assertError(await logIn(t.server, email), 401, 'IDENTITY_INVALID_CREDENTIALS');

    const res = await post('/auth/signup', { ...valid(), email });
    assert.equal(res.statusCode, 202, res.body);
    const login = await logIn(t.server, email);
    assert.equal(login.statusCode, 200, login.body);
    const { account } = login.json<AuthBody>();
    assert.notEqual(account.id, ghost);
    assert.equal((await indexRow(email))?.account_id, account.id);
  });

  test('a fresh index row without its account may be a sign-up in flight, so it is not taken over', async () => {
    const email = uniqueEmail('inflight');
    const pending = newCustomerId(16);
    await sql`insert into identity_email_index (email, account_id) values (${email}, ${pending})`.execute(t.app.stores.catalog.db);
    await sameAsNew(() => post('/auth/signup', { ...valid(), email }));
    assert.equal((await indexRow(email))?.account_id, pending);
  });

  test('when the shard write fails, the email claim is released (compensation)', async () => {
    // Make every account insert for these emails fail in both shard databases.
    for (const shard of t.app.stores.shards.databases) {
      await sql`
        create function identity_test_refuse() returns trigger language plpgsql as $$
        begin raise exception 'shard write refused by the test'; end $$;
        create trigger identity_test_refuse before insert on identity_accounts
          for each row when (new.email like 'refuse.%') execute function identity_test_refuse();
      `.execute(shard.db);
    }
    try {
      const email = uniqueEmail('refuse');
      await refused(() => post('/auth/signup', { ...valid(), email }), 500, 'INTERNAL');
      assert.equal(await indexRow(email), undefined, 'the index row was removed');
    } finally {
      for (const shard of t.app.stores.shards.databases) {
        await sql`drop trigger identity_test_refuse on identity_accounts; drop function identity_test_refuse();`.execute(shard.db);
      }
    }
    // An account already in the shard with no index row (e.g. an index restored from an old
    // backup): the shard's own unique email refuses it, and the claim is released again.
    const email = uniqueEmail('leftover');
    for (const shard of t.app.stores.shards.databases) {
      await sql`insert into identity_accounts (id, email, name, role, password_hash)
                values (${newCustomerId(16)}, ${email}, 'Old', 'customer', 'x')`.execute(shard.db);
    }
    await sameAsNew(() => post('/auth/signup', { ...valid(), email }));
    assert.equal(await indexRow(email), undefined);
  });
});
