import type { Kysely } from 'kysely';
import { enqueue, type JobSpec } from '../../../platform/queue/queue.ts';
import type { AuditActor } from '../../audit/index.ts';
import type { OrderEmail } from '../../notifications/index.ts';
import { ordersErrors } from '../orders.errors.ts';
import { SELLER_INDEX_TASK } from '../orders.payment.ts';
import * as orders from '../orders.repository.ts';
import { deriveOrderStatus, transition, type Actor, type OrderStatus } from '../orders.state.ts';
import { carrierName, trackingUrlFor } from './carriers.ts';
import { subOrderInScope, type FulfilmentContext, type Scope } from './context.ts';
import * as repo from './repository.ts';

/** A seller's move of a parcel; carrier, tracking number and link go with 'shipped' only. */
export type MoveInput = Readonly<{
  to: 'fulfilled' | 'shipped' | 'delivered';
  carrier?: string;
  trackingNumber?: string;
  trackingUrl?: string;
}>;

export type Shipment = Readonly<{ carrier: string; trackingNumber: string | null; trackingUrl: string | null }>;

export type MovedSubOrder = Readonly<{ id: string; status: OrderStatus; shipment: Shipment | null }>;

/** The shipment a move carries, checked: none unless shipping, and a number or link needs its carrier. */
function shipmentOf(input: MoveInput): Shipment | null {
  const given = (['carrier', 'trackingNumber', 'trackingUrl'] as const).filter((f) => input[f] !== undefined);
  if (input.to !== 'shipped') {
    if (given.length > 0) throw ordersErrors.shipmentOnlyWhenShipping(`body.${given[0]}`);
    return null;
  }
  const carrier = input.carrier?.trim();
  if (!carrier) {
    if (given.length > 0) throw ordersErrors.carrierRequired();
    return null; // handed over in person, or a carrier without tracking: shipped all the same
  }
  const trackingNumber = input.trackingNumber?.trim() || null;
  return {
    carrier,
    trackingNumber,
    trackingUrl: trackingNumber ? trackingUrlFor(carrier, trackingNumber, input.trackingUrl ?? null) : (input.trackingUrl ?? null),
  };
}

/**
 * The order's status follows its sub-orders (deriveOrderStatus), and the seller's index entry is
 * rewritten by a job; both in the transaction of the sub-order's move.
 */
export async function followSubOrderMove(
  trx: Kysely<unknown>,
  m: { orderId: string; subOrderId: string; from: OrderStatus; to: OrderStatus; actor: Actor },
): Promise<void> {
  await orders.insertEvent(trx, { orderId: m.orderId, subOrderId: m.subOrderId, from: m.from, to: m.to, actor: m.actor });
  const order = (await orders.findOrder(trx, m.orderId, { forUpdate: true }))!;
  const derived = deriveOrderStatus((await orders.findSubOrders(trx, m.orderId)).map((s) => s.status));
  if (derived !== order.status && (await orders.casOrderStatus(trx, order.id, order.status, derived))) {
    await orders.insertEvent(trx, { orderId: order.id, subOrderId: null, from: order.status, to: derived, actor: m.actor });
  }
  await enqueue(trx, { task: SELLER_INDEX_TASK, payload: { subOrderId: m.subOrderId }, jobKey: `${SELLER_INDEX_TASK}:${m.subOrderId}` });
}

/** The buyer's email about a sub-order (shipped, delivered), or null when there is no one to tell. */
async function buyerEmail(
  ctx: FulfilmentContext,
  db: Kysely<unknown>,
  sub: orders.SubOrderRow,
  kind: 'order-shipped' | 'order-delivered',
  shipment: Shipment | null,
): Promise<JobSpec | null> {
  const [order, lines] = await Promise.all([orders.findOrder(db, sub.order_id), orders.findLines(db, sub.order_id)]);
  const buyer = order ? await ctx.deps.identity.getAccount(order.customer_id) : null;
  if (!buyer) return null;
  const email: OrderEmail = {
    messageKey: `${kind}:${sub.id}`,
    to: buyer.email,
    kind,
    orderId: sub.order_id,
    customerName: buyer.name,
    shopName: sub.shop_name,
    lines: lines
      .filter((l) => l.sub_order_id === sub.id)
      .map((l) => ({ title: l.title, quantity: l.quantity, unitPrice: Number(l.unit_price) })),
    total: Number(sub.total),
    currency: sub.currency,
    ...(shipment ? { shipment: { ...shipment, carrier: carrierName(shipment.carrier) } } : {}),
  };
  return ctx.deps.notifications.emailJob(email);
}

/**
 * Moves a sub-order on (fulfilled, shipped, delivered) through the state machine: an impossible
 * move is ORDERS_ILLEGAL_TRANSITION naming both states. In the one transaction of the move: the
 * shipment, the order's derived status, the seller index job, the buyer's email (shipped,
 * delivered) and the audit entry.
 */
export async function moveSubOrder(
  ctx: FulfilmentContext,
  actor: AuditActor,
  scope: Scope,
  subOrderId: string,
  input: MoveInput,
): Promise<MovedSubOrder> {
  const shipment = shipmentOf(input);
  const { db, sub } = await subOrderInScope(ctx, scope, subOrderId);
  const check = (from: OrderStatus) => {
    const allowed = transition(from, input.to, 'seller');
    if (!allowed.ok) throw ordersErrors.illegalTransition(allowed.reason, { from, to: input.to });
  };
  check(sub.status);
  // Read before the transaction opens (the buyer through identity's cache): no connection held meanwhile.
  const email =
    input.to === 'fulfilled'
      ? null
      : await buyerEmail(ctx, db.db, sub, input.to === 'shipped' ? 'order-shipped' : 'order-delivered', shipment);
  return db.db.transaction().execute(async (trx) => {
    const now = (await repo.lockSubOrder(trx, subOrderId))!;
    check(now.status); // moved meanwhile: judged again on what it is now
    const at = new Date();
    await repo.moveSubOrder(trx, {
      subOrderId,
      from: now.status,
      to: input.to,
      at,
      ...(input.to === 'shipped'
        ? {
            shipment: {
              carrier: shipment?.carrier ?? null,
              trackingNumber: shipment?.trackingNumber ?? null,
              trackingUrl: shipment?.trackingUrl ?? null,
            },
          }
        : {}),
    });
    await followSubOrderMove(trx, { orderId: sub.order_id, subOrderId, from: now.status, to: input.to, actor: 'seller' });
    if (email) await enqueue(trx, email);
    await ctx.deps.audit.record(trx, actor, {
      action: `sub_order.${input.to}`,
      targetType: 'sub_order',
      targetId: subOrderId,
      before: {
        status: now.status,
        ...(shipment ? { carrier: now.carrier, trackingNumber: now.tracking_number, trackingUrl: now.tracking_url } : {}),
      },
      after: { status: input.to, ...(shipment ? { ...shipment } : {}) },
    });
    return { id: subOrderId, status: input.to, shipment };
  });
}
