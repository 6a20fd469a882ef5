import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pino from 'pino';
import { collectTasks } from '../../app/worker.ts';
import { readEventLog, type DomainEvent } from '../../platform/events.ts';
import { newId } from '../../shared/ids.ts';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { ADDRESS, assertError, checkout, lines, signUp, type Accepted, type Actor } from '../../../test/checkout/support.ts';
import { runAtelier } from '../../../test/support/processes.ts';
import { CART_COOKIE } from '../cart/index.ts';
import { READ_MODEL_TABLES } from './reporting.migrations.ts';
import { createProjections, parseEvent } from './reporting.projections.ts';
import { signUpAndLogIn } from '../../../test/support/accounts.ts';

let t: TestApp;
let sellerA: Actor;
let sellerB: Actor;
let admin: Actor;
let a1: { productId: string; variantId: string };
let a2: { productId: string; variantId: string };
let b1: { productId: string; variantId: string };
let currency: string;

async function product(seller: Actor, title: string, price: number, stock: number) {
  const p = await t.app.catalog.service.createProduct(seller.id, {
    title,
    description: 'Made by hand',
    status: 'published',
    variants: [{ options: { size: 'M' }, price }],
  });
  await t.app.inventory.service.restock(p.variants[0]!.id, stock);
  currency = p.variants[0]!.price.currency;
  return { productId: p.id, variantId: p.variants[0]!.id };
}

const get = (url: string, who: Actor | null) => t.server.inject({ method: 'GET', url, headers: who ? who.headers : {} });
const putLine = (variantId: string, quantity: number, headers: Record<string, string>) =>
  t.server.inject({ method: 'PUT', url: `/api/v1/cart/lines/${variantId}`, headers, payload: { quantity } });

async function paidCheckout(buyer: Actor, body: Record<string, unknown>): Promise<string> {
  const res = await checkout(t.server, buyer, { shippingAddress: ADDRESS, ...body });
  assert.equal(res.statusCode, 202, res.body);
  return res.json<Accepted>().order.id;
}

/** Every row of every figure table (not the processed-events bookkeeping), in a stable order. */
async function figures(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of READ_MODEL_TABLES) {
    if (table === 'reporting_processed_events') continue;
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(t.app.stores.catalog.db);
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

async function loggedEvents(): Promise<DomainEvent[]> {
  const all: DomainEvent[] = [];
  for await (const e of readEventLog(t.app.stores.all(), ['order.paid', 'stock.low', 'cart.started'], 2)) all.push(e);
  return all;
}

before(async () => {
  t = await createTestApp();
  [sellerA, sellerB] = await Promise.all([signUp(t.server, 'seller'), signUp(t.server, 'seller')]);
  await t.app.catalog.service.createShop(sellerA.id, { slug: `a-${Date.now()}`, name: 'Shop A' });
  await t.app.catalog.service.createShop(sellerB.id, { slug: `b-${Date.now()}`, name: 'Shop B' });
  a1 = await product(sellerA, 'Blue bowl', 700, 10);
  a2 = await product(sellerA, 'Oak spoon', 1500, 20);
  b1 = await product(sellerB, 'Wool scarf', 2000, 10);
  const email = `admin-${Date.now()}@example.test`;
  await t.app.identity.service.createAccount({ email, password: 'correct horse battery', name: 'Admin', role: 'admin' });
  const login = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: 'correct horse battery' } });
  const token = login.json<{ token: string; account: { id: string } }>().token;
  admin = { id: login.json<{ account: { id: string } }>().account.id, token, headers: { authorization: `Bearer ${token}` } };

  const [buyer1, buyer2, buyer3] = await Promise.all([
    signUp(t.server, 'customer'),
    signUp(t.server, 'customer'),
    signUp(t.server, 'customer'),
  ]);
  // buyer1: a cart (one cart.started) checked out: A's bowl x6 takes it from 10 to 4, below 5 (stock.low).
  assert.equal((await putLine(a1.variantId, 6, buyer1.headers)).statusCode, 200);
  assert.equal((await putLine(a1.variantId, 6, buyer1.headers)).statusCode, 200, 'a quantity change starts no new cart');
  await paidCheckout(buyer1, {});
  // buyer2: explicit lines, no cart: one order, two sub-orders (A and B).
  await paidCheckout(buyer2, { lines: lines([a2.variantId, 1], [b1.variantId, 2]) });
  // buyer3: a cart that is never checked out.
  assert.equal((await putLine(b1.variantId, 1, buyer3.headers)).statusCode, 200);
  // A guest fills a cart, signs up, and checks out: the guest's cart converted.
  const guestPut = await putLine(a2.variantId, 1, {});
  const guestCookie = guestPut.cookies.find((c) => c.name === CART_COOKIE)!.value;
  const signup = await signUpAndLogIn(
    t.server,
    { email: `guest-${Date.now()}@example.test`, password: 'correct horse battery', name: 'A guest', role: 'customer' },
    { headers: { cookie: `${CART_COOKIE}=${guestCookie}` } },
  );
  assert.equal(signup.statusCode, 200, signup.body);
  const token4 = signup.json<{ token: string }>().token;
  const buyer4: Actor = {
    id: signup.json<{ account: { id: string } }>().account.id,
    token: token4,
    headers: { authorization: `Bearer ${token4}` },
  };
  const merged = await t.server.inject({
    method: 'GET',
    url: '/api/v1/cart',
    headers: { ...buyer4.headers, cookie: `${CART_COOKIE}=${guestCookie}` },
  });
  assert.equal(merged.statusCode, 200, merged.body);
  await paidCheckout(buyer4, {});
  await t.drainJobs();
});
after(() => t?.close());

