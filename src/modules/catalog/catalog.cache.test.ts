import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { repositoryStats } from './catalog.repository.ts';
import { createProduct, sellerWithShop } from './catalog.test-support.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => {
  await t.close();
});

const burst = (url: string, n: number) => Promise.all(Array.from({ length: n }, () => t.server.inject({ method: 'GET', url })));

test('a cold burst of 50 reads of one product makes one database query, and all answers are identical', async () => {
  const seller = await sellerWithShop(t.server);
  const product = await createProduct(t.server, seller, { title: 'Stampede kettle' });
  const before = repositoryStats.productDetailQueries;

  const answers = await burst(`/api/v1/products/${product.id}`, 50);
  assert.equal(repositoryStats.productDetailQueries - before, 1, 'one loader for the whole burst');
  for (const res of answers) {
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, answers[0]!.body);
    assert.equal(res.headers.etag, answers[0]!.headers.etag);
  }
  assert.equal((answers[0]!.json() as { title: string }).title, 'Stampede kettle');

  // Warm reads never reach the database.
  await burst(`/api/v1/products/${product.id}`, 50);
  assert.equal(repositoryStats.productDetailQueries - before, 1);

  // After an edit, the next burst again loads once, and sees the edit.
  const edit = await t.server.inject({
    method: 'PATCH',
    url: `/api/v1/products/${product.id}`,
    headers: seller.headers,
    payload: { title: 'Edited kettle' },
  });
  assert.equal(edit.statusCode, 200);
  const fresh = await burst(`/api/v1/products/${product.id}`, 50);
  assert.equal(repositoryStats.productDetailQueries - before, 2);
  assert.ok(fresh.every((r) => (r.json() as { title: string }).title === 'Edited kettle'));
});

test('a burst for a product that does not exist is answered from one query too (not-found is cached)', async () => {
  const before = repositoryStats.productDetailQueries;
  const answers = await burst('/api/v1/products/01900000-0000-7000-8000-00000000beef', 30);
  assert.equal(repositoryStats.productDetailQueries - before, 1);
  for (const res of answers) {
    assert.equal(res.statusCode, 404);
    assert.equal((res.json() as { error: { code: string } }).error.code, 'CATALOG_PRODUCT_NOT_FOUND');
    assert.match(String(res.headers['cache-control']), /s-maxage=\d+/);
  }
});

test('with the cache off, every read goes to the database and still answers correctly', async () => {
  const off = await createTestApp({ CACHE_ENABLED: 'false' });
  try {
    const seller = await sellerWithShop(off.server);
    const product = await createProduct(off.server, seller, { title: 'Uncached cup' });
    const before = repositoryStats.productDetailQueries;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => off.server.inject({ method: 'GET', url: `/api/v1/products/${product.id}` })),
    );
    assert.equal(repositoryStats.productDetailQueries - before, 5);
    assert.ok(answers.every((r) => r.statusCode === 200 && r.body === answers[0]!.body));
  } finally {
    await off.close();
  }
});
