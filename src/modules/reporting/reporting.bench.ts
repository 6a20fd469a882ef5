/**
 * What the event log and the read models cost: `node --import tsx src/modules/reporting/reporting.bench.ts`.
 *
 * 1. Publish: one transaction on a shard that publishes one order.paid-sized event to one
 *    subscriber, with the type logged (what reporting asks for) and not logged (the same bus
 *    otherwise). Sequential transactions, rounds interleaved, medians: the extra latency a logged
 *    event adds to the publisher's commit (the checkout path publishes order.paid).
 * 2. Incremental: the reporting jobs for N paid orders (two sub-orders, three lines each) run by
 *    the worker code, from the shard queues.
 * 3. Rebuild: `rebuild()` over the same log (empties the tables, replays every event).
 *
 * Settings: REPORTING_BENCH_EVENTS (default 2000), REPORTING_BENCH_PUBLISHES (1000 per round),
 * REPORTING_BENCH_ROUNDS (5), TEST_PG_ADMIN_URL (else an embedded PostgreSQL).
 */
import { performance } from 'node:perf_hooks';
import { ensureScratchPostgres } from '../../../test/support/scratch-postgres.ts';
import { createEventBus } from '../../platform/events.ts';
import { newShardedId } from '../../shared/ids.ts';
import type { OrderPaidPayload } from '../orders/index.ts';

const EVENTS = Number(process.env.REPORTING_BENCH_EVENTS ?? 2000);
const PUBLISHES = Number(process.env.REPORTING_BENCH_PUBLISHES ?? 1000);
const ROUNDS = Number(process.env.REPORTING_BENCH_ROUNDS ?? 5);

const scratch = await ensureScratchPostgres('reporting-bench');
const { createTestApp } = await import('../../../test/support/test-app.ts');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const t = await createTestApp({ PG_POOL_MAX: '10' });
  try {
    const shard = t.app.stores.shards.databases[0]!;
    // Two sellers, three products: what the order events sell.
    const sellers = [newShardedId(0), newShardedId(0)];
    const variants: Array<{ variantId: string; productId: string; shopId: string; sellerId: string }> = [];
    for (const [i, sellerId] of sellers.entries()) {
      const shop = await t.app.catalog.service.createShop(sellerId, { slug: `bench-${i}-${Date.now()}`, name: `Bench ${i}` });
      for (let k = 0; k < 2; k++) {
        const p = await t.app.catalog.service.createProduct(sellerId, {
          title: `Bench product ${i}.${k}`,
          description: 'x',
          status: 'published',
          variants: [{ options: { size: 'M' }, price: 1000 + k }],
        });
        variants.push({ variantId: p.variants[0]!.id, productId: p.id, shopId: shop.id, sellerId });
      }
    }
    const payload = (): OrderPaidPayload => ({
      orderId: newShardedId(0),
      customerId: newShardedId(0),
      total: 1000 * 2 + 1001 + 1000,
      currency: 'EUR',
      subOrders: [
        { id: newShardedId(0), shopId: variants[0]!.shopId, sellerId: variants[0]!.sellerId, total: 3001 },
        { id: newShardedId(0), shopId: variants[2]!.shopId, sellerId: variants[2]!.sellerId, total: 1000 },
      ],
      lines: [
        { variantId: variants[0]!.variantId, productId: variants[0]!.productId, quantity: 2, unitPrice: 1000 },
        { variantId: variants[1]!.variantId, productId: variants[1]!.productId, quantity: 1, unitPrice: 1001 },
        { variantId: variants[2]!.variantId, productId: variants[2]!.productId, quantity: 1, unitPrice: 1000 },
      ],
    });

    // 1. Publish cost, logged vs not.
    const logged = createEventBus();
    logged.subscribe('bench.paid', 'bench', async () => {}, { replayable: true });
    const plain = createEventBus();
    plain.subscribe('bench.paid', 'bench', async () => {});
    const perTx: Record<string, number[]> = { 'not logged': [], logged: [] };
    const publishRound = async (name: 'logged' | 'not logged') => {
      const bus = name === 'logged' ? logged : plain;
      const start = performance.now();
      for (let i = 0; i < PUBLISHES; i++) {
        await shard.db.transaction().execute((trx) => bus.publish(trx, 'bench.paid', payload()));
      }
      return ((performance.now() - start) * 1000) / PUBLISHES;
    };
    await publishRound('not logged');
    await publishRound('logged');
    for (let r = 0; r < ROUNDS; r++) {
      perTx['not logged']!.push(await publishRound('not logged'));
      perTx.logged!.push(await publishRound('logged'));
    }
    await shard.pool.query(
      "delete from graphile_worker._private_jobs where task_id in (select id from graphile_worker._private_tasks where identifier = 'event:bench.paid:bench')",
    );

    // 2. Incremental: N order.paid through the real bus (logged, one reporting job each), then the jobs.
    for (let i = 0; i < EVENTS; i += 100) {
      await shard.db.transaction().execute(async (trx) => {
        for (let k = i; k < Math.min(EVENTS, i + 100); k++) await t.app.events.publish(trx, 'order.paid', payload());
      });
    }
    const jobsStart = performance.now();
    await t.drainJobs();
    const jobsMs = performance.now() - jobsStart;
    const { rows } = await t.app.stores.catalog.pool.query<{ orders: number }>(
      'select sum(orders)::int as orders from reporting_platform_daily',
    );
    if (rows[0]!.orders !== EVENTS) throw new Error(`expected ${EVENTS} orders in the read model, found ${rows[0]!.orders}`);

    // 3. Rebuild over the same log.
    const rebuilds: number[] = [];
    for (let r = 0; r < 3; r++) rebuilds.push((await t.app.reporting.rebuild()).ms);
    const after = await t.app.stores.catalog.pool.query<{ orders: number }>(
      'select sum(orders)::int as orders from reporting_platform_daily',
    );
    if (after.rows[0]!.orders !== EVENTS) throw new Error('the rebuild did not reproduce the figures');

    const [n, l] = [median(perTx['not logged']!), median(perTx.logged!)];
    console.log(`publish (one transaction, one event, one subscriber), median of ${ROUNDS} rounds of ${PUBLISHES}:`);
    console.log(
      `  not logged ${(n / 1000).toFixed(3)} ms   logged ${(l / 1000).toFixed(3)} ms   difference ${((l - n) / 1000).toFixed(3)} ms per event`,
    );
    console.log(
      `incremental: ${EVENTS} order.paid jobs in ${jobsMs.toFixed(0)} ms (${((EVENTS / jobsMs) * 1000).toFixed(0)} events/s, worker code, one database queue at a time)`,
    );
    const rb = median(rebuilds);
    console.log(`rebuild: ${EVENTS} events in ${rb} ms (${((EVENTS / rb) * 1000).toFixed(0)} events/s), median of 3`);
  } finally {
    await t.close();
  }
} finally {
  await scratch.stop();
}
