/**
 * `npm run bench`: how fast the catalog reads are, compared with the cheapest things the same
 * server can do, in one command anyone can rerun.
 *
 * 1. Prepares a catalog of BENCH_PRODUCTS products (default 100,000) in its own data folder
 *    (.atelier/bench/, reused by later runs) with `atelier seed`.
 * 2. Starts one API process (`atelier api`) and measures, with autocannon: the bare `/health`
 *    route and one primary-key lookup through the pool (the baselines), then the catalog list,
 *    product detail warm and cold, a shop page and search.
 * 3. Beside it, a second API process with the cache off (CACHE_ENABLED=false, on BENCH_PORT + 2),
 *    measured in the same rounds: the lookup baseline and product detail over the same cold ids.
 *    Both processes run from the start, so "cold with the cache on / cold with it off" compares
 *    reads a few seconds apart, not two phases minutes apart on a machine whose load moves.
 * 4. Prints a table and the targets, and writes both to bench/results/<timestamp>.json.
 *
 * Each phase's scenarios run in interleaved rounds and keep their medians (see measurePhase).
 *
 * 5. The checkout path (bench/checkout.ts): pgbench TPC-B as the baseline on the same server and
 *    the order floor (one order's SQL, no Atelier code), then "spread", "paced" and "flash sale"
 *    against the API and worker, each followed by the invariant checks.
 *
 * 6. Scale-out (bench/scale.ts): CPU time per request of catalog reads through 1 API process and
 *    through 2 (`--api-processes 2`) with the Redis tier, and how fast an edit on one node reaches
 *    the others.
 *
 * 7. Shard move (bench/shard-move.ts): 100,000 orders in one logical shard moved to the other shard
 *    database under light write load: total time and the longest write freeze for that shard.
 *
 * 8. Overload (bench/overload.ts): the capacity of one `atelier start` for a mix of anonymous browsing and
 *    checkouts (closed loop), then that mix at twice it (open model) with the shipped load-shedding
 *    settings: checkout latency against its SLO, browsing shed with 503.
 *
 * 9. Pages (bench/pages.ts): each storefront page beside the JSON route serving the same data, in the
 *    same rounds (home, listing, category, product warm and cold, search), with the page/JSON ratio.
 *
 * Every part runs by default; `npm run bench -- --only catalog|checkout|scale|shard-move|overload|pages` (or BENCH_ONLY=...)
 * runs one (or a comma-separated few).
 *
 * Settings: BENCH_PRODUCTS, BENCH_DURATION (seconds per scenario, default 10), BENCH_ROUNDS (3),
 * BENCH_DATA_DIR, BENCH_PG_PORT, BENCH_PORT, BENCH_STRICT=true (exit 1 when a target fails).
 * Checkout: BENCH_CHECKOUT_DURATION (15), BENCH_CHECKOUT_CONCURRENCY (50), BENCH_CUSTOMERS (500),
 * BENCH_CHECKOUT_PRODUCTS (200), BENCH_FLASH_STOCK (1000), BENCH_FLASH_BUYERS (500),
 * BENCH_WORKER_CONCURRENCY, BENCH_PG_POOL_MAX, BENCH_PROVIDER_PORT (3199), BENCH_PGBENCH_SECONDS (15),
 * BENCH_PACED_PERCENT (50: the open-model scenario's arrival rate, in % of the closed loop's),
 * BENCH_CHECKOUT_LAYOUT (split: api, worker and provider processes; one-process: `atelier start`),
 * BENCH_METRICS_PORT (3298: the metrics listener of `start`, `api` and the overload's `start`),
 * BENCH_WORKER_METRICS_PORT (3299), BENCH_COST_DETAIL=true (every SQL statement name per order),
 * BENCH_PG_STATEMENTS=true (starts the server with pg_stat_statements and prints the statements that
 * took its time during the spread scenario; a server already running keeps its settings: stop it first).
 * Scale: REDIS_URL (else a local Redis if one answers), BENCH_SCALE_DURATION (9), BENCH_SCALE_CONNECTIONS (50),
 * BENCH_SCALE_PRODUCTS (20), BENCH_SCALE_EDITS (200); the cluster listens on BENCH_PORT + 1.
 * Overload: BENCH_OVERLOAD_CAPACITY_SECONDS (10), BENCH_OVERLOAD_SECONDS (30), BENCH_OVERLOAD_PERCENT (200: the
 * arrival rate in % of the measured capacity); the server listens on BENCH_PORT.
 * Shard move: BENCH_SHARD_ORDERS (100000), BENCH_SHARD_CUSTOMERS (1000), BENCH_SHARD_WRITERS (4),
 * BENCH_SHARD_WRITE_GAP_MS (20).
 * A broken invariant always exits 1.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/platform/postgres/embedded-postgres.ts';
import { EMBEDDED_CATALOG_DB } from '../src/platform/postgres/stores.ts';
import { startAtelier, stopAllAtelier, stopAtelier, waitUntilReady, type AtelierChild } from './children.ts';
import { formatCheckoutTable, runCheckoutBench, type CheckoutResult } from './checkout.ts';
import { judgePageTargets, pageScenarios } from './pages.ts';
import { formatTable, formatTargets, judgeTargets, type Row, type Target } from './report.ts';
import { DEFAULT_OVERLOAD, overloadTargets, runOverloadBench } from './overload.ts';
import { formatScaleTable, runScaleBench, type ScaleResult } from './scale.ts';
import { formatShardMoveTable, runShardMoveBench, type ShardMoveResult } from './shard-move.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

function intSetting(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min} (got "${raw}")`);
  return n;
}

function layoutSetting(): 'split' | 'one-process' {
  const raw = process.env.BENCH_CHECKOUT_LAYOUT || 'split';
  if (raw !== 'split' && raw !== 'one-process') throw new Error(`BENCH_CHECKOUT_LAYOUT must be split or one-process (got "${raw}")`);
  return raw;
}

const PARTS = ['catalog', 'checkout', 'scale', 'shard-move', 'overload', 'pages'] as const;
type Part = (typeof PARTS)[number];

/** Which parts to run: `--only <part>` on the command line, else BENCH_ONLY, else all. */
function selectedParts(): Set<Part> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { only: { type: 'string' } }, allowPositionals: false });
  const raw = values.only ?? process.env.BENCH_ONLY;
  if (raw === undefined || raw === '') return new Set(PARTS);
  const picked = raw.split(',').map((p) => p.trim());
  for (const p of picked) {
    if (!(PARTS as readonly string[]).includes(p)) {
      console.error(`--only / BENCH_ONLY must name ${PARTS.join(' or ')} (got "${p}")`);
      process.exit(2);
    }
  }
  return new Set(picked as Part[]);
}

