import { sql, type Kysely, type Selectable } from 'kysely';
import { view } from '../../../platform/postgres/database.ts';
import type { OrderStatus } from '../orders.state.ts';
import type { SellerIndexRow, Tables as OrderTables } from '../orders.repository.ts';

/** Queries of the seller's and the operator's order work; the db or transaction comes first. */
type RefundsTable = {
  id: string;
  order_id: string;
  sub_order_id: string;
  idempotency_key: string;
  request_hash: string;
  provider_key: string;
  amount: string | number;
  currency: string;
  lines: unknown;
  reason: string | null;
  status: RefundStatus;
  failure: string | null;
  actor_id: string;
  actor_role: string;
  created_at: Date;
  updated_at: Date;
};

export type RefundStatus = 'pending' | 'succeeded' | 'failed';
/** A line of a refund by lines: how many units of which variant, and what they came to. */
export type RefundLine = { variantId: string; quantity: number; amount: number };

type Tables = OrderTables & { order_refunds: RefundsTable };
export type RefundRow = Selectable<RefundsTable>;

const t = (db: Kysely<unknown>) => view<Tables>(db);

/** The sub-order, locked until the transaction ends: every refund and move of it queues here. */
export async function lockSubOrder(trx: Kysely<unknown>, subOrderId: string) {
  return (await t(trx).selectFrom('sub_orders').selectAll().where('id', '=', subOrderId).forUpdate().executeTakeFirst()) ?? null;
}

/**
 * A seller's move, as a compare-and-set on the status read (a concurrent move makes it miss),
 * with the time of the move and, for a shipment, its carrier, number and link.
 */
export async function moveSubOrder(
  trx: Kysely<unknown>,
  m: {
    subOrderId: string;
    from: OrderStatus;
    to: OrderStatus;
    at: Date;
    shipment?: { carrier: string | null; trackingNumber: string | null; trackingUrl: string | null };
  },
): Promise<boolean> {
  const res = await t(trx)
    .updateTable('sub_orders')
    .set((eb) => ({
      status: m.to,
      updated_at: m.at,
      version: eb('version', '+', 1),
      ...(m.to === 'fulfilled' ? { fulfilled_at: m.at } : {}),
      ...(m.to === 'shipped' ? { shipped_at: m.at } : {}),
      ...(m.to === 'delivered' ? { delivered_at: m.at } : {}),
      ...(m.shipment
        ? { carrier: m.shipment.carrier, tracking_number: m.shipment.trackingNumber, tracking_url: m.shipment.trackingUrl }
        : {}),
    }))
    .where('id', '=', m.subOrderId)
    .where('status', '=', m.from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Adds a succeeded refund to the sub-order's refunded amount (the table's check keeps it within the total). */
export async function addRefunded(trx: Kysely<unknown>, subOrderId: string, amount: number): Promise<void> {
  await t(trx)
    .updateTable('sub_orders')
    .set((eb) => ({ refunded_amount: eb('refunded_amount', '+', amount), updated_at: new Date() }))
    .where('id', '=', subOrderId)
    .execute();
}

/** The live (pending or succeeded) refund under a key, or null. */
export async function findRefundByKey(db: Kysely<unknown>, subOrderId: string, key: string): Promise<RefundRow | null> {
  return (
    (await t(db)
      .selectFrom('order_refunds')
      .selectAll()
      .where('sub_order_id', '=', subOrderId)
      .where('idempotency_key', '=', key)
      .where('status', '<>', 'failed')
      .executeTakeFirst()) ?? null
  );
}

/** A sub-order's refunds that hold money (pending ones too: they may be paid out yet). */
export async function liveRefunds(db: Kysely<unknown>, subOrderId: string): Promise<RefundRow[]> {
  return t(db).selectFrom('order_refunds').selectAll().where('sub_order_id', '=', subOrderId).where('status', '<>', 'failed').execute();
}

/** Refunds left pending since before `before` (an outage, a crash), oldest first: the sweeper's. */
export async function stalePendingRefunds(db: Kysely<unknown>, before: Date, limit: number): Promise<RefundRow[]> {
  return t(db)
    .selectFrom('order_refunds')
    .selectAll()
    .where('status', '=', 'pending')
    .where('updated_at', '<', before)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
}

/** Every refund of an order, oldest first (failed ones too: the operator sees what was tried). */
export async function refundsOfOrder(db: Kysely<unknown>, orderId: string): Promise<RefundRow[]> {
  return t(db).selectFrom('order_refunds').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
}

export async function insertRefund(trx: Kysely<unknown>, row: Omit<RefundRow, 'created_at' | 'updated_at' | 'failure'>): Promise<void> {
  const now = new Date();
  await t(trx)
    .insertInto('order_refunds')
    .values({ ...row, lines: JSON.stringify(row.lines), failure: null, created_at: now, updated_at: now })
    .execute();
}

/** pending -> succeeded or failed, once: false when another call settled it first. */
export async function settleRefund(trx: Kysely<unknown>, id: string, to: 'succeeded' | 'failed', failure: string | null): Promise<boolean> {
  const res = await t(trx)
    .updateTable('order_refunds')
    .set({ status: to, failure, updated_at: new Date() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export type SellerListFilter = Readonly<{ status?: OrderStatus; placedFrom?: Date; placedBefore?: Date }>;

/** A seller's index entries, newest first, after the cursor, narrowed by status and date. */
export async function listSellerIndex(
  db: Kysely<unknown>,
  sellerId: string,
  before: string | null,
  limit: number,
  filter: SellerListFilter,
): Promise<SellerIndexRow[]> {
  let q = t(db).selectFrom('orders_seller_index').selectAll().where('seller_id', '=', sellerId);
  if (before) q = q.where('sub_order_id', '<', before);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.placedFrom) q = q.where('placed_at', '>=', filter.placedFrom);
  if (filter.placedBefore) q = q.where('placed_at', '<', filter.placedBefore);
  return q.orderBy('sub_order_id', 'desc').limit(limit).execute();
}

export type OperatorFilter = Readonly<{
  orderId?: string;
  /** The last 8 characters of an order id (orderReference), lower case. */
  reference?: string;
  customerId?: string;
  shopId?: string;
  status?: OrderStatus;
}>;

/** One shard's orders matching the operator's filter, newest first, after the cursor. */
export async function searchOrders(db: Kysely<unknown>, filter: OperatorFilter, before: string | null, limit: number) {
  let q = t(db).selectFrom('orders').selectAll();
  if (filter.orderId) q = q.where('id', '=', filter.orderId);
  if (filter.reference) q = q.where(sql<string>`id::text`, 'like', `%${filter.reference}`);
  if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.shopId) {
    const shopId = filter.shopId;
    q = q.where((eb) =>
      eb.exists(eb.selectFrom('sub_orders').select('id').whereRef('sub_orders.order_id', '=', 'orders.id').where('shop_id', '=', shopId)),
    );
  }
  if (before) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/** The sub-orders of several orders (one shard), for a page of search results. */
export async function subOrdersOf(db: Kysely<unknown>, orderIds: readonly string[]) {
  if (orderIds.length === 0) return [];
  return t(db).selectFrom('sub_orders').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();
}
