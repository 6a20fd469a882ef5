import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import sharp from 'sharp';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { makeCorruptPng, makeImage, makePngBombHeader, makeTruncatedJpeg, multipartBody, type FormPart } from './media.testing.ts';
import { signUpAndLogIn } from '../../../test/support/accounts.ts';

const MAX_BYTES = 400_000;

type Seller = { id: string; token: string };

let t: TestApp;
let owner: Seller;
let other: Seller;
let customer: Seller;
let productId: string;

async function signUp(role: 'seller' | 'customer'): Promise<Seller> {
  const res = await signUpAndLogIn(t.server, {
    email: `${role}.${randomBytes(5).toString('hex')}@example.test`,
    password: 'correct horse battery',
    name: 'Ada Maker',
    role,
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { account: { id: string }; token: string };
  return { id: body.account.id, token: body.token };
}

function upload(who: Seller | null, parts: FormPart[], product = productId): Promise<LightMyRequestResponse> {
  const { payload, headers } = multipartBody(parts);
  return t.server.inject({
    method: 'POST',
    url: `/api/v1/products/${product}/images`,
    payload,
    headers: { ...headers, ...(who ? { authorization: `Bearer ${who.token}` } : {}) },
  });
}

const imagePart = (data: Buffer, filename = 'photo.png', contentType = 'image/png'): FormPart => ({
  name: 'image',
  filename,
  contentType,
  data,
});

function assertError(res: LightMyRequestResponse, status: number, code: string, field?: string): void {
  assert.equal(res.statusCode, status, res.body);
  const body = res.json() as { error: { code: string; field?: string } };
  assert.equal(body.error.code, code);
  if (field !== undefined) assert.equal(body.error.field, field);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  await walk(dir);
  return out.sort();
}

async function imageRows(product = productId): Promise<Array<{ id: string; status: string; error: string | null }>> {
  const { rows } = await sql<{ id: string; status: string; error: string | null }>`
    select id, status, error from media_images where product_id = ${product} order by created_at, id`.execute(t.app.stores.catalog.db);
  return rows;
}

/** Proves a refused upload left nothing: no row, no file (staging included). */
async function assertNothingWritten(before: { rows: number; files: string[] }): Promise<void> {
  assert.equal((await imageRows()).length, before.rows);
  assert.deepEqual(await filesUnder(t.app.config.media.dir), before.files);
}

async function snapshot(): Promise<{ rows: number; files: string[] }> {
  return { rows: (await imageRows()).length, files: await filesUnder(t.app.config.media.dir) };
}

async function productImages(
  id = productId,
): Promise<Array<{ id: string; alt: string; urls: { thumb: string; card: string; full: string } }>> {
  const res = await t.server.inject({ method: 'GET', url: `/api/v1/products/${id}` });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as { product?: { images: unknown }; images?: unknown };
  return (body.product?.images ?? body.images) as Array<{ id: string; alt: string; urls: { thumb: string; card: string; full: string } }>;
}

describe('media: product images', () => {
  before(async () => {
    t = await createTestApp({ MEDIA_MAX_BYTES: String(MAX_BYTES) });
    owner = await signUp('seller');
    other = await signUp('seller');
    customer = await signUp('customer');
    const shop = await t.app.catalog.service.createShop(owner.id, { slug: `potter-${randomBytes(3).toString('hex')}`, name: 'The Potter' });
    await t.app.catalog.service.createShop(other.id, { slug: `weaver-${randomBytes(3).toString('hex')}`, name: 'The Weaver' });
    [productId] = (await t.app.catalog.service.importProducts(shop.id, [
      { title: 'Speckled stoneware mug', description: 'Hand-thrown.', status: 'published', variants: [{ options: {}, price: 3200 }] },
    ])) as [string];
  });
  after(async () => {
    await t?.close();
  });

  test('upload -> 202 processing; the job makes three WebP variants; the product shows them; variants are served immutable', async () => {
    const png = await makeImage(1200, 800, 'png');
    const res = await upload(owner, [{ name: 'alt', value: 'A speckled mug on a shelf' }, imagePart(png)]);
    assert.equal(res.statusCode, 202, res.body);
    const { image } = res.json() as { image: { id: string; status: string } };
    assert.equal(image.status, 'processing');
    assert.deepEqual(
      (await imageRows()).map((r) => [r.id, r.status]),
      [[image.id, 'processing']],
    );
    const listed = await t.server.inject({
      method: 'GET',
      url: `/api/v1/products/${productId}/images`,
      headers: { authorization: `Bearer ${owner.token}` },
    });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.equal((listed.json() as { images: Array<{ status: string; urls: unknown }> }).images[0]?.status, 'processing');
    assert.deepEqual(await productImages(), []);

    await t.drainJobs();

    const rows = await imageRows();
    assert.equal(rows[0]?.status, 'ready');
    const images = await productImages();
    assert.equal(images.length, 1);
    assert.equal(images[0]!.id, image.id);
    assert.equal(images[0]!.alt, 'A speckled mug on a shelf');
    const expected = { thumb: 200, card: 600, full: 1200 } as const;
    for (const [name, width] of Object.entries(expected)) {
      const url = images[0]!.urls[name as keyof typeof expected];
      assert.match(url, /^\/media\/[0-9a-f]{64}\.webp$/);
      const served = await t.server.inject({ method: 'GET', url });
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], 'image/webp');
      assert.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable');
      const meta = await sharp(served.rawPayload).metadata();
      assert.equal(meta.format, 'webp');
      assert.equal(meta.width, width, name);
      const etag = served.headers.etag as string;
      const again = await t.server.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
      assert.equal(again.statusCode, 304);
    }

    const ownerView = await t.server.inject({
      method: 'GET',
      url: `/api/v1/products/${productId}/images`,
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const view = (ownerView.json() as { images: Array<{ status: string; width: number; urls: { card: string } }> }).images;
    assert.equal(view[0]?.status, 'ready');
    assert.equal(view[0]?.width, 1200);
    assert.equal(view[0]?.urls.card, images[0]!.urls.card);
  });

  test('the resize job is idempotent: re-running it, even from "processing" after a crash, adds nothing', async () => {
    const [row] = await imageRows();
    assert.ok(row);
    const filesBefore = await filesUnder(t.app.config.media.dir);
    const imagesBefore = await productImages();
    await t.app.media.service.resizeImage(row.id);
    // A crash after the variants were written but before the row was marked ready:
    await sql`update media_images set status = 'processing', thumb_key = null, card_key = null, full_key = null where id = ${row.id}`.execute(
      t.app.stores.catalog.db,
    );
    await t.app.media.service.resizeImage(row.id);
    assert.deepEqual(await filesUnder(t.app.config.media.dir), filesBefore);
    assert.deepEqual(await productImages(), imagesBefore);
    assert.equal((await imageRows()).length, 1);
  });

  test('a second image is appended in upload order', async () => {
    const res = await upload(owner, [imagePart(await makeImage(500, 700, 'jpeg'), 'side.jpg', 'image/jpeg')]);
    assert.equal(res.statusCode, 202, res.body);
    await t.drainJobs();
    const images = await productImages();
    assert.equal(images.length, 2);
    assert.equal(images[1]!.id, (res.json() as { image: { id: string } }).image.id);
    const card = await t.server.inject({ method: 'GET', url: images[1]!.urls.card });
    const meta = await sharp(card.rawPayload).metadata();
    assert.deepEqual([meta.width, meta.height], [429, 600]);
  });

  test('resize jobs of one product finishing together publish every image, in upload order', async () => {
    const shop = await t.app.catalog.service.getShopByOwner(owner.id);
    const [second] = (await t.app.catalog.service.importProducts(shop!.id, [
      { title: 'Celadon bud vase', description: 'Wheel-thrown.', status: 'published', variants: [{ options: {}, price: 2800 }] },
    ])) as [string];
    const ids: string[] = [];
    for (const [w, h] of [
      [640, 480],
      [480, 640],
      [800, 800],
      [300, 900],
    ] as const) {
      const res = await upload(owner, [imagePart(await makeImage(w, h))], second);
      assert.equal(res.statusCode, 202, res.body);
      ids.push((res.json() as { image: { id: string } }).image.id);
    }
    // Run the jobs' work side by side, as several workers would: the last list written must be whole.
    await Promise.all([...ids].reverse().map((id) => t.app.media.service.resizeImage(id)));
    assert.deepEqual(
      (await t.app.catalog.service.getProduct(second))?.images.map((i) => i.id),
      ids,
    );
    // The queued jobs then find their rows ready and change nothing.
    await t.drainJobs();
    assert.deepEqual(
      (await productImages(second)).map((i) => i.id),
      ids,
    );
  });

  test('a text file named .png and a PDF are 415 MEDIA_UNSUPPORTED_TYPE, and nothing is written', async () => {
    const before = await snapshot();
    const text = await upload(owner, [
      imagePart(Buffer.from('this is not an image, whatever the name says\n'.repeat(20)), 'fake.png', 'image/png'),
    ]);
    assertError(text, 415, 'MEDIA_UNSUPPORTED_TYPE', 'body.image');
    const pdf = await upload(owner, [
      imagePart(Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n'), 'menu.png', 'image/png'),
    ]);
    assertError(pdf, 415, 'MEDIA_UNSUPPORTED_TYPE', 'body.image');
    const svg = await upload(owner, [
      imagePart(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'), 'x.svg', 'image/svg+xml'),
    ]);
    assertError(svg, 415, 'MEDIA_UNSUPPORTED_TYPE', 'body.image');
    await assertNothingWritten(before);
  });

  test('an image that does not decode is 422 MEDIA_IMAGE_UNREADABLE; absurd dimensions are refused; nothing is written', async () => {
    const before = await snapshot();
    assertError(await upload(owner, [imagePart(await makeCorruptPng())]), 422, 'MEDIA_IMAGE_UNREADABLE', 'body.image');
    assertError(await upload(owner, [imagePart(makePngBombHeader(20_000, 20_000))]), 422, 'MEDIA_IMAGE_DIMENSIONS_TOO_LARGE', 'body.image');
    await assertNothingWritten(before);
  });

  test('a file over the size limit is 413 and the partial file is deleted', async () => {
    const before = await snapshot();
    const noise = await sharp(randomBytes(700 * 700 * 3), { raw: { width: 700, height: 700, channels: 3 } })
      .png()
      .toBuffer();
    assert.ok(noise.length > MAX_BYTES);
    const res = await upload(owner, [imagePart(noise)]);
    assertError(res, 413, 'MEDIA_FILE_TOO_LARGE', 'body.image');
    await assertNothingWritten(before);
  });

  test('only the owning seller may upload: others get 403/404, anonymous 401, and nothing is stored', async () => {
    const before = await snapshot();
    const png = await makeImage(300, 200);
    const stranger = await upload(other, [imagePart(png)]);
    assert.ok([403, 404].includes(stranger.statusCode), stranger.body);
    assert.equal((await upload(customer, [imagePart(png)])).statusCode, 403);
    assert.equal((await upload(null, [imagePart(png)])).statusCode, 401);
    const missing = await upload(owner, [imagePart(png)], '0190a0b0-0000-7000-8000-000000000000');
    assert.equal(missing.statusCode, 404, missing.body);
    const list = await t.server.inject({
      method: 'GET',
      url: `/api/v1/products/${productId}/images`,
      headers: { authorization: `Bearer ${other.token}` },
    });
    assert.ok([403, 404].includes(list.statusCode), list.body);
    await assertNothingWritten(before);
  });

  test('bad form input: no image, unknown field, alt too long, not multipart', async () => {
    const before = await snapshot();
    const png = await makeImage(300, 200);
    assertError(await upload(owner, [{ name: 'alt', value: 'no file' }]), 400, 'MEDIA_IMAGE_REQUIRED', 'body.image');
    assertError(await upload(owner, [{ name: 'caption', value: 'hi' }, imagePart(png)]), 400, 'MEDIA_UNKNOWN_FIELD', 'body.caption');
    assertError(
      await upload(owner, [{ name: 'picture', filename: 'a.png', contentType: 'image/png', data: png }]),
      400,
      'MEDIA_UNKNOWN_FIELD',
      'body.picture',
    );
    assertError(await upload(owner, [imagePart(png), { name: 'alt', value: 'x'.repeat(201) }]), 400, 'MEDIA_ALT_TOO_LONG', 'body.alt');
    const json = await t.server.inject({
      method: 'POST',
      url: `/api/v1/products/${productId}/images`,
      payload: { image: 'aGVsbG8=' },
      headers: { authorization: `Bearer ${owner.token}` },
    });
    assert.equal(json.statusCode, 415, json.body);
    const badId = await upload(owner, [imagePart(png)], 'not-a-uuid');
    assertError(badId, 400, 'INVALID_FIELD', 'params.id');
    await assertNothingWritten(before);
  });

  test('an image that passes the header check but does not decode fails its job for good', async () => {
    const imagesBefore = await productImages();
    const res = await upload(owner, [imagePart(await makeTruncatedJpeg(), 'cut.jpg', 'image/jpeg')]);
    assert.equal(res.statusCode, 202, res.body);
    const { id } = (res.json() as { image: { id: string } }).image;
    await t.drainJobs();
    const row = (await imageRows()).find((r) => r.id === id);
    assert.equal(row?.status, 'failed');
    assert.equal(row?.error, 'The image could not be decoded');
    assert.deepEqual(await productImages(), imagesBefore);
    const { rows } = await sql<{ attempts: number; max_attempts: number }>`
      select attempts, max_attempts from graphile_worker.jobs where task_identifier = 'media.resize-image'`.execute(
      t.app.stores.catalog.db,
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.attempts, rows[0]!.max_attempts);
  });

  test('GET /media: unknown keys are 404 JSON, traversal and originals are never served', async () => {
    const unknown = await t.server.inject({ method: 'GET', url: `/media/${'0'.repeat(64)}.webp` });
    assertError(unknown, 404, 'MEDIA_NOT_FOUND');
    assert.match(unknown.headers['content-type'] as string, /application\/json/);
    for (const url of [
      '/media/..%2F..%2Fetc%2Fpasswd',
      '/media/../package.json',
      `/media/${'a'.repeat(64)}.png`,
      '/media/originals%2Fab.png',
    ]) {
      const res = await t.server.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 404, url);
    }
    const originals = (await filesUnder(t.app.config.media.dir)).filter((f) => f.startsWith('originals/'));
    assert.ok(originals.length > 0);
    const name = path.basename(originals[0]!);
    assert.equal((await t.server.inject({ method: 'GET', url: `/media/${name}` })).statusCode, 404);
    assert.equal((await t.server.inject({ method: 'GET', url: `/media/originals%2F${name.slice(0, 2)}%2F${name}` })).statusCode, 404);
  });

  test('the upload route is described in the OpenAPI document', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const doc = res.json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> };
    const op = doc.paths['/api/v1/products/{id}/images']?.post;
    assert.ok(op?.requestBody?.content['multipart/form-data']);
  });
  test('the owner moves an image first and changes its alt text: the product shows that order and text; others cannot', async () => {
    const before = await productImages();
    assert.equal(before.length, 2);
    const second = before[1]!.id;
    const patch = (who: Seller, imageId: string, payload: Record<string, unknown>) =>
      t.server.inject({
        method: 'PATCH',
        url: `/api/v1/products/${productId}/images/${imageId}`,
        headers: { authorization: `Bearer ${who.token}` },
        payload,
      });
    const stranger = await patch(other, second, { position: 0 });
    assert.ok([403, 404].includes(stranger.statusCode), stranger.body);
    assertError(await patch(owner, '0190a0b0-0000-7000-8000-000000000000', { alt: 'x' }), 404, 'MEDIA_IMAGE_NOT_FOUND');
    assert.equal((await patch(owner, second, {})).statusCode, 400);
    const res = await patch(owner, second, { position: 0, alt: '  The side of the mug ' });
    assert.equal(res.statusCode, 200, res.body);
    // The owner's list also holds the failed upload of an earlier test, last.
    const listed = (res.json() as { images: Array<{ id: string; alt: string; status: string }> }).images.filter(
      (i) => i.status === 'ready',
    );
    assert.deepEqual(
      listed.map((i) => i.id),
      [second, before[0]!.id],
    );
    assert.equal(listed[0]!.alt, 'The side of the mug');
    const shown = await productImages();
    assert.deepEqual(
      shown.map((i) => [i.id, i.alt]),
      [
        [second, 'The side of the mug'],
        [before[0]!.id, before[0]!.alt],
      ],
    );
  });

  test('the owner removes an image: the product stops showing it; others cannot', async () => {
    const before = await productImages();
    assert.equal(before.length, 2);
    const target = before[0]!.id;
    const url = (imageId: string) => `/api/v1/products/${productId}/images/${imageId}`;
    // (The image moved first by the test before.)
    const stranger = await t.server.inject({ method: 'DELETE', url: url(target), headers: { authorization: `Bearer ${other.token}` } });
    assert.ok([403, 404].includes(stranger.statusCode), stranger.body);
    const unknown = await t.server.inject({
      method: 'DELETE',
      url: url('0190a0b0-0000-7000-8000-000000000000'),
      headers: { authorization: `Bearer ${owner.token}` },
    });
    assertError(unknown, 404, 'MEDIA_IMAGE_NOT_FOUND');
    assert.deepEqual(await productImages(), before);

    const res = await t.server.inject({ method: 'DELETE', url: url(target), headers: { authorization: `Bearer ${owner.token}` } });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual(
      (await productImages()).map((i) => i.id),
      [before[1]!.id],
    );
    assert.equal((await imageRows()).filter((r) => r.id === target).length, 0);
    const again = await t.server.inject({ method: 'DELETE', url: url(target), headers: { authorization: `Bearer ${owner.token}` } });
    assertError(again, 404, 'MEDIA_IMAGE_NOT_FOUND');
  });
});
