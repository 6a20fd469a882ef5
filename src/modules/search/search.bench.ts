/**
 * Search on 100,000 products: `node --import tsx src/modules/search/search.bench.ts`.
 *
 * Seeds synthetic products (a small vocabulary, so some words match tens of thousands of rows and
 * "handmade" matches every row), indexes them through the real `indexProducts`, prints EXPLAIN
 * ANALYZE of the search statement for a common, a rare and a prefix query, then serves HTTP with
 * the cache OFF (every request reaches PostgreSQL; SEARCH_BENCH_CACHE=true for the default
 * configuration) and drives GET /api/v1/search with autocannon at 20 connections, over a mix of
 * words, type-ahead prefixes and pairs. Target: p99 under 50 ms on a 2-core box.
 *
 * Settings: SEARCH_BENCH_PRODUCTS (default 100000), SEARCH_BENCH_SECONDS (default 10),
 * TEST_PG_ADMIN_URL (a PostgreSQL to use; otherwise an embedded one is started in a temp folder).
 */
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { ensureScratchPostgres } from '../../../test/support/scratch-postgres.ts';
import { newId } from '../../shared/ids.ts';
import { toTsQueryText } from './search.query.ts';
import { searchQuery } from './search.repository.ts';

const PRODUCTS = Number(process.env.SEARCH_BENCH_PRODUCTS ?? 100_000);
const SECONDS = Number(process.env.SEARCH_BENCH_SECONDS ?? 10);

const ADJECTIVES = [
  'rustic',
  'vintage',
  'hand-painted',
  'minimal',
  'cozy',
  'bold',
  'delicate',
  'woven',
  'carved',
  'glazed',
  'speckled',
  'organic',
];
const MATERIALS = [
  'ceramic',
  'wool',
  'linen',
  'oak',
  'walnut',
  'leather',
  'silver',
  'brass',
  'cotton',
  'glass',
  'stoneware',
  'rattan',
  'silk',
  'copper',
  'clay',
];
const NOUNS = [
  'mug',
  'bowl',
  'scarf',
  'basket',
  'necklace',
  'vase',
  'spoon',
  'blanket',
  'lamp',
  'ring',
  'tote',
  'planter',
  'coaster',
  'quilt',
  'plate',
  'candle',
  'earrings',
  'cushion',
  'apron',
  'print',
];
const EXTRAS = ['gift', 'wedding', 'kitchen', 'garden', 'nursery', 'studio', 'heirloom', 'everyday', 'limited', 'seasonal'];

const scratch = await ensureScratchPostgres('search-bench');
// Imported after TEST_PG_ADMIN_URL is set.
const { createTestApp } = await import('../../../test/support/test-app.ts');
const CACHE = process.env.SEARCH_BENCH_CACHE === 'true';
const t = await createTestApp({ CACHE_ENABLED: String(CACHE), PG_POOL_MAX: '10', PG_STATEMENT_TIMEOUT_MS: '60000' });

