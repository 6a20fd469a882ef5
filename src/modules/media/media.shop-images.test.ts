import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { signUp, type Actor } from '../../../test/support/accounts.ts';
import { AUDIT_EVENT } from '../audit/index.ts';
import { makeImage, multipartBody, type FormPart } from './media.testing.ts';

/** A shop's logo and banner (issue 15's onboarding): uploaded like product images, shown once resized. */
let t: TestApp;
const audited: Array<Record<string, unknown>> = [];
before(async () => {
  t = await createTestApp();
  t.app.events.subscribe(AUDIT_EVENT, 'shop-images-test', async (event) => {
    audited.push(event.payload);
  });
});
after(async () => {
  await t.close();
});

const image = async (alt: string): Promise<FormPart[]> => [
  { name: 'alt', value: alt },
  { name: 'image', filename: 'logo.png', contentType: 'image/png', data: await makeImage(320, 200) },
];

function upload(who: Actor | null, slot: string, parts: FormPart[]) {
  const { payload, headers } = multipartBody(parts);
  return t.server.inject({
    method: 'POST',
    url: `/api/v1/seller/shop/images/${slot}`,
    payload,
    headers: { ...headers, ...(who ? who.headers : {}) },
  });
}

type ShopImage = { id: string; alt: string; urls: { thumb: string; card: string; full: string } } | null;

test('a seller gives their shop a logo and a banner; the newest upload of a slot is shown, on the shop page too; audited', async () => {
  const seller = await signUp(t.server, 'seller');
  const slug = `shop-${randomBytes(4).toString('hex')}`;
  assert.equal((await upload(seller, 'logo', await image('Logo'))).statusCode, 404, 'a shop first');
  const opened = await t.server.inject({ method: 'POST', url: '/api/v1/shops', headers: seller.headers, payload: { slug, name: 'Kiln' } });
  assert.equal(opened.statusCode, 201, opened.body);
  const shopId = opened.json<{ id: string }>().id;
  // Warm the shop page: the image must replace the cached one.
  const first = await t.server.inject({ method: 'GET', url: `/api/v1/shops/${slug}` });
  assert.equal(first.json<{ shop: { logo: ShopImage } }>().shop.logo, null);

  const older = await upload(seller, 'logo', await image('Old logo'));
  assert.equal(older.statusCode, 202, older.body);
  const newer = await upload(seller, 'logo', await image('Kiln logo'));
  const banner = await upload(seller, 'banner', await image('The workshop'));
  assert.equal(banner.statusCode, 202, banner.body);
  await t.drainJobs();

  const mine = (await t.server.inject({ method: 'GET', url: '/api/v1/seller/shop', headers: seller.headers })).json<{
    logo: ShopImage;
    banner: ShopImage;
  }>();
  assert.equal(mine.logo?.id, newer.json<{ image: { id: string } }>().image.id);
  assert.equal(mine.logo?.alt, 'Kiln logo');
  assert.match(mine.logo!.urls.card, /^\/media\/.+\.webp$/);
  assert.equal(mine.banner?.alt, 'The workshop');
  const page = await t.server.inject({ method: 'GET', url: `/api/v1/shops/${slug}` });
  assert.equal(page.json<{ shop: { logo: ShopImage } }>().shop.logo?.alt, 'Kiln logo');

  const entries = audited.filter((e) => e.targetId === shopId && e.action === 'shop.image_uploaded');
  assert.equal(entries.length, 3);
  assert.deepEqual(entries[0]!.before, { logo: null });

  const customer = await signUp(t.server, 'customer');
  assert.equal((await upload(customer, 'logo', await image('x'))).statusCode, 403);
  assert.equal((await upload(null, 'logo', await image('x'))).statusCode, 401);
  assert.equal((await upload(seller, 'avatar', await image('x'))).statusCode, 400);
  const text = await upload(seller, 'logo', [
    { name: 'image', filename: 'logo.png', contentType: 'image/png', data: Buffer.from('not a picture') },
  ]);
  assert.equal(text.statusCode, 415, text.body);
});