const parts = selectedParts();

const settings = {
  products: intSetting('BENCH_PRODUCTS', 100_000, 1),
  durationSec: intSetting('BENCH_DURATION', 10, 1),
  rounds: intSetting('BENCH_ROUNDS', 3, 1),
  dataDir: path.resolve(ROOT, process.env.BENCH_DATA_DIR || path.join('.atelier', 'bench')),
  pgPort: intSetting('BENCH_PG_PORT', 54339, 1),
  apiPort: intSetting('BENCH_PORT', 3099, 1),
  strict: process.env.BENCH_STRICT === 'true',
  checkout: {
    apiPort: intSetting('BENCH_PORT', 3099, 1),
    providerPort: intSetting('BENCH_PROVIDER_PORT', 3199, 1),
    durationSec: intSetting('BENCH_CHECKOUT_DURATION', 15, 1),
    concurrency: intSetting('BENCH_CHECKOUT_CONCURRENCY', 50, 1),
    customers: intSetting('BENCH_CUSTOMERS', 500, 1),
    products: intSetting('BENCH_CHECKOUT_PRODUCTS', 200, 1),
    flashStock: intSetting('BENCH_FLASH_STOCK', 1000, 1),
    flashBuyers: intSetting('BENCH_FLASH_BUYERS', 500, 1),
    workerConcurrency: intSetting('BENCH_WORKER_CONCURRENCY', 8, 1),
    poolMax: intSetting('BENCH_PG_POOL_MAX', 20, 1),
    pgbenchSec: intSetting('BENCH_PGBENCH_SECONDS', 15, 1),
    drainTimeoutSec: 180,
    layout: layoutSetting(),
    metricsPort: intSetting('BENCH_METRICS_PORT', 3298, 1),
    workerMetricsPort: intSetting('BENCH_WORKER_METRICS_PORT', 3299, 1),
    statementStats: process.env.BENCH_PG_STATEMENTS === 'true',
    pacedFraction: intSetting('BENCH_PACED_PERCENT', 50, 1) / 100,
  },
  scale: {
    apiPort: intSetting('BENCH_PORT', 3099, 1),
    durationSec: intSetting('BENCH_SCALE_DURATION', 9, 1),
    rounds: intSetting('BENCH_ROUNDS', 3, 1),
    connections: intSetting('BENCH_SCALE_CONNECTIONS', 50, 1),
    products: intSetting('BENCH_SCALE_PRODUCTS', 20, 1),
    edits: intSetting('BENCH_SCALE_EDITS', 200, 1),
    redisUrl: process.env.REDIS_URL || null,
  },
  shardMove: {
    orders: intSetting('BENCH_SHARD_ORDERS', 100_000, 1),
    customers: intSetting('BENCH_SHARD_CUSTOMERS', 1000, 1),
    writers: intSetting('BENCH_SHARD_WRITERS', 4, 1),
    writeGapMs: intSetting('BENCH_SHARD_WRITE_GAP_MS', 20, 0),
  },
  overload: {
    ...DEFAULT_OVERLOAD,
    capacitySec: intSetting('BENCH_OVERLOAD_CAPACITY_SECONDS', 10, 1),
    overloadSec: intSetting('BENCH_OVERLOAD_SECONDS', 30, 1),
    overloadFactor: intSetting('BENCH_OVERLOAD_PERCENT', 200, 1) / 100,
  },
};
const BASE = `http://127.0.0.1:${settings.apiPort}`;
/** The API with the cache off, measured in the same rounds as the one with it on (BENCH_PORT + 2: + 1 is the scale part's). */
const OFF_PORT = settings.apiPort + 2;
const OFF_BASE = `http://127.0.0.1:${OFF_PORT}`;
const WARMUP_SEC = Math.min(3, Math.max(1, Math.round(settings.durationSec / 4)));
/** Each scenario's BENCH_DURATION is split over the rounds. */
const ROUND_SEC = Math.max(1, Math.round(settings.durationSec / settings.rounds));

