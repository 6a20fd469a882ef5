import { isId, orderReference } from '../../../shared/ids.ts';
import type { Money } from '../../../shared/money.ts';
import { ordersErrors } from '../orders.errors.ts';
import * as orders from '../orders.repository.ts';
import { orderLineView } from '../orders.views.ts';
import { isPaidOrLater, type OrderStatus } from '../orders.state.ts';
import type { OrderLineView, Page, SellerOrderSummary, ShippingAddress } from '../orders.types.ts';
import { carrierName } from './carriers.ts';
import { subOrderInScope, type FulfilmentContext, type Scope } from './context.ts';
import { refundView, type RefundView } from './refunds.ts';
import * as repo from './repository.ts';

export type SellerLineView = OrderLineView & { refundedQuantity: number };

export type ShipmentView = { carrier: string; carrierName: string; trackingNumber: string | null; trackingUrl: string | null };

/** A sub-order as its seller (or an operator) works on it. */
export type SellerSubOrderView = {
  id: string;
  orderId: string;
  orderReference: string;
  shopId: string;
  shopName: string;
  status: OrderStatus;
  total: Money;
  refunded: Money;
  shippingAddress: ShippingAddress;
  placedAt: string;
  fulfilledAt: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  shipment: ShipmentView | null;
  lines: SellerLineView[];
  refunds: RefundView[];
};

export type SellerOrderFilter = Readonly<{ status?: OrderStatus; placedFrom?: string; placedBefore?: string }>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const lineView = (l: orders.OrderLineRow, currency: string, refunded: number): SellerLineView => ({
  ...orderLineView(l, currency),
  refundedQuantity: refunded,
});

/** The view of one sub-order from its rows (the order's lines and refunds may hold other sub-orders' too). */
function subOrderView(
  sub: orders.SubOrderRow,
  order: orders.OrderRow,
  lines: readonly orders.OrderLineRow[],
  refunds: readonly repo.RefundRow[],
): SellerSubOrderView {
  const mine = refunds.filter((r) => r.sub_order_id === sub.id);
  const units = new Map<string, number>();
  for (const r of mine) {
    if (r.status !== 'succeeded') continue;
    for (const l of r.lines as repo.RefundLine[]) units.set(l.variantId, (units.get(l.variantId) ?? 0) + l.quantity);
  }
  return {
    id: sub.id,
    orderId: sub.order_id,
    orderReference: orderReference(sub.order_id),
    shopId: sub.shop_id,
    shopName: sub.shop_name,
    status: sub.status,
    total: { amount: Number(sub.total), currency: sub.currency },
    refunded: { amount: Number(sub.refunded_amount), currency: sub.currency },
    shippingAddress: order.shipping_address as ShippingAddress,
    placedAt: sub.created_at.toISOString(),
    fulfilledAt: iso(sub.fulfilled_at),
    shippedAt: iso(sub.shipped_at),
    deliveredAt: iso(sub.delivered_at),
    shipment: sub.carrier
      ? { carrier: sub.carrier, carrierName: carrierName(sub.carrier), trackingNumber: sub.tracking_number, trackingUrl: sub.tracking_url }
      : null,
    lines: lines.filter((l) => l.sub_order_id === sub.id).map((l) => lineView(l, sub.currency, units.get(l.variant_id) ?? 0)),
    refunds: mine.map(refundView),
  };
}

/**
 * One paid (or later) sub-order in scope with its address, lines, shipment and refunds: what
 * GET /seller/orders/:id answers, and what the CSV export writes for each sub-order listed.
 */
export async function getSubOrder(ctx: FulfilmentContext, scope: Scope, subOrderId: string): Promise<SellerSubOrderView> {
  const { db, sub } = await subOrderInScope(ctx, scope, subOrderId);
  const [order, lines, refunds] = await Promise.all([
    orders.findOrder(db.db, sub.order_id),
    orders.findLines(db.db, sub.order_id),
    repo.refundsOfOrder(db.db, sub.order_id),
  ]);
  return subOrderView(sub, order!, lines, refunds);
}

