/**
 * `npm run lighthouse`: the storefront's budgets (web.dev / Lighthouse CI style), checked by a
 * command rather than by taste. Runs Lighthouse with its desktop preset on four pages (home, a
 * listing, a product page, search), prints their scores, and exits 1 when a page misses a budget.
 *
 * By default it starts its own Atelier (`atelier start`: the embedded PostgreSQL and, on the first
 * run, the seeded demo catalog) in `.atelier/lighthouse/`, kept for later runs, and stops it
 * afterwards; `--url http://host:port` measures a running one instead.
 *
 * The browser is Debian's Chromium (CHROME_PATH, default /usr/bin/chromium), launched with
 * chrome-launcher; nothing is downloaded.
 *
 * Options: --url <base>, --runs N (median of N runs a page, default 1), --report-dir <folder> (one
 * HTML report a page). Settings: CHROME_PATH, LIGHTHOUSE_PORT (3079), LIGHTHOUSE_PG_PORT (54349),
 * LIGHTHOUSE_PROVIDER_PORT (3179), LIGHTHOUSE_DATA_DIR (.atelier/lighthouse).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { desktopConfig, type Result } from 'lighthouse';
import { startAtelier, stopAllAtelier, waitUntilReady } from '../bench/children.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

/** What each page must reach; the issue's numbers. */
const BUDGETS = { performance: 95, accessibility: 100, bestPractices: 95, seo: 95, lcpMs: 1200 } as const;

const CHROME_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type PageScore = Readonly<{
  page: string;
  path: string;
  performance: number;
  accessibility: number;
  bestPractices: number;
  seo: number;
  lcpMs: number;
  cls: number;
  jsBytes: number;
  cssBytes: number;
}>;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name} must be a port number (got "${raw}")`);
  return n;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The pages to measure, found through the JSON API so they exist in whatever catalog is running. */
async function pagesOf(base: string): Promise<Array<{ page: string; path: string }>> {
  const { items } = await getJson<{ items: Array<{ id: string; title: string }> }>(`${base}/api/v1/products?limit=1`);
  const product = items[0];
  if (!product) throw new Error(`${base} has no published products: seed it first (atelier seed)`);
  // A word of the product's own title, so the search page has results to show.
  const word = product.title.toLowerCase().match(/[a-z]{5,}/)?.[0] ?? 'stoneware';
  return [
    { page: 'home', path: '/' },
    { page: 'listing', path: '/products' },
    { page: 'product', path: `/products/${product.id}` },
    { page: 'search', path: `/search?q=${encodeURIComponent(word)}` },
  ];
}

const score = (lhr: Result, id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);

/** Transfer bytes of the scripts and stylesheets the page loaded. */
function bytesOf(lhr: Result, type: 'Script' | 'Stylesheet'): number {
  const details = lhr.audits['network-requests']?.details as
    { items?: Array<{ resourceType?: string; transferSize?: number }> } | undefined;
  return (details?.items ?? []).filter((r) => r.resourceType === type).reduce((s, r) => s + (r.transferSize ?? 0), 0);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

async function measure(
  base: string,
  port: number,
  target: { page: string; path: string },
  runs: number,
  reportDir: string | null,
): Promise<PageScore> {
  const results: PageScore[] = [];
  for (let i = 0; i < runs; i++) {
    const out = await lighthouse(
      `${base}${target.path}`,
      { port, logLevel: 'error', output: 'html', onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'] },
      desktopConfig,
    );
    if (!out) throw new Error(`lighthouse returned nothing for ${target.path}`);
    const { lhr } = out;
    if (lhr.runtimeError) throw new Error(`${target.path}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    if (reportDir && i === 0) await writeFile(path.join(reportDir, `${target.page}.html`), String(out.report));
    results.push({
      ...target,
      performance: score(lhr, 'performance'),
      accessibility: score(lhr, 'accessibility'),
      bestPractices: score(lhr, 'best-practices'),
      seo: score(lhr, 'seo'),
      lcpMs: Math.round(lhr.audits['largest-contentful-paint']?.numericValue ?? Number.NaN),
      cls: Math.round((lhr.audits['cumulative-layout-shift']?.numericValue ?? Number.NaN) * 1000) / 1000,
      jsBytes: bytesOf(lhr, 'Script'),
      cssBytes: bytesOf(lhr, 'Stylesheet'),
    });
  }
  const pick = (k: keyof Omit<PageScore, 'page' | 'path'>) => median(results.map((r) => r[k]));
  return {
    ...target,
    performance: pick('performance'),
    accessibility: pick('accessibility'),
    bestPractices: pick('bestPractices'),
    seo: pick('seo'),
    lcpMs: pick('lcpMs'),
    cls: pick('cls'),
    jsBytes: pick('jsBytes'),
    cssBytes: pick('cssBytes'),
  };
}