/** Child environment: the bench's own data and ports; never a developer's external databases. */
function atelierEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['CATALOG_DATABASE_URL', 'SHARD_DATABASE_URLS', 'MEDIA_DIR', 'PORT', 'HOST', 'CACHE_ENABLED']) delete env[key];
  return {
    ...env,
    ATELIER_DATA_DIR: settings.dataDir,
    EMBEDDED_PG_PORT: String(settings.pgPort),
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'false',
    ...extra,
  };
}

/** A small deterministic PRNG, so two runs sample the same ids from the same catalog. */
function shuffled<T>(items: readonly T[], seed = 42): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The catalog to measure

type Sample = {
  published: number;
  hotIds: string[];
  coldIds: string[];
  shopSlugs: string[];
  categorySlugs: string[];
  searchTerms: string[];
};

const MISSING_TABLE = '42P01';

/** Products in the catalog: all of them (the seeder leaves some as drafts, as real shops do), and the published ones. */
async function countProducts(catalog: pg.Pool): Promise<{ total: number; published: number }> {
  try {
    const { rows } = await catalog.query<{ total: number; published: number }>(
      `select count(*)::int as total, (count(*) filter (where status = 'published'))::int as published from catalog_products`,
    );
    return { total: rows[0]?.total ?? 0, published: rows[0]?.published ?? 0 };
  } catch (err) {
    if ((err as { code?: string }).code === MISSING_TABLE) return { total: 0, published: 0 };
    throw err;
  }
}