/** A date-time filter value, or a 400 naming it. */
function dateOf(value: string | undefined, field: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw ordersErrors.badDate(field);
  return d;
}

/**
 * A seller's sub-orders from the per-seller index (in the seller's shard), newest first, a page at
 * a time, narrowed by status and by when they were placed ([placedFrom, placedBefore)). The index
 * follows each move by a job, so a status filter may lag a move by that job.
 */
export async function listSellerOrders(
  ctx: FulfilmentContext,
  sellerId: string,
  cursor: string | null,
  limit: number,
  filter: SellerOrderFilter = {},
): Promise<Page<SellerOrderSummary>> {
  if (cursor !== null && !isId(cursor)) throw ordersErrors.badCursor();
  const rows = await repo.listSellerIndex(ctx.deps.stores.shards.forId(sellerId).db, sellerId, cursor, limit + 1, {
    ...(filter.status ? { status: filter.status } : {}),
    ...optional('placedFrom', dateOf(filter.placedFrom, 'querystring.placedFrom')),
    ...optional('placedBefore', dateOf(filter.placedBefore, 'querystring.placedBefore')),
  });
  const items = rows.slice(0, limit).map((r) => ({
    subOrderId: r.sub_order_id,
    orderId: r.order_id,
    status: r.status,
    total: { amount: Number(r.total), currency: r.currency },
    placedAt: r.placed_at.toISOString(),
  }));
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.subOrderId : null };
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

/**
 * What the packer needs and nothing more: who it goes to, what goes in the parcel (units still to
 * send: refunded units stay out), and the order's reference to write on it. No prices: a parcel
 * may be a gift. JSON, not HTML: the studio renders it with the same components and a print style
 * sheet as its other pages, and the API stays one format.
 */
export type PackingSlip = {
  subOrderId: string;
  orderId: string;
  orderReference: string;
  shopName: string;
  placedAt: string;
  shipTo: ShippingAddress;
  lines: Array<{ variantId: string; title: string; sku: string; options: Record<string, string>; quantity: number }>;
  shipment: ShipmentView | null;
};

export async function packingSlip(ctx: FulfilmentContext, scope: Scope, subOrderId: string): Promise<PackingSlip> {
  const view = await getSubOrder(ctx, scope, subOrderId);
  return {
    subOrderId: view.id,
    orderId: view.orderId,
    orderReference: view.orderReference,
    shopName: view.shopName,
    placedAt: view.placedAt,
    shipTo: view.shippingAddress,
    lines: view.lines
      .map((l) => ({ variantId: l.variantId, title: l.title, sku: l.sku, options: l.options, quantity: l.quantity - l.refundedQuantity }))
      .filter((l) => l.quantity > 0),
    shipment: view.shipment,
  };
}

/** An order as the operator finds it. */
export type OperatorOrderSummary = {
  id: string;
  reference: string;
  customerId: string;
  status: OrderStatus;
  total: Money;
  createdAt: string;
  subOrders: Array<{ id: string; shopId: string; shopName: string; status: OrderStatus; refunded: Money }>;
};

export type OperatorOrderQuery = Readonly<{
  /** An order id, or its reference (the last 8 characters, as the buyer's emails show it). */
  order?: string;
  email?: string;
  shopId?: string;
  status?: OrderStatus;
}>;

const REFERENCE_RE = /^[0-9a-fA-F]{8}$/;

/**
 * The operator's order search, on every shard (an order lives in its buyer's): by id or reference,
 * buyer email, shop and status, combined; newest first, a keyset page at a time.
 */
