import { sql, type Kysely } from 'kysely';
import type { OrderStatus } from './orders.state.ts';
import type { OrderRow } from './orders.repository.ts';

/**
 * The reads of the payment job, shaped for it: the order with what marking it paid needs (its
 * sub-orders and lines) in ONE statement, where findOrder + findSubOrders + findLines took three
 * round trips per paid order. Kept apart from orders.repository.ts so that the payment job's
 * narrow shapes do not leak into the general repository.
 */

/** What markPaid needs of a sub-order: the email and order.paid fields, and the seller index snapshot. */
export type PaidSubOrder = Readonly<{
  id: string;
  order_id: string;
  shop_id: string;
  seller_id: string;
  status: OrderStatus;
  total: number;
  currency: string;
  version: number;
  created_at: Date;
}>;

/** What markPaid needs of a line: the email's and order.paid's fields. */
export type PaidLine = Readonly<{
  sub_order_id: string;
  variant_id: string;
  product_id: string;
  title: string;
  unit_price: number;
  quantity: number;
}>;

export type OrderForPayment = Readonly<{ order: OrderRow; subs: PaidSubOrder[]; lines: PaidLine[] }>;

type JsonSub = Omit<PaidSubOrder, 'created_at'> & { created_at: string };

/**
 * The order, its sub-orders (by id) and its lines (by variant id), or null when there is no such
 * order. One statement, so the three are one snapshot: a whole-order move changes the order and
 * its sub-orders in one statement too, so this never sees them disagree. The json fields are
 * built column by column (bigint amounts come back as JSON numbers, timestamps as ISO text).
 */
export async function findOrderForPayment(db: Kysely<unknown>, orderId: string): Promise<OrderForPayment | null> {
  const { rows } = await sql<OrderRow & { subs: JsonSub[]; lines: PaidLine[] }>`
    select o.*,
      (select coalesce(json_agg(json_build_object(
          'id', s.id, 'order_id', s.order_id, 'shop_id', s.shop_id, 'seller_id', s.seller_id, 'status', s.status,
          'total', s.total, 'currency', s.currency, 'version', s.version, 'created_at', s.created_at) order by s.id), '[]'::json)
        from sub_orders s where s.order_id = o.id) as subs,
      (select coalesce(json_agg(json_build_object(
          'sub_order_id', l.sub_order_id, 'variant_id', l.variant_id, 'product_id', l.product_id, 'title', l.title,
          'unit_price', l.unit_price, 'quantity', l.quantity) order by l.variant_id), '[]'::json)
        from order_lines l where l.order_id = o.id) as lines
    from orders o where o.id = ${orderId}`.execute(db);
  const row = rows[0];
  if (!row) return null;
  const { subs, lines, ...order } = row;
  return {
    order,
    subs: subs.map((s) => ({ ...s, total: Number(s.total), created_at: new Date(s.created_at) })),
    lines: lines.map((l) => ({ ...l, unit_price: Number(l.unit_price) })),
  };
}
