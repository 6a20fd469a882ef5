import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { toTsQueryText } from './search.query.ts';
import { search as searchRepo, searchQuery, upsertDocuments } from './search.repository.ts';
import { signUpAndLogIn } from '../../../test/support/accounts.ts';

type Result = { items: Array<{ id: string; title: string; shopName: string }>; nextCursor: string | null };

let t: TestApp;
let seller: { headers: { authorization: string }; shopSlug: string; shopId: string };

before(async () => {
  t = await createTestApp();
  const signup = await signUpAndLogIn(t.server, {
    email: `search-${process.pid}@example.test`,
    password: 'correct horse battery',
    name: 'Searcher',
    role: 'seller',
  });
  assert.equal(signup.statusCode, 200, signup.body);
  const headers = { authorization: `Bearer ${(signup.json() as { token: string }).token}` };
  const shop = await t.server.inject({
    method: 'POST',
    url: '/api/v1/shops',
    headers,
    payload: { slug: 'fern-studio', name: 'Fern Studio' },
  });
  assert.equal(shop.statusCode, 201, shop.body);
  seller = { headers, shopSlug: 'fern-studio', shopId: (shop.json() as { id: string }).id };
});
after(async () => {
  await t.close();
});

async function product(title: string, description: string, status: 'draft' | 'published' = 'published'): Promise<string> {
  const res = await t.server.inject({
    method: 'POST',
    url: '/api/v1/products',
    headers: seller.headers,
    payload: { title, description, status, variants: [{ options: {}, price: 1200 }] },
  });
  assert.equal(res.statusCode, 201, res.body);
  return (res.json() as { id: string }).id;
}