/** The budgets a page misses, in words. */
function missed(s: PageScore): string[] {
  const out: string[] = [];
  if (s.performance < BUDGETS.performance) out.push(`performance ${s.performance} < ${BUDGETS.performance}`);
  if (s.accessibility < BUDGETS.accessibility) out.push(`accessibility ${s.accessibility} < ${BUDGETS.accessibility}`);
  if (s.bestPractices < BUDGETS.bestPractices) out.push(`best practices ${s.bestPractices} < ${BUDGETS.bestPractices}`);
  if (s.seo < BUDGETS.seo) out.push(`SEO ${s.seo} < ${BUDGETS.seo}`);
  if (!(s.lcpMs < BUDGETS.lcpMs)) out.push(`LCP ${s.lcpMs} ms >= ${BUDGETS.lcpMs} ms`);
  return out;
}

function table(scores: readonly PageScore[]): string {
  const head = ['page', 'path', 'perf', 'a11y', 'best pr.', 'SEO', 'LCP ms', 'CLS', 'JS bytes', 'CSS bytes'];
  const rows = scores.map((s) => [
    s.page,
    s.path.length > 40 ? `${s.path.slice(0, 39)}…` : s.path,
    ...[s.performance, s.accessibility, s.bestPractices, s.seo, s.lcpMs, s.cls, s.jsBytes, s.cssBytes].map(String),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { url: { type: 'string' }, runs: { type: 'string' }, 'report-dir': { type: 'string' } },
  });
  const runs = values.runs === undefined ? 1 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20)
    throw new Error(`--runs must be a whole number from 1 to 20 (got "${values.runs}")`);
  const reportDir = values['report-dir'] ? path.resolve(values['report-dir']) : null;
  if (reportDir) await mkdir(reportDir, { recursive: true });

  let base = values.url?.replace(/\/+$/, '');
  if (!base) {
    const port = intEnv('LIGHTHOUSE_PORT', 3079);
    base = `http://127.0.0.1:${port}`;
    const dataDir = path.resolve(ROOT, process.env.LIGHTHOUSE_DATA_DIR || path.join('.atelier', 'lighthouse'));
    console.log(`starting Atelier on ${base} (data in ${path.relative(ROOT, dataDir) || dataDir}; the first start seeds the demo)...`);
    const app = startAtelier('atelier start', ['start'], {
      ATELIER_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      EMBEDDED_PG_PORT: String(intEnv('LIGHTHOUSE_PG_PORT', 54349)),
      PAYMENT_PROVIDER_PORT: String(intEnv('LIGHTHOUSE_PROVIDER_PORT', 3179)),
      // Plain http: a Secure cookie would never come back, and Lighthouse flags nothing for it here.
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'warn',
    });
    await waitUntilReady(app, `${base}/health`, 600_000);
  }

  const pages = await pagesOf(base);
  const chrome = await chromeLauncher.launch({ chromePath: process.env.CHROME_PATH || '/usr/bin/chromium', chromeFlags: CHROME_FLAGS });
  const scores: PageScore[] = [];
  const absent: string[] = [];
  try {
    for (const page of pages) {
      // A page that is not there (yet) is a missed budget, not a reason to skip the others.
      const status = (await fetch(`${base}${page.path}`, { signal: AbortSignal.timeout(10_000) })).status;
      if (status !== 200) {
        absent.push(`${page.page} (${page.path}): answers ${status}, not measured`);
        continue;
      }
      process.stdout.write(`lighthouse ${page.path} ...`);
      scores.push(await measure(base, chrome.port, page, runs, reportDir));
      process.stdout.write(' done\n');
    }
  } finally {
    chrome.kill();
  }

  console.log(`\nLighthouse ${runs > 1 ? `(median of ${runs} runs) ` : ''}desktop preset, ${base}\n`);
  console.log(table(scores));
  console.log(
    `\nbudgets: performance >= ${BUDGETS.performance}, accessibility ${BUDGETS.accessibility}, best practices >= ${BUDGETS.bestPractices}, SEO >= ${BUDGETS.seo}, LCP < ${BUDGETS.lcpMs} ms`,
  );
  const failures = [...absent, ...scores.flatMap((s) => missed(s).map((m) => `${s.page} (${s.path}): ${m}`))];
  if (reportDir) console.log(`reports: ${reportDir}`);
  if (failures.length === 0) {
    console.log('every page within budget');
    return 0;
  }
  console.log(`\n${failures.length} budget(s) missed:\n  ${failures.join('\n  ')}`);
  return 1;
}

const stop = () => void stopAllAtelier().then(() => process.exit(130));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
main()
  .then(async (code) => {
    await stopAllAtelier();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    await stopAllAtelier();
    process.exit(2);
  });