async function ensureCatalog(catalog: pg.Pool): Promise<{ total: number; published: number }> {
  const have = await countProducts(catalog);
  if (have.total >= settings.products) {
    console.log(`catalog: ${have.total} products (${have.published} published) already in ${settings.dataDir}, reused`);
    return have;
  }
  const missing = settings.products - have.total;
  console.log(`catalog: ${have.total} products, seeding ${missing} more (once; later runs reuse them)...`);
  const started = Date.now();
  const seed = startAtelier('seed', ['seed', '--products', String(missing)], atelierEnv({}), { showOutput: true });
  const code = await seed.exited;
  if (code !== 0) throw new Error(`atelier seed exited with ${code}`);
  const now = await countProducts(catalog);
  console.log(
    `catalog: ${now.total} products (${now.published} published) after ${((Date.now() - started) / 1000).toFixed(0)} s of seeding`,
  );
  if (now.total < settings.products) {
    console.warn(`  warning: the seeder made fewer products than asked (${now.total} < ${settings.products}); measuring what exists`);
  }
  return now;
}

/** Words shoppers would type: frequent title words, some prefixes of them, a few two-word phrases. */
function searchTermsFrom(titles: readonly string[]): string[] {
  const counts = new Map<string, number>();
  const phrases: string[] = [];
  for (const title of titles) {
    const words = title.toLowerCase().match(/\p{L}{4,}/gu) ?? [];
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    if (words.length >= 2 && phrases.length < 5) phrases.push(`${words[0]} ${words[1]}`);
  }
  const frequent = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([w]) => w)
    .slice(0, 15);
  const prefixes = frequent.slice(0, 6).map((w) => w.slice(0, Math.max(3, Math.ceil(w.length / 2))));
  return shuffled([...frequent, ...prefixes, ...phrases], 7);
}

async function sampleCatalog(catalog: pg.Pool, published: number): Promise<Sample> {
  const safe = async <T extends pg.QueryResultRow>(text: string): Promise<T[]> => {
    try {
      return (await catalog.query<T>(text)).rows;
    } catch (err) {
      if ((err as { code?: string }).code === MISSING_TABLE) return [];
      throw err;
    }
  };
  // Every published id: the cold scenarios walk the whole catalog so that most reads miss the cache.
  const ids = shuffled((await safe<{ id: string }>(`select id from catalog_products where status = 'published'`)).map((r) => r.id));
  const shopSlugs = (await safe<{ slug: string }>(`select slug from catalog_shops order by slug limit 50`)).map((r) => r.slug);
  const categorySlugs = (await safe<{ slug: string }>(`select slug from catalog_categories order by slug limit 10`)).map((r) => r.slug);
  const titles = (
    await safe<{ title: string }>(`select title from catalog_products where status = 'published' order by id limit 3000`)
  ).map((r) => r.title);
  return {
    published,
    hotIds: ids.slice(0, 20),
    coldIds: ids.length > 20 ? ids.slice(20) : ids,
    shopSlugs,
    categorySlugs,
    searchTerms: searchTermsFrom(titles),
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

type Scenario = Readonly<{
  name: string;
  connections: number;
  paths: readonly string[];
  baseline: string | null;
  /** Run the same paths briefly first, so the measurement sees a warm cache. */
  warmup: boolean;
  /** Why it cannot run, found before the server starts (no products, no shops...). */
  unavailable?: string;
  /** Another API process than the phase's (the one with the cache off), and the cache its rows say. */
  base?: string;
  cache?: 'on' | 'off';
}>;

/** Where a scenario's rotation stands: kept across rounds, so a cold walk never revisits an id. */
type Rotation = { next: number };

async function hammer(
  paths: readonly string[],
  connections: number,
  durationSec: number,
  rotation: Rotation = { next: 0 },
  base = BASE,
): Promise<autocannon.Result> {
  return autocannon({
    url: base,
    connections,
    duration: durationSec,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        // One path after another, so the rotation (hot set, whole catalog, search terms) is exact.
        setupRequest: (req) => ({ ...req, path: paths[rotation.next++ % paths.length]! }),
      },
    ],
  });
}