type Summary = {
  summary: {
    days: Array<{ day: string; orders: number; revenue: { amount: number; currency: string } }>;
    totals: Array<{ orders: number; revenue: { amount: number; currency: string } }>;
    topProducts: Array<{ productId: string; title: string | null; units: number; revenue: { amount: number } }>;
    stockAlerts: Array<{ variantId: string; title: string | null; available: number; threshold: number }>;
  };
};
type Platform = {
  platform: {
    ordersPerMinute: { minutes: Array<{ minute: string; orders: number }> };
    grossSales: Array<{ orders: number; gross: { amount: number; currency: string } }>;
    conversion: { cartsStarted: number; cartsConverted: number; rate: number | null };
  };
};

describe('read models', () => {
  test('a seller sees their paid orders and revenue per day, top products and stock alerts', async () => {
    const res = await get('/api/v1/seller/reports/summary', sellerA);
    assert.equal(res.statusCode, 200, res.body);
    const { summary } = res.json<Summary>();
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(summary.days, [{ day: today, orders: 3, revenue: { amount: 4200 + 1500 + 1500, currency } }]);
    assert.deepEqual(summary.totals, [{ orders: 3, revenue: { amount: 7200, currency } }]);
    assert.deepEqual(
      summary.topProducts.map((p) => [p.productId, p.title, p.units, p.revenue.amount]),
      [
        [a1.productId, 'Blue bowl', 6, 4200],
        [a2.productId, 'Oak spoon', 2, 3000],
      ],
    );
    assert.deepEqual(
      summary.stockAlerts.map((a) => [a.variantId, a.title, a.available, a.threshold]),
      [[a1.variantId, 'Blue bowl', 4, 5]],
    );

    const b = (await get('/api/v1/seller/reports/summary', sellerB)).json<Summary>().summary;
    assert.deepEqual(b.totals, [{ orders: 1, revenue: { amount: 4000, currency } }]);
    assert.deepEqual(b.stockAlerts, []);
    // A range before any sale is empty.
    const empty = (await get('/api/v1/seller/reports/summary?from=2020-01-01&to=2020-01-31', sellerA)).json<Summary>().summary;
    assert.deepEqual([empty.days, empty.topProducts, empty.stockAlerts], [[], [], []]);
  });

  test('an admin sees orders per minute, gross sales and cart-to-order conversion', async () => {
    const res = await get('/api/v1/admin/reports/platform?minutes=30', admin);
    assert.equal(res.statusCode, 200, res.body);
    const { platform } = res.json<Platform>();
    assert.equal(platform.ordersPerMinute.minutes.length, 30);
    assert.equal(
      platform.ordersPerMinute.minutes.reduce((n, m) => n + m.orders, 0),
      3,
    );
    assert.deepEqual(platform.grossSales, [{ orders: 3, gross: { amount: 4200 + 5500 + 1500, currency } }]);
    // Carts: buyer1 (bought), buyer3 (abandoned), the guest (merged at sign-up, bought). buyer2 used no cart.
    assert.deepEqual(platform.conversion, { cartsStarted: 3, cartsConverted: 2, rate: 0.6667 });
  });

  test('reports need the right role, and a bad range is a coded 400', async () => {
    assertError(await get('/api/v1/seller/reports/summary', null), 401, 'IDENTITY_UNAUTHENTICATED');
    const customer = await signUp(t.server, 'customer');
    assertError(await get('/api/v1/seller/reports/summary', customer), 403, 'IDENTITY_FORBIDDEN');
    assertError(await get('/api/v1/admin/reports/platform', sellerA), 403, 'IDENTITY_FORBIDDEN');
    assertError(
      await get('/api/v1/seller/reports/summary?from=2026-02-01&to=2026-01-01', sellerA),
      400,
      'REPORTING_BAD_RANGE',
      'querystring.from',
    );
    assertError(await get('/api/v1/seller/reports/summary?from=2020-01-01&to=2026-01-01', sellerA), 400, 'REPORTING_BAD_RANGE');
  });

  test('only the replayable event types are logged, each on the database it was published on', async () => {
    const counts = async (db: (typeof t.app.stores.catalog)['db']) =>
      (
        await sql<{ type: string; n: number }>`select type, count(*)::int as n from platform_event_log group by type order by type`.execute(
          db,
        )
      ).rows;
    const catalog = await counts(t.app.stores.catalog.db);
    assert.deepEqual(catalog, [{ type: 'stock.low', n: 1 }], 'no product.changed in the log');
    let paid = 0;
    let carts = 0;
    for (const shard of t.app.stores.shards.databases) {
      for (const r of await counts(shard.db)) {
        if (r.type === 'order.paid') paid += r.n;
        if (r.type === 'cart.started') carts += r.n;
      }
    }
    assert.equal(paid, 3);
    assert.equal(carts, 4, 'three carts started and one guest merge');
  });

  test('replaying the same events twice gives the same figures', async () => {
    const before = await figures();
    const tasks = collectTasks(t.app);
    const events = await loggedEvents();
    assert.equal(events.length, 8);
    for (let round = 0; round < 2; round++) {
      for (const e of events) {
        const ctx = { database: 'catalog', jobId: '0', attempt: 1, maxAttempts: 1, log: pino({ level: 'silent' }) };
        await tasks[`event:${e.type}:reporting`]!({ ...e } as unknown as Record<string, unknown>, ctx);
      }
    }
    assert.deepEqual(await figures(), before);
  });

  test('a rebuild from scratch equals the incrementally built tables', async () => {
    const incremental = await figures();
    assert.ok(incremental.reporting_seller_daily!.length > 0);
    const result = await t.app.reporting.rebuild();
    assert.deepEqual({ events: result.events, applied: result.applied, skipped: result.skipped }, { events: 8, applied: 8, skipped: 0 });
    assert.deepEqual(await figures(), incremental);
    // A second rebuild is just as good, and two at once are refused.
    const [first, second] = await Promise.allSettled([t.app.reporting.rebuild(), t.app.reporting.rebuild()]);
    const outcomes = [first.status, second.status].sort();
    assert.deepEqual(outcomes, ['fulfilled', 'rejected']);
    const rejected = [first, second].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.match(String(rejected.reason), /already running/);
    assert.deepEqual(await figures(), incremental);
  });

  test('events delivered while a rebuild runs are applied exactly once', async () => {
    const buyer = await signUp(t.server, 'customer');
    await paidCheckout(buyer, { lines: lines([b1.variantId, 1]) });
    // The order.paid job waits in the shard's queue while the rebuild replays the log (which
    // already holds the event); afterwards the job runs and must change nothing.
    const rebuilt = t.app.reporting.rebuild();
    const drained = t.drainJobs();
    await Promise.all([rebuilt, drained]);
    await t.drainJobs();
    const b = (await get('/api/v1/seller/reports/summary', sellerB)).json<Summary>().summary;
    assert.deepEqual(b.totals, [{ orders: 2, revenue: { amount: 6000, currency } }]);
    const incremental = await figures();
    await t.app.reporting.rebuild();
    assert.deepEqual(await figures(), incremental);
  });

  test('`atelier reporting rebuild` as an operator runs it: the same figures, and a usage error for anything else', async () => {
    const incremental = await figures();
    const proc = runAtelier(['reporting', 'rebuild'], t.env);
    assert.equal(await proc.exited, 0, proc.output());
    assert.match(proc.output(), /reporting rebuilt: \d+ events applied \(\d+ read from the event log, 0 skipped\)/);
    assert.deepEqual(await figures(), incremental);
    const wrong = runAtelier(['reporting'], t.env);
    assert.equal(await wrong.exited, 2, wrong.output());
    assert.match(wrong.output(), /usage: atelier reporting rebuild/);
  });

  test('cart starts are applied by one statement: a repeat in the batch or a second delivery adds nothing', async () => {
    // The catalog's own pool, through a Kysely that counts the statements it sends (Kysely's query
    // log; begin and commit would go around it, but applyAll's inserts alone are several).
    let statements = 0;
    const counted = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: t.app.stores.catalog.pool }),
      log: (event) => void (event.level === 'query' && statements++),
    });
    const projections = createProjections({ db: counted, catalog: t.app.catalog.service, log: pino({ level: 'silent' }) });
    const started = (id: string, ownerId: string) => {
      const payload = { ownerId, ownerKind: 'guest', mergedGuestId: null, intoOpenCart: false };
      return { id, parsed: parseEvent({ id, type: 'cart.started', occurredAt: new Date().toISOString(), payload })! };
    };
    const [one, two] = [newId(), newId()];
    const first = started(one, newId());
    assert.equal(await projections.handle([first, first, started(two, newId())]), 2);
    assert.equal(statements, 1, 'one statement for the batch');
    assert.equal(await projections.handle([first]), 0, 'delivered again: already applied');
    const { rows } = await sql<{ event_id: string; owner_kind: string; processed: boolean }>`
      select c.event_id, c.owner_kind, exists (select 1 from reporting_processed_events p where p.event_id = c.event_id) as processed
      from reporting_cart_starts c where c.event_id in (${one}, ${two}) order by c.event_id`.execute(t.app.stores.catalog.db);
    assert.deepEqual(
      rows.map((r) => [r.event_id, r.owner_kind, r.processed]),
      [one, two].sort().map((id) => [id, 'guest', true]),
    );
  });

  test('the latest stock alert of a variant wins whatever order its events are applied in', async () => {
    const handler = collectTasks(t.app)['event:stock.low:reporting']!;
    const ctx = { database: 'catalog', jobId: '0', attempt: 1, maxAttempts: 1, log: pino({ level: 'silent' }) };
    const event = (occurredAt: string, available: number) =>
      ({ id: newId(), type: 'stock.low', occurredAt, payload: { variantId: a2.variantId, available, threshold: 5 } }) as unknown as Record<
        string,
        unknown
      >;
    const older = event('2030-01-01T10:00:00.000Z', 3);
    const newer = event('2030-01-01T11:00:00.000Z', 1);
    await handler(newer, ctx);
    await handler(older, ctx);
    const { rows } = await sql<{ available: number; raised_at: Date }>`select available, raised_at from reporting_stock_alerts
      where variant_id = ${a2.variantId}`.execute(t.app.stores.catalog.db);
    assert.deepEqual(rows, [{ available: 1, raised_at: new Date('2030-01-01T11:00:00.000Z') }]);
    // A payload reporting cannot read fails the job for good instead of retrying it for a day.
    await assert.rejects(
      handler({ id: newId(), type: 'stock.low', occurredAt: new Date().toISOString(), payload: { variantId: 'nope' } }, ctx),
      { name: 'PermanentJobError' },
    );
  });
});