export async function searchOrders(
  ctx: FulfilmentContext,
  query: OperatorOrderQuery,
  cursor: string | null,
  limit: number,
): Promise<Page<OperatorOrderSummary>> {
  if (cursor !== null && !isId(cursor)) throw ordersErrors.badCursor();
  const filter: { -readonly [K in keyof repo.OperatorFilter]: repo.OperatorFilter[K] } = {};
  if (query.order !== undefined) {
    const wanted = query.order.trim();
    if (isId(wanted.toLowerCase())) filter.orderId = wanted.toLowerCase();
    else if (REFERENCE_RE.test(wanted)) filter.reference = wanted.toLowerCase();
    else throw ordersErrors.badOrderQuery();
  }
  if (query.email !== undefined) {
    const buyer = await ctx.deps.identity.findAccountByEmail(query.email);
    if (!buyer) return { items: [], nextCursor: null };
    filter.customerId = buyer.id;
  }
  if (query.shopId) filter.shopId = query.shopId;
  if (query.status) filter.status = query.status;
  // An id or a buyer names its shard; anything else asks every shard for a page and merges them.
  const route = filter.orderId ?? filter.customerId;
  const shards = route ? [ctx.deps.stores.shards.forId(route)] : ctx.deps.stores.shards.databases;
  const found = await Promise.all(
    shards.map(async (shard) => {
      const rows = await repo.searchOrders(shard.db, filter, cursor, limit + 1);
      const subs = await repo.subOrdersOf(
        shard.db,
        rows.map((r) => r.id),
      );
      return rows.map((o) => ({ o, subs: subs.filter((s) => s.order_id === o.id) }));
    }),
  );
  const merged = found.flat().sort((a, b) => (a.o.id < b.o.id ? 1 : a.o.id > b.o.id ? -1 : 0));
  const items = merged.slice(0, limit).map(({ o, subs }) => ({
    id: o.id,
    reference: orderReference(o.id),
    customerId: o.customer_id,
    status: o.status,
    total: { amount: Number(o.total), currency: o.currency },
    createdAt: o.created_at.toISOString(),
    subOrders: subs.map((s) => ({
      id: s.id,
      shopId: s.shop_id,
      shopName: s.shop_name,
      status: s.status,
      refunded: { amount: Number(s.refunded_amount), currency: s.currency },
    })),
  }));
  return { items, nextCursor: merged.length > limit ? items[items.length - 1]!.id : null };
}

export type OperatorOrderView = {
  id: string;
  reference: string;
  status: OrderStatus;
  total: Money;
  refunded: Money;
  customer: { id: string; email: string | null; name: string | null };
  shippingAddress: ShippingAddress;
  paymentDeadline: string;
  createdAt: string;
  updatedAt: string;
  subOrders: SellerSubOrderView[];
};

/** Any order, for the operator: the buyer, every sub-order with its shipment, lines and refunds. */
export async function getOrderForOperator(ctx: FulfilmentContext, orderId: string): Promise<OperatorOrderView> {
  const db = ctx.shardOf(orderId);
  const order = db ? await orders.findOrder(db.db, orderId) : null;
  if (!db || !order) throw ordersErrors.notFound();
  const [subs, lines, refunds, buyer] = await Promise.all([
    orders.findSubOrders(db.db, orderId),
    orders.findLines(db.db, orderId),
    repo.refundsOfOrder(db.db, orderId),
    ctx.deps.identity.getAccount(order.customer_id),
  ]);
  const views = subs.map((s) => subOrderView(s, order, lines, refunds));
  return {
    id: order.id,
    reference: orderReference(order.id),
    status: order.status,
    total: { amount: Number(order.total), currency: order.currency },
    refunded: { amount: views.reduce((sum, v) => sum + v.refunded.amount, 0), currency: order.currency },
    customer: { id: order.customer_id, email: buyer?.email ?? null, name: buyer?.name ?? null },
    shippingAddress: order.shipping_address as ShippingAddress,
    paymentDeadline: order.payment_deadline.toISOString(),
    createdAt: order.created_at.toISOString(),
    updatedAt: order.updated_at.toISOString(),
    subOrders: views,
  };
}

/** Whether an order may be refunded by the operator at all (paid or later). */
export const refundableOrder = (status: OrderStatus) => isPaidOrLater(status);
