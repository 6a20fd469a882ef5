import { fixed, type Row, type Target } from './report.ts';

/**
 * `npm run bench -- --only pages`: the storefront's server-rendered pages, each measured in the
 * same run (and the same interleaved rounds) as the JSON route that serves the same data, so a
 * page's cost reads as a share of its API twin's rather than as a number that depends on the
 * machine. Pairs: home and the category list, the listing page and the product list with the same
 * filters, a product page warm and cold and the product JSON warm and cold, search and search.
 *
 * The cold pair walks two disjoint halves of the catalog, so neither warms the other's reads.
 */

/** What bench/run.ts measures (its Scenario, structurally). */
export type PageScenario = Readonly<{
  name: string;
  connections: number;
  paths: readonly string[];
  baseline: string | null;
  warmup: boolean;
  unavailable?: string;
}>;

export type PageSample = Readonly<{
  hotIds: readonly string[];
  coldIds: readonly string[];
  categorySlugs: readonly string[];
  searchTerms: readonly string[];
}>;

const CONNECTIONS = 50;

/** Scenario names the targets look up. */
export const PAGE = {
  listJson: 'JSON /api/v1/products?…',
  listPage: 'page /products?…',
  productWarmJson: 'JSON product warm (hot ids)',
  productWarmPage: 'page product warm (hot ids)',
} as const;

export function pageScenarios(sample: PageSample): PageScenario[] {
  const noProducts = sample.coldIds.length === 0 ? { unavailable: 'no published products: is the catalog (and its seeder) built?' } : {};
  const noTerms = sample.searchTerms.length === 0 ? { unavailable: 'no product titles to take search terms from' } : {};
  // The same filters and sorts on both sides; the page takes the API's query parameters.
  const listQueries = [
    '',
    '?sort=price_asc',
    '?sort=price_desc',
    '?minPrice=1000&maxPrice=5000',
    ...sample.categorySlugs.slice(0, 4).map((slug) => `?category=${encodeURIComponent(slug)}`),
  ];
  const half = Math.ceil(sample.coldIds.length / 2);
  const pair = (json: Omit<PageScenario, 'connections' | 'baseline'>, page: Omit<PageScenario, 'connections' | 'baseline'>) => [
    { connections: CONNECTIONS, baseline: null, ...json },
    { connections: CONNECTIONS, baseline: json.name, ...page },
  ];
  return [
    ...pair(
      { name: 'JSON /api/v1/categories', paths: ['/api/v1/categories'], warmup: true },
      { name: 'page / (home)', paths: ['/'], warmup: true },
    ),
    ...pair(
      { name: PAGE.listJson, paths: listQueries.map((q) => `/api/v1/products${q}`), warmup: true },
      { name: PAGE.listPage, paths: listQueries.map((q) => `/products${q}`), warmup: true },
    ),
    ...pair(
      {
        name: 'JSON /api/v1/products?category=',
        paths: sample.categorySlugs.map((slug) => `/api/v1/products?category=${encodeURIComponent(slug)}`),
        warmup: true,
        ...(sample.categorySlugs.length === 0 ? { unavailable: 'no categories' } : {}),
      },
      {
        name: 'page /categories/:slug',
        paths: sample.categorySlugs.map((slug) => `/categories/${encodeURIComponent(slug)}`),
        warmup: true,
        ...(sample.categorySlugs.length === 0 ? { unavailable: 'no categories' } : {}),
      },
    ),
    ...pair(
      { name: PAGE.productWarmJson, paths: sample.hotIds.map((id) => `/api/v1/products/${id}`), warmup: true, ...noProducts },
      { name: PAGE.productWarmPage, paths: sample.hotIds.map((id) => `/products/${id}`), warmup: true, ...noProducts },
    ),
    // Cache misses: every request a product neither side has read before.
    ...pair(
      {
        name: 'JSON product cold',
        paths: sample.coldIds.slice(0, half).map((id) => `/api/v1/products/${id}`),
        warmup: false,
        ...noProducts,
      },
      { name: 'page product cold', paths: sample.coldIds.slice(half).map((id) => `/products/${id}`), warmup: false, ...noProducts },
    ),
    ...pair(
      {
        name: 'JSON /api/v1/search?q=',
        paths: sample.searchTerms.map((q) => `/api/v1/search?q=${encodeURIComponent(q)}`),
        warmup: true,
        ...noTerms,
      },
      { name: 'page /search?q=', paths: sample.searchTerms.map((q) => `/search?q=${encodeURIComponent(q)}`), warmup: true, ...noTerms },
    ),
  ];
}

/** The storefront issue's targets: warm product and listing pages at >= 80% of their JSON twin's req/s, p99 < 25 ms. */
export function judgePageTargets(rows: readonly Row[]): Target[] {
  const find = (scenario: string) => rows.find((r) => r.scenario === scenario && !r.skipped);
  const targets: Target[] = [];
  for (const [label, page, json] of [
    ['warm product page', PAGE.productWarmPage, PAGE.productWarmJson],
    ['listing page', PAGE.listPage, PAGE.listJson],
  ] as const) {
    const p = find(page);
    const j = find(json);
    if (!p || !j) {
      targets.push({
        name: `${label} >= 80% of its JSON route's req/s`,
        kind: 'issue',
        verdict: 'N/A',
        detail: 'page or JSON scenario did not run',
      });
      targets.push({ name: `${label} p99 < 25 ms`, kind: 'issue', verdict: 'N/A', detail: 'scenario did not run' });
      continue;
    }
    const ratio = p.reqPerSec / j.reqPerSec;
    const faults = p.errors + p.non2xx;
    targets.push({
      name: `${label} >= 80% of its JSON route's req/s`,
      kind: 'issue',
      verdict: ratio >= 0.8 && faults === 0 ? 'PASS' : 'FAIL',
      detail: `${fixed(p.reqPerSec, 0)} vs ${fixed(j.reqPerSec, 0)} req/s = ${(ratio * 100).toFixed(0)}%${faults > 0 ? `, ${faults} errors` : ''}`,
    });
    targets.push({
      name: `${label} p99 < 25 ms`,
      kind: 'issue',
      verdict: p.p99Ms < 25 ? 'PASS' : 'FAIL',
      detail: `p99 ${fixed(p.p99Ms, 1)} ms at ${p.connections} connections`,
    });
  }
  return targets;
}
