import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from '../../../test/support/test-app.ts';
import { newId } from '../../shared/ids.ts';
import { toTsQueryText } from './search.query.ts';
import { search, upsertDocuments, type DocumentInput } from './search.repository.ts';
import { createSearchService } from './search.service.ts';

/**
 * Search falls back to a simpler query when the full-text query is too slow (graceful degradation).
 *
 * The slowness is real, not injected: the index holds 400 products titled "Linen ..." whose
 * descriptions are 4,000 characters long, so "linen" ranks 300 title candidates with ts_rank over
 * large weighted documents (the expensive part of the ranked query). The app's budget
 * (SEARCH_FULLTEXT_TIMEOUT_MS) is set to 1 ms, well under what that query takes here (measured
 * below, in the same run), and PostgreSQL itself cancels it; the same query with the default
 * budget answers ranked, which shows the budget, not the data, decided.
 */

const BUDGET_MS = 1;
const TITLED = 400;

let t: TestApp;

const words = ['woven', 'flax', 'natural', 'weave', 'soft', 'washed', 'stone', 'kitchen', 'table', 'studio', 'linen', 'thread'];
function longDescription(seed: number): string {
  const out: string[] = [];
  for (let i = 0; out.join(' ').length < 4000; i++)
    out.push(`${words[(seed + i * 7) % words.length]}${(seed * 31 + i) % 97}`, words[i % words.length]!);
  return out.join(' ').slice(0, 4000);
}

before(async () => {
  t = await createTestApp({ SEARCH_FULLTEXT_TIMEOUT_MS: String(BUDGET_MS) });
  const now = new Date().toISOString();
  const docs: DocumentInput[] = Array.from({ length: TITLED + 100 }, (_, i) => ({
    product_id: newId(),
    shop_id: newId(),
    category_id: null,
    status: 'published',
    title: i < TITLED ? `Linen towel ${i}` : `Stoneware jug ${i}`,
    description: longDescription(i),
    shop_slug: 'loom',
    shop_name: 'Loom',
    category_name: null,
    price_min: 1000 + i,
    currency: 'USD',
    image: null,
    created_at: now,
    source_updated_at: now,
  }));
  for (let i = 0; i < docs.length; i += 100) await upsertDocuments(t.app.stores.catalog.db, docs.slice(i, i + 100));
  await t.app.stores.catalog.pool.query('analyze search_documents');
});
after(() => t?.close());

type Page = { items: Array<{ title: string }>; nextCursor: string | null; degraded?: boolean };

test('the ranked query over its budget is cancelled and a title-only match answers, marked degraded', async (ctx) => {
  // How long the ranked query takes here, without a budget: the figure the budget is set against.
  const tsquery = toTsQueryText('linen')!;
  const timings: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await search(t.app.stores.catalog.db, { tsquery, after: null, limit: 21, candidates: 300 });
    timings.push(performance.now() - started);
  }
  const fastest = Math.min(...timings);
  ctx.diagnostic(`ranked query for "linen": ${timings.map((ms) => ms.toFixed(1)).join(', ')} ms; budget ${BUDGET_MS} ms`);
  assert.ok(fastest > BUDGET_MS, `the dataset must make the ranked query slow (fastest ${fastest.toFixed(1)} ms)`);

  const res = await t.server.inject({ method: 'GET', url: '/api/v1/search?q=linen&limit=10' });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['atelier-degraded'], 'true');
  assert.match(String(res.headers['cache-control']), /s-maxage=5\b/);
  const page = res.json() as Page;
  assert.equal(page.degraded, true);
  assert.equal(page.nextCursor, null, 'the simpler query has no later pages');
  assert.equal(page.items.length, 10);
  for (const item of page.items) assert.match(item.title, /^Linen towel/);
});

test('with the default budget the same search is ranked and paged; a later page over the budget is a 503', async () => {
  // The same data and code with the default budget (500 ms): not degraded.
  const unhurried = createSearchService({
    db: t.app.stores.catalog.db,
    replicas: t.app.stores.catalogReplicas,
    cache: t.app.cache,
    catalog: t.app.catalog.service,
    fullTextTimeoutMs: 500,
    log: t.app.log,
  });
  const prepared = await unhurried.searchPage('linen', 7, undefined);
  const page = prepared.value;
  assert.equal(prepared.json, JSON.stringify(page), 'the value and the text sent are one');
  assert.equal(page.degraded, undefined);
  assert.equal(prepared.degraded, undefined);
  assert.equal(page.items.length, 7);
  assert.ok(page.nextCursor, 'ranked pages continue');

  // The app (1 ms budget) cannot continue a ranked page with the simpler query: it says so.
  const next = await t.server.inject({
    method: 'GET',
    url: `/api/v1/search?q=linen&limit=7&cursor=${encodeURIComponent(page.nextCursor)}`,
  });
  assert.equal(next.statusCode, 503, next.body);
  assert.equal((next.json() as { error: { code: string } }).error.code, 'SEARCH_BUSY');
  assert.ok(Number(next.headers['retry-after']) > 0);
});