/** One request first: a missing route or a failing one is reported instead of measured. */
async function probe(paths: readonly string[], base = BASE): Promise<string | null> {
  try {
    const res = await fetch(base + paths[0], { signal: AbortSignal.timeout(10_000) });
    if (res.ok) return null;
    const text = (await res.text()).slice(0, 160);
    return res.status === 404 && text.includes('No route')
      ? `route not built yet (GET ${paths[0]} -> 404)`
      : `GET ${paths[0]} -> ${res.status} ${text}`;
  } catch (err) {
    return `GET ${paths[0]} failed: ${(err as Error).message}`;
  }
}

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Measures a phase's scenarios in interleaved rounds (each scenario once per round, in order)
 * and keeps the median of each. Load from anything else on the machine then falls on every
 * scenario alike instead of on whichever happened to run at the wrong moment, and the spread of
 * the rounds shows how steady the machine was.
 */
async function measurePhase(plan: readonly Scenario[], cache: 'on' | 'off', rows: Row[]): Promise<void> {
  const runnable: Array<{ s: Scenario; rotation: Rotation; trials: autocannon.Result[] }> = [];
  for (const s of plan) {
    const reason = s.unavailable ?? (await probe(s.paths, s.base));
    if (reason) {
      console.log(`  ${s.name}: skipped (${reason})`);
      rows.push({
        scenario: s.name,
        cache: s.cache ?? cache,
        connections: s.connections,
        reqPerSec: NaN,
        reqPerSecRange: [NaN, NaN],
        p50Ms: NaN,
        p99Ms: NaN,
        maxMs: NaN,
        requests: 0,
        bytesPerResponse: NaN,
        errors: 0,
        non2xx: 0,
        baseline: s.baseline,
        ratio: null,
        skipped: reason,
      });
    } else {
      runnable.push({ s, rotation: { next: 0 }, trials: [] });
    }
  }
  for (let round = 1; round <= settings.rounds; round++) {
    console.log(`  round ${round} of ${settings.rounds}`);
    for (const item of runnable) {
      const { s, rotation } = item;
      if (round === 1 && s.warmup) await hammer(s.paths, s.connections, WARMUP_SEC, { next: 0 }, s.base);
      const r = await hammer(s.paths, s.connections, ROUND_SEC, rotation, s.base);
      item.trials.push(r);
      console.log(
        `    ${s.name}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms` +
          (r.errors + r.timeouts + r.non2xx > 0 ? `, ${r.errors + r.timeouts} errors, ${r.non2xx} non-2xx` : ''),
      );
    }
  }
  for (const { s, trials } of runnable) {
    const rates = trials.map((t) => t.requests.average);
    const requests = trials.reduce((n, t) => n + t.requests.total, 0);
    const bytes = trials.reduce((n, t) => n + t.throughput.total, 0);
    rows.push({
      scenario: s.name,
      cache: s.cache ?? cache,
      connections: s.connections,
      reqPerSec: median(rates),
      reqPerSecRange: [Math.min(...rates), Math.max(...rates)],
      p50Ms: median(trials.map((t) => t.latency.p50)),
      p99Ms: median(trials.map((t) => t.latency.p99)),
      maxMs: Math.max(...trials.map((t) => t.latency.max)),
      requests,
      bytesPerResponse: requests > 0 ? bytes / requests : NaN,
      errors: trials.reduce((n, t) => n + t.errors + t.timeouts, 0),
      non2xx: trials.reduce((n, t) => n + t.non2xx, 0),
      baseline: s.baseline,
      ratio: null,
      skipped: null,
    });
  }
  // Ratios once every median is known (a baseline may be measured after the scenario in a round).
  for (const [i, row] of rows.entries()) {
    if (row.skipped || !row.baseline) continue;
    const base = rows.find((x) => x.scenario === row.baseline && x.cache === row.cache && !x.skipped);
    if (base) rows[i] = { ...row, ratio: row.reqPerSec / base.reqPerSec };
  }
}

/**
 * A fresh process runs its first seconds in the interpreter: JIT-compile every route before the
 * first baseline, or the baseline measures a cold server and every ratio after it flatters. A few
 * paths of each scenario.
 */
