/**
 * Product detail against its baselines: `node --import tsx src/modules/catalog/catalog.bench.ts`.
 *
 * One API server in this process, autocannon at 20 connections: the bare `/health` route, one
 * primary-key lookup through the pool (`/bench/one-lookup/:id`), then GET /api/v1/products/:id warm
 * (cache on) and again with the cache off. Targets: warm detail >= 60% of the bare route's req/s;
 * cache-off detail >= 50% of the lookup's. (bench/run.ts measures the same on a seeded catalog in a
 * separate API process; this is the quick, module-local version.)
 *
 * Settings: CATALOG_BENCH_SECONDS (default 5), TEST_PG_ADMIN_URL (else an embedded PostgreSQL).
 */
import autocannon from 'autocannon';
import { ensureScratchPostgres } from '../../../test/support/scratch-postgres.ts';
import { newId } from '../../shared/ids.ts';

const SECONDS = Number(process.env.CATALOG_BENCH_SECONDS ?? 5);

const scratch = await ensureScratchPostgres('catalog-bench');
const { createTestApp } = await import('../../../test/support/test-app.ts');

async function measure(url: string): Promise<{ rps: number; p99: number }> {
  await autocannon({ url, connections: 20, duration: 1 }); // warm-up
  const r = await autocannon({ url, connections: 20, duration: SECONDS });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: Math.round(r.requests.average), p99: r.latency.p99 };
}

async function run(cache: boolean): Promise<Record<string, { rps: number; p99: number }>> {
  const t = await createTestApp({ CACHE_ENABLED: String(cache), BENCH_ROUTES: 'true', PG_POOL_MAX: '10' });
  try {
    const shop = await t.app.catalog.service.createShop(newId(), { slug: 'bench-shop', name: 'Bench Shop' });
    const ids = await t.app.catalog.service.importProducts(
      shop.id,
      Array.from({ length: 100 }, (_, i) => ({
        title: `Bench product ${i}`,
        description: 'A product with a description of ordinary length. '.repeat(8),
        variants: Array.from({ length: 3 }, (_, v) => ({ options: { size: ['S', 'M', 'L'][v]! }, price: 1000 + v * 100 })),
      })),
    );
    const base = await t.server.listen({ host: '127.0.0.1', port: 0 });
    const id = ids[42]!;
    const out: Record<string, { rps: number; p99: number }> = {};
    if (cache) out['/health'] = await measure(`${base}/health`);
    else out['/bench/one-lookup/:id'] = await measure(`${base}/bench/one-lookup/${id}`);
    out[`/api/v1/products/:id (cache ${cache ? 'on' : 'off'})`] = await measure(`${base}/api/v1/products/${id}`);
    return out;
  } finally {
    await t.close();
  }
}

try {
  const warm = await run(true);
  const cold = await run(false);
  const all = { ...warm, ...cold };
  for (const [name, r] of Object.entries(all)) console.log(`${name.padEnd(40)} ${String(r.rps).padStart(7)} req/s   p99 ${r.p99} ms`);
  const ratio = (a: string, b: string) => all[a]!.rps / all[b]!.rps;
  const warmRatio = ratio('/api/v1/products/:id (cache on)', '/health');
  const coldRatio = ratio('/api/v1/products/:id (cache off)', '/bench/one-lookup/:id');
  console.log(`warm detail / bare route: ${(warmRatio * 100).toFixed(0)}% (target >= 60%) ${warmRatio >= 0.6 ? 'MET' : 'MISSED'}`);
  console.log(`cache-off detail / one lookup: ${(coldRatio * 100).toFixed(0)}% (target >= 50%) ${coldRatio >= 0.5 ? 'MET' : 'MISSED'}`);
} finally {
  await scratch.stop();
}
