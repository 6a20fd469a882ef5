import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { formatCheckoutTable, judgeCheckout, type CheckoutRow } from '../../bench/checkout.ts';
import { findPgbench, ORDER_FLOOR_SCHEMA, ORDER_FLOOR_SCRIPT, type PgbenchResult } from '../../bench/pgbench.ts';

// The order floor (bench/order-floor.pgbench.sql) is quoted against the paid/s target: each of
// its runs must really be one whole order, or the floor would be cheaper than the work it claims
// to measure. Runs a fixed number of orders through pgbench on the test server and counts what
// every step left behind.
const run = promisify(execFile);
const CLIENTS = 4;
const ORDERS_EACH = 25;
const ORDERS = CLIENTS * ORDERS_EACH;
const DB = `atelier_floor_${process.pid}`;

let admin: pg.Pool;
let floor: pg.Pool;
let pgbench: string | undefined;
let url: URL;

before(async () => {
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  if (!adminUrl) throw new Error('TEST_PG_ADMIN_URL is not set: run the tests with `npm test`');
  url = new URL(adminUrl);
  admin = new pg.Pool({ connectionString: adminUrl, max: 1 });
  const { rows } = await admin.query<{ v: string }>(`select current_setting('server_version_num') as v`);
  pgbench = (await findPgbench(Math.floor(Number(rows[0]!.v) / 10_000)))[0];
  await admin.query(`drop database if exists ${DB}`);
  await admin.query(`create database ${DB}`);
  const floorUrl = new URL(adminUrl);
  floorUrl.pathname = `/${DB}`;
  floor = new pg.Pool({ connectionString: floorUrl.toString(), max: 1 });
});

after(async () => {
  await floor?.end();
  await admin?.query(`drop database if exists ${DB}`);
  await admin?.end();
});

test('the order floor: every pgbench run of the script is one whole order, paid, committed, emailed and indexed', async (t) => {
  if (!pgbench) {
    t.skip('no pgbench on this machine (postgresql-client): the bench reports the floor as not measured');
    return;
  }
  await floor.query(await readFile(ORDER_FLOOR_SCHEMA, 'utf8'));
  const conn = ['-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username)];
  const { stdout } = await run(
    pgbench,
    ['-n', '-c', String(CLIENTS), '-j', '2', '-t', String(ORDERS_EACH), '-f', ORDER_FLOOR_SCRIPT, ...conn, DB],
    {
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
    },
  );
  assert.match(stdout, new RegExp(`number of transactions actually processed: ${ORDERS}/${ORDERS}`));
  assert.match(stdout, /number of failed transactions: 0 /);

  const one = async (text: string) => ((await floor.query({ text, rowMode: 'array' })).rows[0] as unknown[]).map(Number);
  assert.deepEqual(
    await one(`select count(*), count(*) filter (where status = 'paid') from f_orders`),
    [ORDERS, ORDERS],
    'orders, all paid',
  );
  assert.deepEqual(await one(`select count(*) filter (where status = 'paid') from f_sub_orders`), [ORDERS], 'sub-orders paid');
  assert.deepEqual(await one(`select count(*) from f_idempotency`), [ORDERS], 'one idempotency key per order');
  assert.deepEqual(
    await one(`select count(*) filter (where status = 'committed'), count(*) from f_reservations`),
    [ORDERS, ORDERS],
    'every reservation committed',
  );
  assert.deepEqual(await one(`select sum(sold), sum(reserved) from f_stock`), [ORDERS, 0], 'stock sold, nothing left reserved');
  assert.deepEqual(await one(`select count(*) from f_notifications_sent`), [2 * ORDERS], "the customer's and the seller's email");
  assert.deepEqual(await one(`select count(*) from f_seller_index where status = 'paid'`), [ORDERS], "the seller's index");
  assert.deepEqual(await one(`select sum(orders) from f_sales_daily`), [ORDERS], 'the sales counter');
  assert.deepEqual(await one(`select count(*) from f_jobs`), [0], 'every job claimed and done');
  assert.deepEqual(await one(`select count(*) from f_cart_lines`), [0], 'every cart emptied by its checkout');
});

test('the bench reports the floor beside the paid/s target, and says nothing of it when it was not measured', () => {
  const spread: CheckoutRow = {
    scenario: 'spread (add-to-cart + checkout)',
    concurrency: 50,
    durationSec: 15,
    checkoutCalls: 1500,
    accepted: 1500,
    acceptedPerSec: 100,
    p50Ms: 300,
    p99Ms: 600,
    maxMs: 700,
    cartP99Ms: 100,
    errors: {},
    paid: 1500,
    pendingAfterDrain: 0,
    paidPerSec: 90,
    paidWindowSec: 16.7,
    invariantProblems: [],
    extra: {},
  };
  const baseline = {
    kind: 'measured',
    tps: 2000,
    binary: 'pgbench',
    version: '15',
    clients: 8,
    threads: 2,
    seconds: 15,
    scale: 10,
  } as const;
  const paidTarget = (pgbench: PgbenchResult) => judgeCheckout([spread], pgbench).find((t) => t.name.startsWith('orders paid/s'))!;

  const measured: PgbenchResult = { ...baseline, orderFloor: { kind: 'measured', ordersPerSec: 400 } };
  assert.equal(paidTarget(measured).verdict, 'FAIL');
  assert.equal(paidTarget(measured).detail, '90 paid/s vs 2000 TPS = 5%; the order floor (SQL alone) 20%');
  assert.match(formatCheckoutTable([spread], measured), /order floor \(SQL alone\)\s+8\s+400/);

  const skipped: PgbenchResult = { ...baseline, orderFloor: { kind: 'skipped', reason: 'pgbench failed' } };
  assert.equal(paidTarget(skipped).detail, '90 paid/s vs 2000 TPS = 5%');
  assert.doesNotMatch(formatCheckoutTable([spread], skipped), /order floor/);
});
