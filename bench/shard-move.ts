/**
 * The shard-move part of `npm run bench` (issue 4, "a shard move of 100,000 orders: total time and
 * the longest write freeze for that shard, target under 1 s").
 *
 * 1. Three fresh databases on the bench's PostgreSQL (a catalog and two shard databases) and one
 *    serving node in this process (the container, whose shard router watches the map).
 * 2. BENCH_SHARD_ORDERS orders (default 100,000) in one logical shard, written in bulk by SQL
 *    (with a sub-order, a line and an event each, for BENCH_SHARD_CUSTOMERS customers).
 * 3. Light write load on that shard through the node's router, the path every module writes by:
 *    BENCH_SHARD_WRITERS writers, each placing an order (four rows in one transaction) every
 *    BENCH_SHARD_WRITE_GAP_MS. Each write's latency is kept with its start time.
 * 4. The move (`moveShard`, with pools of its own, as `atelier shards move` runs), then the
 *    checks: every order once on the new database, none left on the old one.
 *
 * Reported: total move time and its phases, the mover's freeze (map frozen -> map flipped), and
 * the longest write the writers saw during the move (what a customer would feel), against the
 * typical write outside it.
 */
import { loadConfig } from '../src/app/config.ts';
import { createContainer, createLogger, type Container } from '../src/app/container.ts';
import { openDatabase, type DatabaseHandle } from '../src/platform/postgres/database.ts';
import type { EmbeddedServer } from '../src/platform/postgres/embedded-postgres.ts';
import { moveShard, shardStatus, type MoveReport } from '../src/platform/postgres/shard-move.ts';
import { newShardedId } from '../src/shared/ids.ts';
import { sql } from 'kysely';
import pg from 'pg';
import type { Target } from './report.ts';

export type ShardMoveSettings = Readonly<{
  orders: number;
  customers: number;
  writers: number;
  writeGapMs: number;
}>;

export type ShardMoveResult = Readonly<{
  orders: number;
  setupSec: number;
  move: MoveReport;
  writes: {
    total: number;
    duringMove: number;
    errors: Record<string, number>;
    p50Ms: number;
    maxOutsideMoveMs: number;
    /** The longest write that overlapped the move, in any phase. */
    maxDuringMoveMs: number;
    /** The longest write that overlapped the freeze: the freeze as a writer saw it. */
    freezeSeenMs: number;
    byPhase: Record<string, { writes: number; maxMs: number }>;
  };
  invariantProblems: string[];
  targets: Target[];
}>;

const LOGICAL = 5;
const DBS = ['bench_shards_catalog', 'bench_shards_a', 'bench_shards_b'];

async function recreateDatabases(server: EmbeddedServer): Promise<void> {
  const admin = new pg.Client({ connectionString: server.urlFor('postgres') });
  await admin.connect();
  try {
    for (const name of DBS) {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`create database ${name}`);
    }
  } finally {
    await admin.end();
  }
}

/** SQL for a fresh id in the logical shard: a UUID with version 7 and the shard in rand_a. */
const shardId = (logical: number) =>
  `overlay(gen_random_uuid()::text placing '7${logical.toString(16).padStart(3, '0')}' from 15 for 4)::uuid`;

async function bulkOrders(shard: DatabaseHandle, customers: string[], orders: number, log: (line: string) => void): Promise<void> {
  const client = await shard.pool.connect();
  try {
    await client.query('set statement_timeout = 0');
    await client.query(
      `insert into identity_accounts (id, email, name, role, password_hash)
       select c, 'bench-' || i || '@example.test', 'Bench customer ' || i, 'customer', 'not-a-hash'
       from unnest($1::uuid[]) with ordinality as t(c, i)`,
      [customers],
    );
    const chunk = 20_000;
    for (let done = 0; done < orders; done += chunk) {
      const n = Math.min(chunk, orders - done);
      // One statement per chunk: the sibling inserts' foreign keys are checked at its end.
      await client.query(
        `with o as (
           insert into orders (id, customer_id, status, currency, total, shipping_address, payment_deadline)
           select ${shardId(LOGICAL)}, ($1::uuid[])[1 + i % cardinality($1::uuid[])], 'paid', 'USD', 1500,
                  '{"name":"Bench","line1":"1 Loom Lane","city":"Lyon","postalCode":"69001","country":"FR"}', now() + interval '1 day'
           from generate_series(1, $2::int) as i
           returning id
         ), s as (
           insert into sub_orders (id, order_id, shop_id, shop_name, seller_id, status, total, currency)
           select ${shardId(LOGICAL)}, o.id, $3::uuid, 'Bench shop', $3::uuid, 'paid', 1500, 'USD' from o
           returning id, order_id
         ), l as (
           insert into order_lines (order_id, variant_id, sub_order_id, product_id, title, sku, options, unit_price, quantity)
           select s.order_id, $3::uuid, s.id, $3::uuid, 'Bench bowl', 'BOWL', '{}', 1500, 1 from s
         )
         insert into order_events (order_id, to_status, actor) select id, 'paid', 'system' from o`,
        [customers, n, newShardedId(LOGICAL)],
      );
      log(`  ${Math.min(done + n, orders)} orders written`);
    }
    await client.query('analyze');
    await client.query('reset statement_timeout');
  } finally {
    client.release();
  }
}