async function search(q: string, extra = ''): Promise<Result> {
  const res = await t.server.inject({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}${extra}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Result;
}

const patch = async (id: string, payload: Record<string, unknown>) => {
  const res = await t.server.inject({ method: 'PATCH', url: `/api/v1/products/${id}`, headers: seller.headers, payload });
  assert.equal(res.statusCode, 200, res.body);
};

describe('search', () => {
  let scarf: string;
  let mug: string;
  let draft: string;

  before(async () => {
    scarf = await product('Handwoven wool scarf', 'Soft and warm, made on a floor loom');
    mug = await product('Stoneware mug', 'Thrown by hand, with a handwoven sleeve of cotton');
    draft = await product('Handwoven draft blanket', 'Not ready yet', 'draft');
    await t.drainJobs(); // product.changed -> search documents
  });

  test('a title prefix finds the product ("handw" finds "handwoven"), title matches rank above description-only ones', async () => {
    const result = await search('handw');
    const ids = result.items.map((i) => i.id);
    assert.deepEqual(ids, [scarf, mug]);
    assert.equal(result.items[0]!.shopName, 'Fern Studio');
  });

  test('reads.searchPage returns the page as a value, the one the route sends (type-ahead included)', async () => {
    const page = await t.app.search.reads.searchPage('handw', 20, undefined);
    assert.deepEqual(
      page.value.items.map((i) => i.id),
      [scarf, mug],
    );
    assert.equal(page.value.nextCursor, null);
    assert.equal(page.json, JSON.stringify(page.value));
    const res = await t.server.inject({ method: 'GET', url: '/api/v1/search?q=handw&limit=20' });
    assert.equal(res.body, page.json);
    assert.equal(res.headers.etag, `"${page.version}"`);
    assert.deepEqual((await t.app.search.reads.searchPage('  !! ', 20, undefined)).value, { items: [], nextCursor: null });
  });

  test('a word that appears only in the description finds the product', async () => {
    assert.deepEqual(
      (await search('loom')).items.map((i) => i.id),
      [scarf],
    );
    assert.deepEqual(
      (await search('cotton sleeve')).items.map((i) => i.id),
      [mug],
    );
    assert.deepEqual((await search('nothingmatchesthis')).items, []);
  });

  test('unpublished products are excluded, and follow publish/unpublish through the events', async () => {
    assert.ok(!(await search('blanket')).items.some((i) => i.id === draft));
    await patch(draft, { status: 'published' });
    await t.drainJobs();
    assert.deepEqual(
      (await search('blanket')).items.map((i) => i.id),
      [draft],
    );
    await patch(draft, { status: 'draft' });
    await t.drainJobs();
    assert.deepEqual((await search('blanket')).items, []);
  });

  test('an edit is searchable after its event, and the cached page is replaced', async () => {
    const id = await product('Walnut spoon', 'Carved');
    await t.drainJobs();
    assert.deepEqual(
      (await search('walnut')).items.map((i) => i.id),
      [id],
    );
    await patch(id, { title: 'Cherry spoon' });
    await t.drainJobs();
    assert.deepEqual((await search('walnut')).items, []);
    assert.deepEqual(
      (await search('cherry')).items.map((i) => i.title),
      ['Cherry spoon'],
    );
  });

  test('renaming the shop re-indexes its products (the shop name is searchable)', async () => {
    assert.deepEqual((await search('bramble')).items, []);
    const res = await t.server.inject({
      method: 'PATCH',
      url: `/api/v1/shops/${seller.shopSlug}`,
      headers: seller.headers,
      payload: { name: 'Bramble Works' },
    });
    assert.equal(res.statusCode, 200, res.body);
    await t.drainJobs();
    const found = (await search('bramble works')).items.map((i) => i.id);
    assert.ok(found.includes(scarf) && found.includes(mug), JSON.stringify(found));
  });

  test('injection-like and odd queries answer 200, never 500', async () => {
    for (const q of ['a & | !', "':* | !(", 'foo:* & bar', '<-> <2>', '\\', "''", '!!!', '(((', 'scarf:A', '🧶 scarf', 'ünïcödé', 'the']) {
      const res = await t.server.inject({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent(q)}` });
      assert.equal(res.statusCode, 200, `${q}: ${res.body}`);
    }
    assert.deepEqual(
      (await search('scarf:A')).items.map((i) => i.id),
      [scarf],
      'operators are dropped, the word still counts',
    );
  });

  test('q must be 1..100 characters; unknown parameters are refused', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/search?q=', 'querystring.q'],
      [`/api/v1/search?q=${'x'.repeat(101)}`, 'querystring.q'],
      ['/api/v1/search', 'querystring.q'],
      ['/api/v1/search?q=mug&limit=0', 'querystring.limit'],
      ['/api/v1/search?q=mug&limit=51', 'querystring.limit'],
    ];
    for (const [url, field] of cases) {
      const res = await t.server.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal((res.json() as { error: { field: string } }).error.field, field);
    }
    const extra = await t.server.inject({ method: 'GET', url: '/api/v1/search?q=mug&debug=1' });
    assert.equal(extra.statusCode, 400);
  });

  test('results are paginated: every match exactly once across pages; a bad or foreign cursor is 400', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push(await product(`Rattan basket ${i}`, i % 2 ? 'Woven rattan basket, sturdy' : 'Sturdy'));
    made.push(await product('Laundry hamper', 'A basket for laundry'));
    await t.drainJobs();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Result = await search('basket', `&limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual([...seen].sort(), [...made].sort());
    assert.equal(seen[seen.length - 1], made[7], 'the description-only match comes last');

    const first = await search('basket', '&limit=3');
    const bad = [
      'garbage',
      String(first.nextCursor).slice(0, -2),
      `${Buffer.from('{"h":"x","t":true,"r":1,"id":"x"}').toString('base64url')}.abc`,
    ];
    for (const c of bad) {
      const res = await t.server.inject({ method: 'GET', url: `/api/v1/search?q=basket&cursor=${encodeURIComponent(c)}` });
      assert.equal(res.statusCode, 400, res.body);
      const error = (res.json() as { error: { code: string; field: string } }).error;
      assert.deepEqual([error.code, error.field], ['SEARCH_INVALID_CURSOR', 'querystring.cursor']);
    }
    const foreign = await t.server.inject({
      method: 'GET',
      url: `/api/v1/search?q=hamper&cursor=${encodeURIComponent(first.nextCursor!)}`,
    });
    assert.equal(foreign.statusCode, 400, 'a cursor belongs to its query');
  });

  test('responses carry ETag and Cache-Control; If-None-Match gives 304', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/api/v1/search?q=mug' });
    assert.match(String(res.headers['cache-control']), /public, .*s-maxage=\d+/);
    const again = await t.server.inject({
      method: 'GET',
      url: '/api/v1/search?q=mug',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
  });

  test('indexProducts re-indexes in bulk and is idempotent (the seeder path: no events)', async () => {
    const ids = await t.app.catalog.service.importProducts(
      seller.shopId,
      Array.from({ length: 30 }, (_, i) => ({
        title: `Imported quilt ${i}`,
        description: 'Patchwork',
        variants: [{ options: {}, price: 5000 + i }],
      })),
    );
    assert.deepEqual((await search('quilt')).items, [], 'not indexed yet: import publishes no events');
    await t.app.search.service.indexProducts(ids);
    await t.app.search.service.indexProducts(ids);
    const count = await sql<{ n: number }>`select count(*)::int as n from search_documents where product_id = any(${ids}::uuid[])`.execute(
      t.app.stores.catalog.db,
    );
    assert.equal(count.rows[0]!.n, 30);
    const found = await search('quilt', '&limit=50');
    assert.equal(found.items.length, 30);
  });

  test('a late, older version of a product never overwrites a newer document (events may be handled out of order)', async () => {
    const db = t.app.stores.catalog.db;
    const [current] = await t.app.catalog.service.getProducts([scarf]);
    assert.ok(current);
    const doc = (title: string, updatedAt: string) => ({
      product_id: scarf,
      shop_id: current.shopId,
      category_id: null,
      status: 'published',
      title,
      description: '',
      shop_slug: current.shopSlug,
      shop_name: current.shopName,
      category_name: null,
      price_min: 1,
      currency: 'USD',
      image: null,
      created_at: current.createdAt,
      source_updated_at: updatedAt,
    });
    await upsertDocuments(db, [doc('Stale title', '2000-01-01T00:00:00.000Z')]);
    const title = async () =>
      (await sql<{ title: string }>`select title from search_documents where product_id = ${scarf}`.execute(db)).rows[0]!.title;
    assert.equal(await title(), current.title);
    // Replaying the current version is a no-op, and re-indexing converges on the catalog's state.
    await t.app.search.service.indexProducts([scarf, scarf]);
    assert.equal(await title(), current.title);
  });

  test('with more matches than candidates, walking pages gives exactly the one-shot ranking (title-only pages agree)', async () => {
    for (let i = 0; i < 6; i++) await product(`Birch whistle ${i}`, 'Carved');
    for (let i = 0; i < 3; i++) await product(`Toy ${i}`, 'A little birch toy');
    await t.drainJobs();
    const db = t.app.stores.catalog.db;
    const tsquery = toTsQueryText('birch')!;
    // Each candidate set is the first `candidates` index matches in the table's physical order, so
    // which documents they hold is up to PostgreSQL. With 4, the title zone (6 title matches) is
    // full, and the 4 matches anywhere may all be title candidates too; with 8, all 6 titles are in
    // the title zone and the 8 matches anywhere (of 9) include at least 2 description-only ones, so
    // the second zone is walked whatever the order.
    for (const candidates of [4, 8]) {
      const base = { tsquery, candidates };
      const oneShot = await searchRepo(db, { ...base, after: null, limit: 100 });
      const walked: typeof oneShot = [];
      let after: { titleHit: boolean; rank: number; id: string } | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const rows = await searchRepo(db, { ...base, after, limit: 3 });
        const page = rows.slice(0, 2);
        walked.push(...page);
        if (rows.length <= 2) break;
        const last = page[page.length - 1]!;
        after = { titleHit: last.title_hit, rank: last.rank, id: last.product_id };
      }
      assert.deepEqual(
        walked.map((r) => r.product_id),
        oneShot.map((r) => r.product_id),
        `candidates ${candidates}`,
      );
      const titleHits = oneShot.filter((r) => r.title_hit).length;
      assert.equal(titleHits, Math.min(candidates, 6), `the title zone is the title candidates (candidates ${candidates})`);
      if (candidates === 8) assert.ok(oneShot.length - titleHits >= 2, `second zone: ${oneShot.length - titleHits} rows`);
    }
  });

  test('the search query uses the GIN index', async () => {
    const db = t.app.stores.catalog.db;
    await sql`analyze search_documents`.execute(db);
    await db.transaction().execute(async (trx) => {
      // The table is tiny, so walking the primary key would win on cost: turn plain scans off to see
      // that the GIN indexes are usable (search.bench.ts checks the real plan on 100,000 rows).
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_indexscan = off`.execute(trx);
      const q = searchQuery({ tsquery: toTsQueryText('handwoven scarf')!, after: null, limit: 21, candidates: 1000 });
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${q}`.execute(trx);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      assert.match(plan, /Bitmap Index Scan on search_documents_document/, plan);
      assert.match(plan, /Bitmap Index Scan on search_documents_title/, plan);
    });
  });
});

describe('toTsQueryText', () => {
  test('keeps letters and digits only, ANDs the words, prefixes the last', () => {
    assert.equal(toTsQueryText('Handw'), "'handw':*");
    assert.equal(toTsQueryText('blue  WOOL sc'), "'blue' & 'wool' & 'sc':*");
    assert.equal(toTsQueryText("a & | ! ':*"), "'a'");
    assert.equal(toTsQueryText('x'), "'x'");
    assert.equal(toTsQueryText('!!! ((( '), null);
    assert.equal(String(toTsQueryText('1 2 3 4 5 6 7 8 9 10')).split('&').length, 8);
  });

  test('a hyphenated word is kept whole or in parts; stray hyphens are dropped', () => {
    assert.equal(toTsQueryText('hand-woven scarf'), "('hand-woven' | 'hand' & 'woven') & 'scarf':*");
    assert.equal(toTsQueryText('Bowl shop-60e0'), "'bowl' & ('shop-60e0':* | 'shop' & '60e0':*)");
    assert.equal(toTsQueryText('- a- -b'), "'a' & 'b'");
    assert.equal(toTsQueryText("x-' | !y"), "'x' & 'y'");
  });

  test('a title with a hyphenated letters-and-digits word is found by typing it (PostgreSQL parses 60e07a21 alone as a number)', async () => {
    // Words like these are what broke: inside a hyphenated word the parser keeps them whole, alone it splits them.
    for (const code of ['60e07a21', '1e5a3b2c', '9e9e9e9e']) {
      const title = `Kiln bowl k-${code}`;
      const id = await product(title, 'Wood fired');
      await t.drainJobs();
      assert.ok(
        (await search(title)).items.some((i) => i.id === id),
        title,
      );
      assert.ok(
        (await search(`k-${code.slice(0, 5)}`)).items.some((i) => i.id === id),
        `typing k-${code.slice(0, 5)}`,
      );
    }
  });
});
