import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TEXT_LIMITS } from '../../src/modules/catalog/index.ts';
import { MAX_ON_HAND, MAX_RESTOCK } from '../../src/modules/inventory/index.ts';
import { createTestApp, PROTECTIONS_OFF, type TestApp } from '../support/test-app.ts';

const PASSWORD = 'correct horse battery';

/** The studio's shop pages at the route level: who may open them, and what bad input gets (never a 500). */
describe('studio listing routes', () => {
  let t: TestApp;
  let origin: string;
  before(async () => {
    t = await createTestApp({ ...PROTECTIONS_OFF, ATELIER_SHOP_APPROVAL: 'required' });
    origin = new URL(t.app.config.session.publicUrl).origin;
  });
  after(() => t.close());

  /** A signed-in account of `role`; its session cookie for the pages. */
  async function signedIn(role: 'customer' | 'seller' | 'admin'): Promise<{ id: string; cookie: string }> {
    const email = `${role}-${randomUUID()}@example.test`;
    const account = await t.app.identity.service.createAccount({ email, password: PASSWORD, name: `A ${role}`, role });
    const res = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: PASSWORD } });
    assert.equal(res.statusCode, 200, res.body);
    return { id: account.id, cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; ') };
  }
  const get = (url: string, cookie: string) => t.server.inject({ method: 'GET', url, headers: { cookie, accept: 'text/html' } });
  const post = (url: string, cookie: string, fields: Record<string, string>) =>
    t.server.inject({
      method: 'POST',
      url,
      headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(fields).toString(),
    });

  /** The seller's shop's product counts, as the studio's overview reads them. */
  async function productCounts(sellerId: string) {
    const shop = await t.app.catalog.service.ownShop(sellerId);
    assert.ok(shop, 'the seller has a shop');
    return t.app.catalog.service.productCounts(shop.id);
  }

  async function sellerWithShop(): Promise<{ id: string; cookie: string }> {
    const customer = await signedIn('customer');
    const slug = `shop-${randomUUID().slice(0, 8)}`;
    const res = await post('/studio/start', customer.cookie, {
      name: 'Clay and Kiln',
      slug,
      story: 'Pots',
      shippingPolicy: '',
      returnsPolicy: '',
    });
    assert.equal(res.statusCode, 303, res.body);
    return customer;
  }

  test('signed out: sent to sign in; an admin gets 403; a customer opens a shop and becomes a seller', async () => {
    const out = await t.server.inject({ method: 'GET', url: '/studio/products' });
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/sign-in?next=%2Fstudio%2Fproducts');
    const admin = await signedIn('admin');
    assert.equal((await get('/studio', admin.cookie)).statusCode, 403);
    assert.equal((await get('/studio/start', admin.cookie)).statusCode, 403);
    const customer = await signedIn('customer');
    assert.equal((await get('/studio/stock', customer.cookie)).headers.location, '/studio/start');
    assert.equal((await get('/studio/start', customer.cookie)).statusCode, 200);
    const opened = await post('/studio/start', customer.cookie, {
      name: 'Loom',
      slug: `loom-${randomUUID().slice(0, 6)}`,
      story: '',
      shippingPolicy: '',
      returnsPolicy: '',
    });
    assert.equal(opened.headers.location, '/studio?done=opened');
    assert.equal((await t.app.identity.service.getAccount(customer.id))?.role, 'seller');
    const overview = await get('/studio', customer.cookie);
    assert.equal(overview.statusCode, 200);
    assert.match(overview.body, /Waiting for approval/);
    // With a shop, onboarding sends the seller to the studio.
    assert.equal((await get('/studio/start', customer.cookie)).headers.location, '/studio');
  });

  test('the overview counts every product, however many (not only the 500 the stock page reads)', async () => {
    const seller = await sellerWithShop();
    const shop = await t.app.catalog.service.ownShop(seller.id);
    const product = (n: number, status: 'draft' | 'published') => ({
      title: `Cup ${n}`,
      description: 'A cup',
      status,
      variants: [{ options: {}, price: 900 }],
    });
    await t.app.catalog.service.importProducts(shop!.id, [
      ...Array.from({ length: 520 }, (_, n) => product(n, 'draft')),
      ...Array.from({ length: 3 }, (_, n) => product(n, 'published')),
    ]);
    const overview = await get('/studio', seller.cookie);
    assert.equal(overview.statusCode, 200);
    const figure = (label: string) => new RegExp(`<dt>${label}</dt>\\s*<dd>([^<]*)</dd>`).exec(overview.body)?.[1];
    assert.equal(figure('Products'), '523');
    assert.equal(figure('Published'), '3');
    assert.equal(figure('Drafts'), '520');
    assert.equal(figure('Unpublished by the operator'), '0');
    // None of the three published has stock; all were looked at, so the count is whole.
    assert.equal(figure('Variants low on stock'), '3');
  });

  test('onboarding: a bad or taken web address is a field error, nothing changes', async () => {
    const first = await sellerWithShop();
    const shop = await t.app.catalog.service.ownShop(first.id);
    const customer = await signedIn('customer');
    const bad = await post('/studio/start', customer.cookie, {
      name: '',
      slug: 'Not A Slug',
      story: '',
      shippingPolicy: '',
      returnsPolicy: '',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /There is a problem/);
    assert.match(bad.body, /Enter the shop name/);
    assert.match(bad.body, /lower-case letters/);
    const taken = await post('/studio/start', customer.cookie, {
      name: 'Copy',
      slug: shop!.slug,
      story: '',
      shippingPolicy: '',
      returnsPolicy: '',
    });
    assert.equal(taken.statusCode, 400);
    assert.match(taken.body, /That web address is taken/);
    assert.equal((await t.app.identity.service.getAccount(customer.id))?.role, 'customer');
  });

  test('product editor: "12.345" is a field error, a good form saves, another seller’s product is 404', async () => {
    const seller = await sellerWithShop();
    const form = { title: 'Mug', description: 'A mug', categoryId: '', optionName: 'Size', intent: 'draft' };
    const bad = await post('/studio/products/new', seller.cookie, { ...form, 'variant-1-value': 'S', 'variant-1-price': '12.345' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Enter the price of variant 1 as an amount, like 12.50/);
    assert.match(bad.body, /id="variant-1-price"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="variant-1-price"/);
    const two = { ...form, 'variant-1-value': 'S', 'variant-1-price': '12.50', 'variant-2-value': 'L', 'variant-2-price': '15' };
    const saved = await post('/studio/products/new', seller.cookie, two);
    assert.equal(saved.statusCode, 303, saved.body);
    const id = /^\/studio\/products\/([0-9a-f-]{36})\?done=created$/.exec(String(saved.headers.location))?.[1];
    assert.ok(id, String(saved.headers.location));
    const product = await t.app.catalog.service.getProduct(id);
    assert.deepEqual(
      product?.variants.map((v) => [v.options, v.price.amount]),
      [
        [{ Size: 'S' }, 1250],
        [{ Size: 'L' }, 1500],
      ],
    );
    const other = await sellerWithShop();
    assert.equal((await get(`/studio/products/${id}`, other.cookie)).statusCode, 404);
    assert.equal((await post(`/studio/products/${id}`, other.cookie, { ...two, intent: 'publish' })).statusCode, 404);
    assert.equal((await get('/studio/products/not-an-id', other.cookie)).statusCode, 404);
    assert.equal(
      (await post(`/studio/stock/${product!.variants[0]!.id}`, other.cookie, { units: '5', action: 'restock' })).statusCode,
      404,
    );
    // Two variants need an option name; a duplicate value is refused too. Neither makes a product.
    const before = await productCounts(seller.id);
    const noName = await post('/studio/products/new', seller.cookie, { ...two, optionName: '' });
    assert.equal(noName.statusCode, 400);
    assert.match(noName.body, /Name the option the variants differ in/);
    const dup = await post('/studio/products/new', seller.cookie, { ...two, 'variant-2-value': 'S' });
    assert.equal(dup.statusCode, 400);
    assert.match(dup.body, /Variant 2 has the same value as another/);
    assert.deepEqual(await productCounts(seller.id), before, 'no product was made');
  });

  test('the editor and shop forms hold as much text as the catalog takes; one character more is a field error, not a 500', async () => {
    const seller = await sellerWithShop();
    /** The maxlength of the input or textarea with this id on the page. */
    const maxlengthOf = (html: string, id: string) => {
      const tag = new RegExp(`<(?:input|textarea)\\b[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0] ?? '';
      return Number(/\bmaxlength="(\d+)"/.exec(tag)?.[1]);
    };
    const editor = (await get('/studio/products/new', seller.cookie)).body;
    assert.equal(maxlengthOf(editor, 'title'), TEXT_LIMITS.title);
    assert.equal(maxlengthOf(editor, 'description'), TEXT_LIMITS.description);
    assert.equal(maxlengthOf(editor, 'optionName'), TEXT_LIMITS.optionName);
    assert.equal(maxlengthOf(editor, 'variant-1-value'), TEXT_LIMITS.optionValue);
    const shop = (await get('/studio/shop', seller.cookie)).body;
    for (const id of ['story', 'shippingPolicy', 'returnsPolicy']) assert.equal(maxlengthOf(shop, id), TEXT_LIMITS.shopText, id);
    assert.equal(maxlengthOf(shop, 'name'), TEXT_LIMITS.shopName);

    const before = await productCounts(seller.id);
    const form = { description: '', categoryId: '', optionName: '', intent: 'draft', 'variant-1-value': '', 'variant-1-price': '20' };
    const long = await post('/studio/products/new', seller.cookie, { ...form, title: 'x'.repeat(TEXT_LIMITS.title + 1) });
    assert.equal(long.statusCode, 400);
    assert.ok(long.body.includes(`Title must be ${TEXT_LIMITS.title} characters or fewer`), 'the title is named with its limit');
    const longest = await post('/studio/products/new', seller.cookie, { ...form, title: 'x'.repeat(TEXT_LIMITS.title) });
    assert.equal(longest.statusCode, 303, 'the longest title the API takes is saved');
    assert.equal((await productCounts(seller.id)).draft, before.draft + 1, 'one product, the one that fits');
  });

  test('the operator’s hold shows with its reason, publishing is refused as a form error; stock input is checked', async () => {
    const seller = await sellerWithShop();
    const created = await post('/studio/products/new', seller.cookie, {
      title: 'Bowl',
      description: '',
      categoryId: '',
      optionName: '',
      intent: 'publish',
      'variant-1-value': '',
      'variant-1-price': '20',
    });
    const id = /products\/([0-9a-f-]{36})/.exec(String(created.headers.location))![1]!;
    const admin = await signedIn('admin');
    const actor = { accountId: admin.id, role: 'admin', ip: null, userAgent: null };
    await t.app.catalog.service.moderation.unpublishProduct(actor, id, 'Photos show a different item');
    const page = await get(`/studio/products/${id}`, seller.cookie);
    assert.match(page.body, /Unpublished by the operator/);
    assert.match(page.body, /Photos show a different item/);
    const list = await get('/studio/products?status=unpublished', seller.cookie);
    assert.match(list.body, /Bowl/);
    const refused = await post(`/studio/products/${id}`, seller.cookie, {
      title: 'Bowl',
      description: '',
      categoryId: '',
      optionName: '',
      intent: 'publish',
      'variant-1-price': '20',
    });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, /The marketplace unpublished this product: Photos show a different item/);
    const product = await t.app.catalog.service.getProduct(id);
    assert.deepEqual([product?.status, product?.moderationNote], ['draft', 'Photos show a different item'], 'the hold stands');
    const variantId = product!.variants[0]!.id;
    for (const [units, action] of [
      ['', 'restock'],
      ['1.5', 'restock'],
      ['0', 'restock'],
      ['-3', 'set'],
      [String(MAX_RESTOCK + 1), 'restock'],
      [String(MAX_ON_HAND + 1), 'set'],
    ]) {
      const res = await post(`/studio/stock/${variantId}`, seller.cookie, { units: units!, action: action! });
      assert.equal(res.statusCode, 400, `${units} ${action}`);
      assert.match(res.body, /There is a problem/);
    }
    // The limits are the inventory module's own, so the page refuses exactly what the module would.
    const most = await post(`/studio/stock/${variantId}`, seller.cookie, { units: String(MAX_RESTOCK + 1), action: 'restock' });
    assert.ok(most.body.includes(`Restock between 1 and ${MAX_RESTOCK} units at a time`), 'the restock limit is named');
    assert.equal((await t.app.inventory.service.levels([variantId]))[0]?.onHand ?? 0, 0, 'nothing was restocked');
    const ok = await post(`/studio/stock/${variantId}`, seller.cookie, { units: '3', action: 'restock' });
    assert.equal(ok.statusCode, 303);
    const stock = await get('/studio/stock', seller.cookie);
    assert.match(stock.body, /Units for Bowl \(Default\)/);
    assert.match(stock.body, /Low stock/);
  });
});