const percentile = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export async function runShardMoveBench(opts: {
  server: EmbeddedServer;
  settings: ShardMoveSettings;
  log: (line: string) => void;
}): Promise<ShardMoveResult> {
  const { server, settings, log } = opts;
  log(`\nShard move: ${settings.orders} orders in logical shard ${LOGICAL}, ${settings.writers} writers every ${settings.writeGapMs} ms`);
  const setupStarted = Date.now();
  await recreateDatabases(server);
  const env = {
    CATALOG_DATABASE_URL: server.urlFor(DBS[0]!),
    SHARD_DATABASE_URLS: `shard0=${server.urlFor(DBS[1]!)},shard1=${server.urlFor(DBS[2]!)}`,
    LOGICAL_SHARDS: '64',
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'false',
    PG_POOL_MAX: '10',
    PAYMENT_PROVIDER_URL: 'http://127.0.0.1:9',
  };
  const config = loadConfig(env);
  const node: Container = await createContainer(config, {
    role: 'bench-node',
    migrate: true,
    log: createLogger({ logLevel: 'warn' }, 'bench'),
  });
  const open = (name: string, url: string) =>
    openDatabase({ name, url, poolMax: 6, statementTimeoutMs: 600_000, applicationName: 'bench-mover' });
  const moverCatalog = open('catalog', config.catalogDatabaseUrl!);
  const moverShards = config.shardDatabases.map((s) => open(s.name, s.url!));
  try {
    const source = node.stores.shards.databases.find((d) => d.name === node.stores.shards.forShard(LOGICAL).name)!;
    const target = node.stores.shards.databases.find((d) => d !== source)!;
    const customers = Array.from({ length: settings.customers }, () => newShardedId(LOGICAL));
    await bulkOrders(source, customers, settings.orders, log);
    const setupSec = (Date.now() - setupStarted) / 1000;
    log(`  set up in ${setupSec.toFixed(1)} s; ${source.name} -> ${target.name}`);

    // ---- light write load through the node's router ----
    type Write = { at: number; ms: number };
    const writes: Write[] = [];
    const errors: Record<string, number> = {};
    const written: string[] = [];
    let running = true;
    const writer = async (w: number) => {
      while (running) {
        const at = performance.now();
        try {
          const orderId = newShardedId(LOGICAL);
          const subId = newShardedId(LOGICAL);
          const customer = customers[(w * 7919 + writes.length) % customers.length]!;
          await node.stores.shards
            .forShard(LOGICAL)
            .db.transaction()
            .execute(async (trx) => {
              await sql`insert into orders (id, customer_id, status, currency, total, shipping_address, payment_deadline)
                      values (${orderId}, ${customer}, 'pending_payment', 'USD', 1500, '{}'::jsonb, now() + interval '1 day')`.execute(trx);
              await sql`insert into sub_orders (id, order_id, shop_id, shop_name, seller_id, status, total, currency)
                      values (${subId}, ${orderId}, ${subId}, 'Bench shop', ${subId}, 'pending_payment', 1500, 'USD')`.execute(trx);
              await sql`insert into order_lines (order_id, variant_id, sub_order_id, product_id, title, sku, options, unit_price, quantity)
                      values (${orderId}, ${subId}, ${subId}, ${subId}, 'Bench bowl', 'BOWL', '{}'::jsonb, 1500, 1)`.execute(trx);
              await sql`insert into order_events (order_id, to_status, actor) values (${orderId}, 'pending_payment', 'customer')`.execute(
                trx,
              );
            });
          written.push(orderId);
        } catch (err) {
          const code = (err as { code?: string }).code ?? (err as Error).name;
          errors[code] = (errors[code] ?? 0) + 1;
        }
        writes.push({ at, ms: performance.now() - at });
        await new Promise((r) => setTimeout(r, settings.writeGapMs));
      }
    };
    const load = Array.from({ length: settings.writers }, (_, w) => writer(w));
    await new Promise((r) => setTimeout(r, 1000));

    const moveStarted = performance.now();
    const phaseStarts: Array<{ phase: string; at: number }> = [];
    let moveEnded = moveStarted;
    let move: MoveReport;
    try {
      move = await moveShard({ catalog: moverCatalog, databases: moverShards, logicalShards: config.logicalShards }, LOGICAL, target.name, {
        batchKeys: 2000,
        progress: (m) => log(`  ${m}`),
        onPhase: (phase) => phaseStarts.push({ phase, at: performance.now() }),
      });
    } finally {
      moveEnded = performance.now();
      await new Promise((r) => setTimeout(r, 1000));
      running = false;
      await Promise.all(load);
    }
    const overlaps = (w: Write) => w.at + w.ms >= moveStarted && w.at <= moveEnded;
    const during = writes.filter(overlaps);
    const outside = writes.filter((w) => !overlaps(w));
    // The longest write that overlapped each phase: the freeze's is the one the target is about.
    const byPhase: Record<string, { writes: number; maxMs: number }> = {};
    phaseStarts.forEach((p, i) => {
      if (p.phase === 'done') return;
      const end = phaseStarts[i + 1]?.at ?? moveEnded;
      const hit = writes.filter((w) => w.at + w.ms >= p.at && w.at <= end);
      byPhase[p.phase] = { writes: hit.length, maxMs: Math.round(Math.max(0, ...hit.map((w) => w.ms))) };
    });

    // ---- the checks: every order once, on the new database only ----
    const problems: string[] = [];
    const expected = settings.orders + written.length;
    const onTarget = await target.pool.query<{ n: number }>('select count(*)::int as n from orders where substr(id::text, 16, 3) = $1', [
      LOGICAL.toString(16).padStart(3, '0'),
    ]);
    if (onTarget.rows[0]!.n !== expected)
      problems.push(`${onTarget.rows[0]!.n} orders of the shard on ${target.name}, expected ${expected}`);
    const distinct = await target.pool.query<{ n: number }>('select count(distinct id)::int as n from orders');
    if (distinct.rows[0]!.n !== onTarget.rows[0]!.n) problems.push('an order id appears twice on the new database');
    const missing = await target.pool.query<{ n: number }>(
      'select count(*)::int as n from unnest($1::uuid[]) as w(id) where not exists (select 1 from orders o where o.id = w.id)',
      [written],
    );
    if (missing.rows[0]!.n > 0) problems.push(`${missing.rows[0]!.n} orders written during the run are missing on ${target.name}`);
    const status = await shardStatus({ catalog: moverCatalog, databases: moverShards, logicalShards: config.logicalShards });
    const left = status.databases
      .find((d) => d.database === source.name)!
      .tables.filter((t) => (t.byShard[LOGICAL] ?? 0) > 0)
      .map((t) => `${t.table}: ${t.byShard[LOGICAL]}`);
    if (left.length > 0) problems.push(`rows left on ${source.name}: ${left.join(', ')}`);

    const maxDuring = Math.max(0, ...during.map((w) => w.ms));
    const freezeSeen = byPhase.freeze?.maxMs ?? NaN;
    const result = {
      orders: settings.orders,
      setupSec,
      move,
      writes: {
        total: writes.length,
        duringMove: during.length,
        errors,
        p50Ms: percentile(
          outside.map((w) => w.ms),
          50,
        ),
        maxOutsideMoveMs: Math.max(0, ...outside.map((w) => w.ms)),
        maxDuringMoveMs: maxDuring,
        freezeSeenMs: freezeSeen,
        byPhase,
      },
      invariantProblems: problems,
    };
    const targets: Target[] = [
      {
        name: `shard move of ${settings.orders.toLocaleString('en-US')} orders: longest write freeze for the shard < 1 s`,
        kind: 'issue',
        verdict: freezeSeen < 1000 && Object.keys(errors).length === 0 ? 'PASS' : 'FAIL',
        detail:
          `longest write across the freeze ${freezeSeen} ms (mover's freeze ${move.freezeMs} ms; typical write ${result.writes.p50Ms.toFixed(1)} ms; ` +
          `longest in any phase ${maxDuring.toFixed(0)} ms); ${during.length} writes during the move, errors ${JSON.stringify(errors)}; total ${(move.totalMs / 1000).toFixed(1)} s`,
      },
      {
        name: 'shard move: every order exactly once, on the new database, none left on the old one',
        kind: 'invariant',
        verdict: problems.length === 0 ? 'PASS' : 'FAIL',
        detail: problems.length === 0 ? `${expected} orders on ${target.name}` : problems.join('; '),
      },
    ];
    return { ...result, targets };
  } finally {
    await Promise.allSettled([moverCatalog, ...moverShards].map((h) => h.db.destroy()));
    await node.close();
  }
}

export function formatShardMoveTable(r: ShardMoveResult): string {
  const m = r.move;
  return [
    `shard move of ${r.orders} orders (${m.from} -> ${m.to}):`,
    `  total ${(m.totalMs / 1000).toFixed(1)} s = bulk copy ${(m.phasesMs.bulkCopy / 1000).toFixed(1)} s (${m.bulkKeys} keys), catch-up ${m.phasesMs.catchUp} ms (${m.catchUpPasses} passes), freeze ${m.phasesMs.freeze} ms (${m.tailKeys} keys), clean-up ${(m.phasesMs.cleanup / 1000).toFixed(1)} s`,
    `  writes: ${r.writes.total} in all, ${r.writes.duringMove} during the move; typical ${r.writes.p50Ms.toFixed(1)} ms, longest outside the move ${r.writes.maxOutsideMoveMs.toFixed(0)} ms, longest during it ${r.writes.maxDuringMoveMs.toFixed(0)} ms; errors ${JSON.stringify(r.writes.errors)}`,
    `  longest write per phase: ${Object.entries(r.writes.byPhase)
      .map(([phase, v]) => `${phase} ${v.maxMs} ms (${v.writes} writes)`)
      .join(', ')}`,
  ].join('\n');
}
