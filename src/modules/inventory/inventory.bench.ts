/**
 * Hot-row reservations, group commit vs. one transaction per reservation:
 * `node --import tsx src/modules/inventory/inventory.bench.ts`.
 *
 * A flash sale in miniature: one variant with stock 1,000 and 500 concurrent single-unit
 * reservations, through the batcher (batches of up to 200, one in flight: what production runs)
 * and through the same code with batches of one and as many in flight as the pool allows (exactly
 * "one transaction per buyer"). Rounds alternate; medians are reported. Wall time is from the
 * first call to the last answer; latency is per call.
 *
 * Settings: INVENTORY_BENCH_ROUNDS (default 5), INVENTORY_BENCH_BUYERS (500), PG_POOL_MAX (10),
 * TEST_PG_ADMIN_URL (else an embedded PostgreSQL with its default durability settings).
 */
import { ensureScratchPostgres } from '../../../test/support/scratch-postgres.ts';
import { newId } from '../../shared/ids.ts';
import { createInventoryService } from './inventory.service.ts';
import { auditRecorder } from '../audit/index.ts';

const ROUNDS = Number(process.env.INVENTORY_BENCH_ROUNDS ?? 5);
const BUYERS = Number(process.env.INVENTORY_BENCH_BUYERS ?? 500);
const POOL = Number(process.env.PG_POOL_MAX ?? 10);

const scratch = await ensureScratchPostgres('inventory-bench');
const { createTestApp } = await import('../../../test/support/test-app.ts');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

type Outcome = { wallMs: number; p50: number; p99: number; ok: number; batches: number };

try {
  const t = await createTestApp({ PG_POOL_MAX: String(POOL) });
  try {
    const deps = {
      db: t.app.stores.catalog.db,
      cache: t.app.cache,
      events: t.app.events,
      audit: auditRecorder(t.app.events),
      catalog: t.app.catalog.service,
      log: t.app.log,
    };
    const modes = {
      'group commit (batcher)': createInventoryService({ ...deps, batching: { maxBatch: 200, maxInFlight: 1 } }),
      'one transaction per reservation': createInventoryService({ ...deps, batching: { maxBatch: 1, maxInFlight: POOL } }),
    };
    const results: Record<string, Outcome[]> = Object.fromEntries(Object.keys(modes).map((k) => [k, []]));

    async function round(name: keyof typeof modes): Promise<Outcome> {
      const inv = modes[name];
      const variant = newId();
      await inv.restock(variant, 1000);
      const before = inv.batchStats().batches;
      const expiresAt = new Date(Date.now() + 600_000);
      const latencies: number[] = [];
      const start = performance.now();
      const answers = await Promise.all(
        Array.from({ length: BUYERS }, async () => {
          const t0 = performance.now();
          const r = await inv.reserve(newId(), [{ variantId: variant, quantity: 1 }], expiresAt);
          latencies.push(performance.now() - t0);
          return r;
        }),
      );
      const wallMs = performance.now() - start;
      const [level] = await inv.levels([variant]);
      const ok = answers.filter((a) => a.ok).length;
      if (level!.reserved !== ok || ok !== Math.min(BUYERS, 1000)) throw new Error(`${name}: ${ok} ok but reserved=${level!.reserved}`);
      return { wallMs, p50: pct(latencies, 50), p99: pct(latencies, 99), ok, batches: inv.batchStats().batches - before };
    }

    // A warm-up round each (JIT, pool connections), then interleaved measured rounds.
    for (const name of Object.keys(modes) as Array<keyof typeof modes>) await round(name);
    for (let i = 0; i < ROUNDS; i++) {
      for (const name of Object.keys(modes) as Array<keyof typeof modes>) results[name]!.push(await round(name));
    }
    console.log(`${BUYERS} concurrent single-unit reservations of one variant (stock 1000), pool ${POOL}, median of ${ROUNDS} rounds:`);
    for (const [name, rs] of Object.entries(results)) {
      const f = (k: keyof Outcome) => median(rs.map((r) => r[k])).toFixed(k === 'ok' || k === 'batches' ? 0 : 1);
      console.log(
        `  ${name.padEnd(34)} wall ${f('wallMs').padStart(7)} ms   p50 ${f('p50').padStart(6)} ms   p99 ${f('p99').padStart(6)} ms   ${f('batches')} transactions`,
      );
    }
  } finally {
    await t.close();
  }
} finally {
  await scratch.stop();
}