try {
  const { catalog, search } = t.app;
  const db = t.app.stores.catalog.db;
  const started = Date.now();
  const shops = await Promise.all(
    ['north', 'south', 'east', 'west'].map((n) => catalog.service.createShop(newId(), { slug: `${n}-makers`, name: `${n} makers` })),
  );
  const cats = await Promise.all(
    ['home', 'jewellery', 'textiles', 'kitchenware'].map((slug) => catalog.service.createCategory({ slug, name: slug })),
  );
  let n = 0;
  const pick = <T>(xs: readonly T[], i: number) => xs[i % xs.length]!;
  for (let i = 0; i < PRODUCTS; i += 5000) {
    const batch = Array.from({ length: Math.min(5000, PRODUCTS - i) }, () => {
      const k = n++;
      const title = `${pick(ADJECTIVES, k)} ${pick(MATERIALS, Math.floor(k / 12))} ${pick(NOUNS, Math.floor(k / 7))}`;
      return {
        title: k % 1000 === 0 ? `${title} zanzibar` : title,
        description: `A handmade ${pick(NOUNS, k * 3)} for your ${pick(EXTRAS, k)}. Made from ${pick(MATERIALS, k * 5)} in small batches, ${pick(ADJECTIVES, k * 7)} finish.`,
        categoryId: pick(cats, k).id,
        status: k % 10 === 9 ? ('draft' as const) : ('published' as const),
        variants: [{ options: {}, price: 500 + (k % 400) * 25 }],
      };
    });
    await catalog.service.importProducts(pick(shops, i / 5000).id, batch);
  }
  console.log(`seeded ${PRODUCTS} products in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const indexStart = Date.now();
  for (let after: string | null = null; ;) {
    const ids = await catalog.service.listProductIds(after, 5000);
    if (ids.length === 0) break;
    await search.service.indexProducts(ids);
    after = ids[ids.length - 1]!;
  }
  await sql`vacuum analyze search_documents`.execute(db);
  console.log(`indexed in ${((Date.now() - indexStart) / 1000).toFixed(1)} s`);

  const counts = async (q: string) =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from search_documents where status = 'published' and document @@ to_tsquery('english', ${toTsQueryText(q)})`.execute(
        db,
      )
    ).rows[0]!.n;
  for (const q of (process.env.SEARCH_BENCH_QUERIES ?? 'handmade,ceramic mug,zanzibar,wo,rustic').split(',')) {
    const tsquery = toTsQueryText(q)!;
    const { rows } = await sql<{
      'QUERY PLAN': string;
    }>`explain (analyze, buffers) ${searchQuery({ tsquery, after: null, limit: 21, candidates: 300 })}`.execute(db);
    const plan = rows.map((r) => r['QUERY PLAN']);
    const gin = plan.some((l) => /Bitmap Index Scan on search_documents_document/.test(l));
    console.log(
      `\n-- q="${q}" (${await counts(q)} matching published rows) uses GIN: ${gin}; ${plan.filter((l) => /Execution Time/.test(l)).join('')}`,
    );
    if (process.env.SEARCH_BENCH_PLANS) console.log(plan.join('\n'));
  }

  const address = await t.server.listen({ host: '127.0.0.1', port: 0 });
  // A shopper's mix: single words, type-ahead prefixes, pairs, and some junk.
  const vocabulary = [...ADJECTIVES, ...MATERIALS, ...NOUNS, ...EXTRAS];
  const queries = [
    ...vocabulary,
    ...vocabulary.flatMap((w) => [w.slice(0, 2), w.slice(0, 4)]),
    ...MATERIALS.flatMap((m, i) => [`${m} ${NOUNS[i % NOUNS.length]}`, `${ADJECTIVES[i % ADJECTIVES.length]} ${m}`]),
    'handmade',
    'handmade gift',
    'zanzibar',
    'a & | !',
  ];
  if (process.env.SEARCH_BENCH_PROFILE) {
    const timings: Array<[string, number]> = [];
    for (const q of new Set(queries)) {
      const tsquery = toTsQueryText(q);
      if (!tsquery) continue;
      const { rows } = await sql<{
        'QUERY PLAN': string;
      }>`explain (analyze) ${searchQuery({ tsquery, after: null, limit: 21, candidates: 300 })}`.execute(db);
      const ms = Number(/Execution Time: ([\d.]+)/.exec(rows.map((r) => r['QUERY PLAN']).join('\n'))?.[1] ?? 0);
      timings.push([q, ms]);
    }
    timings.sort((a, b) => b[1] - a[1]);
    const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(
      `mean ${(total / timings.length).toFixed(2)} ms; slowest: ${timings
        .slice(0, 15)
        .map(([q, ms]) => `${q}=${ms.toFixed(1)}`)
        .join(', ')}`,
    );
  }
  const result = await autocannon({
    url: address,
    connections: 20,
    duration: SECONDS,
    requests: [
      {
        method: 'GET',
        setupRequest: (req) => ({
          ...req,
          path: `/api/v1/search?q=${encodeURIComponent(queries[Math.floor(Math.random() * queries.length)]!)}`,
        }),
      },
    ],
  });
  const ok = result.non2xx === 0 && result.errors === 0;
  console.log(
    `\nGET /api/v1/search (${queries.length} distinct queries), cache ${CACHE ? 'on' : 'off'}, 20 connections, ${SECONDS} s: ${Math.round(result.requests.average)} req/s, ` +
      `p50 ${result.latency.p50} ms, p97.5 ${result.latency.p97_5} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms; ` +
      `non-2xx ${result.non2xx}, errors ${result.errors}`,
  );
  console.log(result.latency.p99 < 50 && ok ? 'TARGET MET: p99 < 50 ms' : 'TARGET MISSED: p99 >= 50 ms or errors');
} finally {
  await t.close();
  await scratch.stop();
}