async function warmServer(plan: readonly Scenario[]): Promise<void> {
  // Cold walks are warmed from their far end, which a 10 s run does not reach.
  const runnable = plan.filter((s) => !s.unavailable);
  for (const base of new Set(runnable.map((s) => s.base ?? BASE))) {
    const paths = runnable.filter((s) => (s.base ?? BASE) === base).flatMap((s) => (s.warmup ? s.paths.slice(0, 20) : s.paths.slice(-20)));
    if (paths.length === 0) continue;
    process.stdout.write(`  warming up ${base} (${WARMUP_SEC * 2} s)...`);
    await hammer(shuffled(paths), 20, WARMUP_SEC * 2, { next: 0 }, base);
    console.log(' done');
  }
}

/** The cursor of page 2 of the default list, as a client would get it; null when there is none. */
async function firstPageCursor(): Promise<string | null> {
  try {
    const res = await fetch(`${BASE}/api/v1/products`, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return null;
    const page = (await res.json()) as { nextCursor?: unknown };
    return typeof page.nextCursor === 'string' ? page.nextCursor : null;
  } catch {
    return null;
  }
}

async function startApi(cacheEnabled: boolean, port = settings.apiPort): Promise<AtelierChild> {
  const api = startAtelier(
    cacheEnabled ? 'api' : 'api (cache off)',
    ['api'],
    atelierEnv({
      HOST: '127.0.0.1',
      PORT: String(port),
      BENCH_ROUTES: 'true',
      CACHE_ENABLED: String(cacheEnabled),
    }),
  );
  await waitUntilReady(api, `http://127.0.0.1:${port}/health`);
  return api;
}

function scenarios(sample: Sample, secondPage: string | null): Scenario[] {
  const noProducts = sample.coldIds.length === 0 ? 'no published products: is the catalog (and its seeder) built?' : undefined;
  const lookup: Scenario = {
    name: 'one-lookup (baseline)',
    connections: 50,
    paths: sample.coldIds.map((id) => `/bench/one-lookup/${id}`),
    baseline: null,
    warmup: false,
    ...(noProducts ? { unavailable: noProducts } : {}),
  };
  const cold: Scenario = {
    name: 'detail cold (whole catalog)',
    connections: 50,
    paths: sample.coldIds.map((id) => `/api/v1/products/${id}`),
    baseline: 'one-lookup (baseline)',
    warmup: false,
    ...(noProducts ? { unavailable: noProducts } : {}),
  };
  // The filters and sorts a shopper clicks: by price, by category (slug), one shop, a price band,
  // and page 2 through the cursor the first page handed out.
  const listVariants = [
    '/api/v1/products?sort=price_asc',
    '/api/v1/products?sort=price_desc',
    '/api/v1/products?limit=48',
    '/api/v1/products?minPrice=1000&maxPrice=5000',
    ...sample.categorySlugs.slice(0, 4).map((slug) => `/api/v1/products?category=${encodeURIComponent(slug)}`),
    ...sample.shopSlugs.slice(0, 3).map((slug) => `/api/v1/products?shop=${encodeURIComponent(slug)}`),
    ...(secondPage ? [`/api/v1/products?cursor=${encodeURIComponent(secondPage)}`] : []),
  ];
  // The cache-off process's two scenarios run beside their cache-on twins, in the same rounds.
  const off = { base: OFF_BASE, cache: 'off' } as const;
  return [
    { name: '/health (bare route)', connections: 50, paths: ['/health'], baseline: null, warmup: true },
    lookup,
    { ...lookup, ...off },
    { name: 'list /api/v1/products', connections: 50, paths: ['/api/v1/products'], baseline: '/health (bare route)', warmup: true },
    { name: 'list filters/sorts', connections: 50, paths: listVariants, baseline: '/health (bare route)', warmup: true },
    {
      name: 'detail warm (hot ids)',
      connections: 50,
      paths: sample.hotIds.map((id) => `/api/v1/products/${id}`),
      baseline: '/health (bare route)',
      warmup: true,
      ...(noProducts ? { unavailable: noProducts } : {}),
    },
    // Measured before anything else reads product details at random, so its misses are real misses;
    // then the same ids, the same number of connections, on the process with the cache off.
    cold,
    { ...cold, ...off, name: 'detail (cache off)' },
    {
      name: 'shop page',
      connections: 50,
      paths: sample.shopSlugs.map((slug) => `/api/v1/shops/${encodeURIComponent(slug)}`),
      baseline: '/health (bare route)',
      warmup: true,
      ...(sample.shopSlugs.length === 0 ? { unavailable: 'no shops in the catalog' } : {}),
    },
    {
      name: 'search',
      connections: 20,
      paths: sample.searchTerms.map((q) => `/api/v1/search?q=${encodeURIComponent(q)}`),
      baseline: '/health (bare route)',
      warmup: true,
      ...(sample.searchTerms.length === 0 ? { unavailable: 'no product titles to take search terms from' } : {}),
    },
  ];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const c = settings.checkout;
  // Whatever else runs on the machine shares its cores with the server and the load generator.
  const loadAtStart = os.loadavg();
  console.log(
    `Atelier benchmark (${[...parts].join(' + ')}): ` +
      (parts.has('catalog') || parts.has('pages')
        ? `${settings.products} products, ${settings.durationSec} s per scenario in ${settings.rounds} rounds; `
        : '') +
      (parts.has('checkout')
        ? `checkout ${c.durationSec} s at ${c.concurrency} customers, flash sale ${c.flashStock} units / ${c.flashBuyers} buyers; `
        : '') +
      `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}, ` +
      `load average ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}`,
  );
  // The bench holds the embedded PostgreSQL for the whole run, so that restarting the API (cache
  // off) neither restarts the database nor empties its buffers; the API processes attach to it.
  const server: EmbeddedServer = await startEmbeddedPostgres({
    dataDir: settings.dataDir,
    port: settings.pgPort,
    databases: [EMBEDDED_CATALOG_DB],
    log: pino({ level: 'warn' }),
    // pg_stat_statements costs a little on every statement: loaded only when asked for.
    ...(settings.checkout.statementStats ? { settings: ['shared_preload_libraries=pg_stat_statements'] } : {}),
  });
  stopDatabase = () => server.stop();
  const catalog = new pg.Pool({ connectionString: server.urlFor(EMBEDDED_CATALOG_DB), max: 2 });
  const rows: Row[] = [];
  const pageRows: Row[] = [];
  let targets: Target[] = [];
  let products: { total: number; published: number } | null = null;
  let checkout: CheckoutResult | null = null;
  let scale: ScaleResult | null = null;
  let shardMove: ShardMoveResult | null = null;
  let overload: Awaited<ReturnType<typeof runOverloadBench>> | null = null;
  let api: AtelierChild | null = null;
  const startedAt = new Date();
  try {
    let sample: Sample | null = null;
    if (parts.has('catalog') || parts.has('pages')) {
      products = await ensureCatalog(catalog);
      sample = await sampleCatalog(catalog, products.published);
      console.log(
        `sample: ${sample.hotIds.length} hot ids, ${sample.coldIds.length} cold ids, ${sample.shopSlugs.length} shops, ` +
          `${sample.searchTerms.length} search terms (${sample.searchTerms.slice(0, 6).join(', ')}, ...)`,
      );
    }
    if (parts.has('catalog') && sample) {
      console.log(`\nAPI with the cache on (port ${settings.apiPort}) and one with it off (CACHE_ENABLED=false, port ${OFF_PORT}):`);
      api = await startApi(true);
      const apiOff = await startApi(false, OFF_PORT);
      const plan = scenarios(sample, await firstPageCursor());
      await warmServer(plan);
      await measurePhase(plan, 'on', rows);
      await stopAtelier(apiOff);
      await stopAtelier(api);
      api = null;
      targets = judgeTargets(rows);
    }

    if (parts.has('pages') && sample) {
      // A fresh API, so the cold pair's misses are real whatever the catalog part read before.
      console.log('\nStorefront pages beside the JSON routes serving the same data (cache on):');
      api = await startApi(true);
      const plan = pageScenarios(sample);
      await warmServer(plan);
      await measurePhase(plan, 'on', pageRows);
      // In the plan's order, each page under its JSON twin (measurePhase lists skipped ones first).
      const order = new Map(plan.map((s, i) => [s.name, i]));
      pageRows.sort((a, b) => (order.get(a.scenario) ?? 0) - (order.get(b.scenario) ?? 0));
      await stopAtelier(api);
      api = null;
      targets = [...targets, ...judgePageTargets(pageRows)];
    }

    if (parts.has('checkout')) {
      checkout = await runCheckoutBench({ server, settings: c, env: atelierEnv, log: (line) => console.log(line) });
      targets = [...targets, ...checkout.targets];
    }

    if (parts.has('scale')) {
      scale = await runScaleBench({ settings: settings.scale, env: atelierEnv, log: (line) => console.log(line) });
      targets = [...targets, ...scale.targets];
    }

    if (parts.has('shard-move')) {
      shardMove = await runShardMoveBench({ server, settings: settings.shardMove, log: (line) => console.log(line) });
      targets = [...targets, ...shardMove.targets];
    }

    if (parts.has('overload')) {
      overload = await runOverloadBench({
        apiPort: settings.apiPort,
        metricsPort: settings.checkout.metricsPort,
        providerPort: settings.checkout.providerPort,
        settings: settings.overload,
        env: atelierEnv,
        log: (line) => console.log(line),
      });
      targets = [...targets, ...overloadTargets(overload)];
    }

    const loadAtEnd = os.loadavg();
    targets.push({
      // At the start only: by the end the 1-min average holds the bench's own load.
      name: 'quiet machine: 1-min load average at start below half the CPU count',
      kind: 'sanity',
      verdict: loadAtStart[0]! < os.cpus().length / 2 ? 'PASS' : 'FAIL',
      detail: `load ${loadAtStart[0]!.toFixed(1)} at start (${loadAtEnd[0]!.toFixed(1)} at the end, the bench's own included), ${os.cpus().length} CPUs`,
    });
    if (parts.has('catalog')) console.log(`\n${formatTable(rows)}`);
    if (parts.has('pages')) console.log(`\nPages (ratio: page req/s as a share of its JSON twin's):\n${formatTable(pageRows)}`);
    if (checkout) console.log(`\n${formatCheckoutTable(checkout.rows, checkout.pgbench)}`);
    if (scale) console.log(`\n${formatScaleTable(scale)}`);
    if (shardMove) console.log(`\n${formatShardMoveTable(shardMove)}`);
    console.log(`\nTargets:\n${formatTargets(targets)}`);

    const resultsDir = path.join(ROOT, 'bench', 'results');
    await mkdir(resultsDir, { recursive: true });
    const file = path.join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    const machine = {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()}-${os.arch()}`,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAtEnd,
    };
    const report = {
      startedAt: startedAt.toISOString(),
      parts: [...parts],
      machine,
      settings: {
        ...settings,
        catalogProducts: products?.total ?? null,
        publishedProducts: products?.published ?? null,
        warmupSec: WARMUP_SEC,
      },
      rows,
      pages: pageRows,
      checkout,
      scale,
      shardMove,
      overload,
      targets,
    };
    // NaN (skipped rows) is not JSON; null says "not measured".
    await writeFile(file, JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
    console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
    const broken = [
      ...(checkout?.rows.flatMap((r) => r.invariantProblems.map((p) => `${r.scenario}: ${p}`)) ?? []),
      ...(shardMove?.invariantProblems.map((p) => `shard move: ${p}`) ?? []),
    ];
    if (broken.length > 0) {
      console.error(`\nINVARIANT BROKEN (${broken.length}): the buying path lost money or promises under load:`);
      for (const p of broken.slice(0, 30)) console.error(`  - ${p}`);
      if (broken.length > 30) console.error(`  ... and ${broken.length - 30} more (all of them in ${path.relative(process.cwd(), file)})`);
      return 1;
    }
    return settings.strict && targets.some((t) => t.kind === 'issue' && t.verdict !== 'PASS') ? 1 : 0;
  } finally {
    await stopAllAtelier();
    await catalog.end().catch(() => undefined);
    await stopDatabase().catch((err: unknown) => console.error(`could not stop the bench PostgreSQL: ${String(err)}`));
  }
}

/** Stops the embedded PostgreSQL when this run started it (pg_ctl runs it in its own session). */
let stopDatabase: () => Promise<void> = async () => {};

process.once('SIGINT', () => {
  console.error('\ninterrupted: stopping the API and the database');
  void stopAllAtelier()
    .then(() => stopDatabase())
    .finally(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`benchmark failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
