import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { signUp, signUpAndLogIn, type Actor } from '../../../test/support/accounts.ts';
import { AUDIT_EVENT } from '../audit/index.ts';

/**
 * A customer becoming a seller (issue 15's onboarding) and the console's look-ups of accounts,
 * through HTTP on real databases (two shard databases, so a look-up that forgets one fails).
 */
let t: TestApp;
let admin: Actor;
const audited: Array<Record<string, unknown>> = [];

before(async () => {
  t = await createTestApp();
  t.app.events.subscribe(AUDIT_EVENT, 'roles-test', async (event) => {
    audited.push(event.payload);
  });
  const email = `admin-${randomBytes(4).toString('hex')}@example.test`;
  await t.app.identity.service.createAccount({ email, password: 'correct horse battery', name: 'Admin', role: 'admin' });
  const res = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'correct horse battery' } });
  const body = res.json<{ account: { id: string }; token: string }>();
  admin = { id: body.account.id, token: body.token, headers: { authorization: `Bearer ${body.token}` } };
});
after(async () => {
  await t.close();
});

const errorCode = (res: LightMyRequestResponse) => res.json<{ error: { code: string } }>().error.code;

describe('becoming a seller', () => {
  test('a customer becomes a seller, and the same session can open a shop at once; audited once', async () => {
    const customer = await signUp(t.server, 'customer');
    const openShop = () =>
      t.server.inject({
        method: 'POST',
        url: '/api/v1/shops',
        headers: customer.headers,
        payload: { slug: `shop-${randomBytes(4).toString('hex')}`, name: 'New maker' },
      });
    // Resolved (and cached) as a customer first: becoming a seller must replace the cached session.
    assert.equal((await openShop()).statusCode, 403);

    const res = await t.server.inject({ method: 'POST', url: '/api/v1/account/become-seller', headers: customer.headers });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json<{ account: { role: string } }>().account.role, 'seller');
    const me = await t.server.inject({ method: 'GET', url: '/api/v1/auth/me', headers: customer.headers });
    assert.equal(me.json<{ account: { role: string } }>().account.role, 'seller');
    assert.equal((await openShop()).statusCode, 201);
    assert.equal((await t.app.identity.service.getAccount(customer.id))?.role, 'seller');

    // A seller is refused by the route's guard; only customers become sellers.
    const again = await t.server.inject({ method: 'POST', url: '/api/v1/account/become-seller', headers: customer.headers });
    assert.equal(again.statusCode, 403, again.body);
    const anonymous = await t.server.inject({ method: 'POST', url: '/api/v1/account/become-seller' });
    assert.equal(anonymous.statusCode, 401);

    await t.drainJobs();
    const entries = audited.filter((e) => e.targetId === customer.id);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.action, 'account.became_seller');
    assert.deepEqual(entries[0]!.before, { role: 'customer' });
    assert.deepEqual(entries[0]!.after, { role: 'seller' });
    assert.equal((entries[0]!.actor as { accountId: string; role: string }).accountId, customer.id);
  });

  test('two requests at once: one changes the role, the other is refused; one audit entry', async () => {
    const customer = await signUp(t.server, 'customer');
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => t.server.inject({ method: 'POST', url: '/api/v1/account/become-seller', headers: customer.headers })),
    );
    const ok = answers.filter((a) => a.statusCode === 200);
    assert.equal(ok.length, 1, answers.map((a) => a.body).join('\n'));
    for (const a of answers.filter((x) => x.statusCode !== 200)) {
      assert.ok(
        (a.statusCode === 409 && errorCode(a) === 'IDENTITY_ALREADY_SELLER') ||
          (a.statusCode === 403 && errorCode(a) === 'IDENTITY_FORBIDDEN'),
        a.body,
      );
    }
    await t.drainJobs();
    assert.equal(audited.filter((e) => e.targetId === customer.id).length, 1);
  });
});

describe('the console’s look-ups of accounts', () => {
  test('by the start of the email or part of the name, from every shard, by email, a page at a time', async () => {
    const tag = `zq${randomBytes(3).toString('hex')}`;
    const made: Array<{ id: string; email: string }> = [];
    // At least six, and on both shard databases: a look-up that read one database would miss some.
    const databases = () => new Set(made.map((m) => t.app.stores.shards.forId(m.id).name));
    for (let i = 0; made.length < 6 || (databases().size < 2 && i < 20); i++) {
      const email = `${tag}-${i}@example.test`;
      const res = await signUpAndLogIn(t.server, {
        email,
        password: 'correct horse battery',
        name: `Maker ${i}`,
        role: i % 2 ? 'seller' : 'customer',
      });
      made.push({ id: res.json<{ account: { id: string } }>().account.id, email });
    }
    assert.equal(databases().size, 2, 'the accounts span both shard databases');

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: LightMyRequestResponse = await t.server.inject({
        method: 'GET',
        url: `/api/v1/admin/accounts?q=${tag}&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        headers: admin.headers,
      });
      assert.equal(res.statusCode, 200, res.body);
      const page = res.json<{ items: Array<{ email: string; createdAt: string }>; nextCursor: string | null }>();
      seen.push(...page.items.map((a) => a.email));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.deepEqual(seen, made.map((m) => m.email).sort());
    assert.equal(pages, Math.ceil(made.length / 4));

    const sellers = await t.server.inject({ method: 'GET', url: `/api/v1/admin/accounts?q=${tag}&role=seller`, headers: admin.headers });
    assert.deepEqual(
      sellers.json<{ items: Array<{ email: string }> }>().items.map((a) => a.email),
      made
        .filter((_, i) => i % 2 === 1)
        .map((m) => m.email)
        .sort(),
    );
    const byName = await t.server.inject({ method: 'GET', url: `/api/v1/admin/accounts?q=maker%204`, headers: admin.headers });
    assert.ok(byName.json<{ items: Array<{ email: string }> }>().items.some((a) => a.email === `${tag}-4@example.test`));
    const wildcard = await t.server.inject({ method: 'GET', url: `/api/v1/admin/accounts?q=%25`, headers: admin.headers });
    assert.deepEqual(wildcard.json<{ items: unknown[] }>().items, [], 'a % matches a %, not everything');

    const bad = await t.server.inject({ method: 'GET', url: '/api/v1/admin/accounts?cursor=not-base64!', headers: admin.headers });
    assert.equal(bad.statusCode, 400, bad.body);

    const detail = await t.server.inject({ method: 'GET', url: `/api/v1/admin/accounts/${made[0]!.id}`, headers: admin.headers });
    assert.equal(detail.statusCode, 200, detail.body);
    const account = detail.json<{ account: { email: string; createdAt: string } }>().account;
    assert.equal(account.email, made[0]!.email);
    assert.ok(Date.parse(account.createdAt) > 0);

    const seller = await signUp(t.server, 'seller');
    const refused = await t.server.inject({ method: 'GET', url: `/api/v1/admin/accounts?q=${tag}`, headers: seller.headers });
    assert.equal(refused.statusCode, 403);
  });
});
