import { sql, type Generated, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { view } from '../../platform/postgres/database.ts';
import { addJobsCall, type JobSpec } from '../../platform/queue/queue.ts';
import type { OrderStatus } from './orders.state.ts';

/** Queries on the orders tables of one shard database; the db or transaction comes first. */
type OrdersTable = {
  id: string;
  customer_id: string;
  status: OrderStatus;
  currency: string;
  total: string | number;
  shipping_address: unknown;
  payment_deadline: Date;
  charge_id: string | null;
  created_at: Date;
  updated_at: Date;
};
type SubOrdersTable = {
  id: string;
  order_id: string;
  shop_id: string;
  shop_name: string;
  seller_id: string;
  status: OrderStatus;
  total: string | number;
  currency: string;
  version: number;
  created_at: Date;
  updated_at: Date;
  fulfilled_at: Date | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  carrier: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  refunded_amount: Generated<string | number>;
};
type OrderLinesTable = {
  order_id: string;
  variant_id: string;
  sub_order_id: string;
  product_id: string;
  title: string;
  sku: string;
  options: unknown;
  unit_price: string | number;
  quantity: number;
};
type OrderEventsTable = {
  order_id: string;
  sub_order_id: string | null;
  from_status: string | null;
  to_status: string;
  actor: string;
};
type IdempotencyTable = { customer_id: string; key: string; request_hash: string; status_code: number; response: string; created_at: Date };
type SellerIndexTable = {
  seller_id: string;
  sub_order_id: string;
  order_id: string;
  status: OrderStatus;
  total: string | number;
  currency: string;
  placed_at: Date;
  version: number;
};

export type Tables = {
  orders: OrdersTable;
  sub_orders: SubOrdersTable;
  order_lines: OrderLinesTable;
  order_events: OrderEventsTable;
  orders_idempotency: IdempotencyTable;
  orders_seller_index: SellerIndexTable;
};

export type OrderRow = Selectable<OrdersTable>;
export type SubOrderRow = Selectable<SubOrdersTable>;
export type OrderLineRow = Selectable<OrderLinesTable>;
export type SellerIndexRow = Selectable<SellerIndexTable>;

const t = (db: Kysely<unknown>) => view<Tables>(db);

/**
 * Claims an Idempotency-Key by writing its answer, or finds the answer already there. A second
 * request with the same key blocks on the first's uncommitted row until the first commits (then it
 * gets `previous`) or rolls back (then it claims the key itself): at most one of them goes on.
 * One round trip on the way every new key takes.
 */
export async function claimIdempotencyKey(
  trx: Kysely<unknown>,
  row: { customerId: string; key: string; requestHash: string; statusCode: number; response: string },
): Promise<{ claimed: true } | { claimed: false; previous: { requestHash: string; statusCode: number; response: string } }> {
  const claimed = await t(trx)
    .insertInto('orders_idempotency')
    .values({
      customer_id: row.customerId,
      key: row.key,
      request_hash: row.requestHash,
      status_code: row.statusCode,
      response: row.response,
      created_at: new Date(),
    })
    .onConflict((oc) => oc.columns(['customer_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (claimed) return { claimed: true };
  const previous = await findIdempotent(trx, row.customerId, row.key);
  // The row that blocked us committed (a rolled-back one would have let us claim), so it is there.
  if (!previous) throw new Error(`idempotency key ${row.key} conflicted but cannot be read`);
  return { claimed: false, previous };
}

export async function findIdempotent(
  db: Kysely<unknown>,
  customerId: string,
  key: string,
): Promise<{ requestHash: string; statusCode: number; response: string } | null> {
  const row = await t(db)
    .selectFrom('orders_idempotency')
    .select(['request_hash', 'status_code', 'response'])
    .where('customer_id', '=', customerId)
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? { requestHash: row.request_hash, statusCode: row.status_code, response: row.response } : null;
}

/** Replaces a claimed key's answer (the claim was written with the answer expected at the time). */
export async function setIdempotentAnswer(
  trx: Kysely<unknown>,
  row: { customerId: string; key: string; statusCode: number; response: string },
): Promise<void> {
  await t(trx)
    .updateTable('orders_idempotency')
    .set({ status_code: row.statusCode, response: row.response })
    .where('customer_id', '=', row.customerId)
    .where('key', '=', row.key)
    .execute();
}

export async function purgeIdempotency(db: Kysely<unknown>, olderThan: Date): Promise<number> {
  const res = await t(db).deleteFrom('orders_idempotency').where('created_at', '<', olderThan).executeTakeFirst();
  return Number(res.numDeletedRows);
}

export type NewOrder = Readonly<{
  order: { id: string; customerId: string; currency: string; total: number; shippingAddress: unknown; paymentDeadline: Date };
  subOrders: ReadonlyArray<{ id: string; shopId: string; shopName: string; sellerId: string; total: number }>;
  lines: ReadonlyArray<{
    variantId: string;
    subOrderId: string;
    productId: string;
    title: string;
    sku: string;
    options: unknown;
    unitPrice: number;
    quantity: number;
  }>;
}>;

/**
 * The order, its sub-orders, its lines, its first history row and its jobs, in ONE statement (one
 * round trip; a statement is atomic, and the caller's transaction covers the rest). `alsoWrite`: a
 * data-modifying statement of another module on the same database (checkout's emptying of the cart
 * lines it bought), run in the same statement as a CTE of its own; it sees the rows the statement
 * started with, not the order's.
 */
export async function insertOrder(
  db: Kysely<unknown>,
  o: NewOrder,
  jobs: ReadonlyArray<JobSpec>,
  alsoWrite?: RawBuilder<unknown>,
): Promise<void> {
  await insertOrders(db, [o], jobs, alsoWrite ? [alsoWrite] : []);
}

/**
 * Many orders (a checkout group) written as `insertOrder` writes one: every table's rows in one
 * multi-row insert, the whole in one statement, each `alsoWrite` as a CTE of its own.
 */
export async function insertOrders(
  db: Kysely<unknown>,
  orders: ReadonlyArray<NewOrder>,
  jobs: ReadonlyArray<JobSpec>,
  alsoWrite: ReadonlyArray<RawBuilder<unknown>> = [],
): Promise<void> {
  if (orders.length === 0) return;
  const now = new Date();
  let q = t(db)
    .with('o', (q) =>
      q
        .insertInto('orders')
        .values(
          orders.map((o) => ({
            id: o.order.id,
            customer_id: o.order.customerId,
            status: 'pending_payment' as const,
            currency: o.order.currency,
            total: o.order.total,
            shipping_address: JSON.stringify(o.order.shippingAddress),
            payment_deadline: o.order.paymentDeadline,
            charge_id: null,
            created_at: now,
            updated_at: now,
          })),
        )
        .returning('id'),
    )
    .with('s', (q) =>
      q
        .insertInto('sub_orders')
        .values(
          orders.flatMap((o) =>
            o.subOrders.map((s) => ({
              id: s.id,
              order_id: o.order.id,
              shop_id: s.shopId,
              shop_name: s.shopName,
              seller_id: s.sellerId,
              status: 'pending_payment' as const,
              total: s.total,
              currency: o.order.currency,
              version: 1,
              created_at: now,
              updated_at: now,
            })),
          ),
        )
        .returning('id'),
    )
    .with('l', (q) =>
      q
        .insertInto('order_lines')
        .values(
          orders.flatMap((o) =>
            o.lines.map((l) => ({
              order_id: o.order.id,
              variant_id: l.variantId,
              sub_order_id: l.subOrderId,
              product_id: l.productId,
              title: l.title,
              sku: l.sku,
              options: JSON.stringify(l.options),
              unit_price: l.unitPrice,
              quantity: l.quantity,
            })),
          ),
        )
        .returning('order_id'),
    )
    .with('e', (q) =>
      q
        .insertInto('order_events')
        .values(
          orders.map((o) => ({
            order_id: o.order.id,
            sub_order_id: null,
            from_status: null,
            to_status: 'pending_payment',
            actor: 'customer',
          })),
        )
        .returning('order_id'),
    );
  // A data-modifying CTE always runs, referenced or not; `(select)` is never run. Last, so the
  // statement is still named for the orders it writes (query-names.ts names a with by its first write).
  if (alsoWrite.length === 0) q = q.with('w', () => sql`(select)`) as unknown as typeof q;
  alsoWrite.forEach((w, i) => {
    q = q.with(`w${i}`, () => sql`(${w})`) as unknown as typeof q;
  });
  await q.selectNoFrom((jobs.length > 0 ? sql<number>`(select count(*) from ${addJobsCall(jobs)})` : sql<number>`0`).as('jobs')).execute();
}

type IdempotencyClaim = { customerId: string; key: string; requestHash: string; statusCode: number; response: string };
type StoredAnswer = { requestHash: string; statusCode: number; response: string };
const claimId = (customerId: string, key: string) => `${customerId} ${key}`;

/**
 * `claimIdempotencyKey` for a checkout group: every key in one insert, in one order (by customer
 * and key, so two groups that share keys wait for each other instead of deadlocking). Answers, by
 * `customerId key`, the keys another request holds with their stored answer; the rest are claimed.
 * The caller gives each customer and key once.
 */
export async function claimIdempotencyKeys(
  trx: Kysely<unknown>,
  rows: ReadonlyArray<IdempotencyClaim>,
): Promise<Map<string, StoredAnswer>> {
  const sorted = [...rows].sort((a, b) => (claimId(a.customerId, a.key) < claimId(b.customerId, b.key) ? -1 : 1));
  const now = new Date();
  const claimed = await t(trx)
    .insertInto('orders_idempotency')
    .values(
      sorted.map((r) => ({
        customer_id: r.customerId,
        key: r.key,
        request_hash: r.requestHash,
        status_code: r.statusCode,
        response: r.response,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['customer_id', 'key']).doNothing())
    .returning(['customer_id', 'key'])
    .execute();
  const mine = new Set(claimed.map((c) => claimId(c.customer_id, c.key)));
  const taken = sorted.filter((r) => !mine.has(claimId(r.customerId, r.key)));
  const previous = new Map<string, StoredAnswer>();
  if (taken.length === 0) return previous;
  const found = await t(trx)
    .selectFrom('orders_idempotency')
    .select(['customer_id', 'key', 'request_hash', 'status_code', 'response'])
    .where((eb) => eb.or(taken.map((r) => eb.and([eb('customer_id', '=', r.customerId), eb('key', '=', r.key)]))))
    .execute();
  for (const f of found)
    previous.set(claimId(f.customer_id, f.key), { requestHash: f.request_hash, statusCode: f.status_code, response: f.response });
  for (const r of taken) {
    // The row that blocked us committed (a rolled-back one would have let us claim), so it is there.
    if (!previous.has(claimId(r.customerId, r.key))) throw new Error(`idempotency key ${r.key} conflicted but cannot be read`);
  }
  return previous;
}

/** Gives claimed keys back (their request was refused before it did anything): a retry may claim them. */
export async function unclaimIdempotencyKeys(
  trx: Kysely<unknown>,
  rows: ReadonlyArray<{ customerId: string; key: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  await t(trx)
    .deleteFrom('orders_idempotency')
    .where((eb) => eb.or(rows.map((r) => eb.and([eb('customer_id', '=', r.customerId), eb('key', '=', r.key)]))))
    .execute();
}

/** `setIdempotentAnswer` for many claimed keys in one statement. */
export async function setIdempotentAnswers(
  trx: Kysely<unknown>,
  rows: ReadonlyArray<{ customerId: string; key: string; statusCode: number; response: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length === 1) return setIdempotentAnswer(trx, rows[0]!);
  const values = sql.join(rows.map((r) => sql`(${r.customerId}::uuid, ${r.key}::text, ${r.statusCode}::int, ${r.response}::text)`));
  await sql`update orders_idempotency i set status_code = v.status_code, response = v.response
    from (values ${values}) as v(customer_id, key, status_code, response)
    where i.customer_id = v.customer_id and i.key = v.key`.execute(trx);
}

export async function insertEvent(
  db: Kysely<unknown>,
  e: { orderId: string; subOrderId: string | null; from: OrderStatus | null; to: OrderStatus; actor: string },
): Promise<void> {
  await t(db)
    .insertInto('order_events')
    .values({ order_id: e.orderId, sub_order_id: e.subOrderId, from_status: e.from, to_status: e.to, actor: e.actor })
    .execute();
}

export async function findOrder(db: Kysely<unknown>, orderId: string, opts: { forUpdate?: boolean } = {}): Promise<OrderRow | null> {
  let q = t(db).selectFrom('orders').selectAll().where('id', '=', orderId);
  if (opts.forUpdate) q = q.forUpdate();
  return (await q.executeTakeFirst()) ?? null;
}

export async function findSubOrders(db: Kysely<unknown>, orderId: string): Promise<SubOrderRow[]> {
  return t(db).selectFrom('sub_orders').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
}

export async function findSubOrder(
  db: Kysely<unknown>,
  subOrderId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<SubOrderRow | null> {
  let q = t(db).selectFrom('sub_orders').selectAll().where('id', '=', subOrderId);
  if (opts.forUpdate) q = q.forUpdate();
  return (await q.executeTakeFirst()) ?? null;
}

export async function findLines(db: Kysely<unknown>, orderId: string): Promise<OrderLineRow[]> {
  return t(db).selectFrom('order_lines').selectAll().where('order_id', '=', orderId).orderBy('variant_id').execute();
}

/** A customer's orders, newest first, after the cursor (an order id). */
export async function listCustomerOrders(
  db: Kysely<unknown>,
  customerId: string,
  before: string | null,
  limit: number,
): Promise<OrderRow[]> {
  let q = t(db).selectFrom('orders').selectAll().where('customer_id', '=', customerId);
  if (before) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/**
 * Moves an order's status only if it is still `from`: the compare-and-set that makes a transition
 * happen exactly once when a job, the sweeper and a customer race. Returns whether it moved.
 */
export async function casOrderStatus(db: Kysely<unknown>, orderId: string, from: OrderStatus, to: OrderStatus): Promise<boolean> {
  const res = await t(db)
    .updateTable('orders')
    .set({ status: to, updated_at: new Date() })
    .where('id', '=', orderId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * The whole order (and its sub-orders still in `from`) moves `from` -> `to` with its history row,
 * in ONE statement: the compare-and-set on the order decides, and the sub-orders and the event
 * follow only when it moved. Returns whether it moved.
 */
export async function moveWholeOrder(
  db: Kysely<unknown>,
  m: { orderId: string; from: OrderStatus; to: OrderStatus; actor: string; chargeId?: string },
): Promise<boolean> {
  const now = new Date();
  const { rows } = await sql<{ moved: number }>`
    with o as (
      update orders set status = ${m.to}, updated_at = ${now}, charge_id = coalesce(${m.chargeId ?? null}::text, charge_id)
      where id = ${m.orderId} and status = ${m.from}
      returning id
    ), s as (
      update sub_orders set status = ${m.to}, updated_at = ${now}, version = version + 1
      where order_id in (select id from o) and status = ${m.from}
    ), e as (
      insert into order_events (order_id, sub_order_id, from_status, to_status, actor)
      select id, null, ${m.from}, ${m.to}, ${m.actor} from o
    )
    select count(*)::int as moved from o`.execute(db);
  return rows[0]!.moved === 1;
}

export async function casSubOrderStatus(db: Kysely<unknown>, subOrderId: string, from: OrderStatus, to: OrderStatus): Promise<boolean> {
  const res = await t(db)
    .updateTable('sub_orders')
    .set((eb) => ({ status: to, updated_at: new Date(), version: eb('version', '+', 1) }))
    .where('id', '=', subOrderId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Orders still pending payment past their deadline, for the sweeper. */
export async function listOverdueOrders(db: Kysely<unknown>, now: Date, limit: number): Promise<string[]> {
  const rows = await t(db)
    .selectFrom('orders')
    .select('id')
    .where('status', '=', 'pending_payment')
    .where('payment_deadline', '<', now)
    .orderBy('payment_deadline')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Writes a sub-order's entry in its seller's index; an older version never overwrites a newer one. */
export async function upsertSellerIndex(db: Kysely<unknown>, row: SellerIndexRow): Promise<void> {
  await t(db)
    .insertInto('orders_seller_index')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['seller_id', 'sub_order_id'])
        .doUpdateSet((eb) => ({ status: eb.ref('excluded.status'), version: eb.ref('excluded.version') }))
        .where('orders_seller_index.version', '<', (eb) => eb.ref('excluded.version')),
    )
    .execute();
}

export async function listSellerIndex(
  db: Kysely<unknown>,
  sellerId: string,
  before: string | null,
  limit: number,
): Promise<SellerIndexRow[]> {
  let q = t(db).selectFrom('orders_seller_index').selectAll().where('seller_id', '=', sellerId);
  if (before) q = q.where('sub_order_id', '<', before);
  return q.orderBy('sub_order_id', 'desc').limit(limit).execute();
}

/**
 * Frees jobs a killed worker left locked (graphile-worker would wait 4 hours): they run again,
 * which is safe because every job here is idempotent.
 */
export async function unlockStaleJobs(db: Kysely<unknown>, olderThanSeconds: number): Promise<number> {
  const jobs = await sql`update graphile_worker._private_jobs set locked_at = null, locked_by = null
    where locked_at < now() - make_interval(secs => ${olderThanSeconds})`.execute(db);
  await sql`update graphile_worker._private_job_queues set locked_at = null, locked_by = null
    where locked_at < now() - make_interval(secs => ${olderThanSeconds})`.execute(db);
  return Number(jobs.numAffectedRows ?? 0);
}
