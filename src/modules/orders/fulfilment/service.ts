import { createHash } from 'node:crypto';
import type { AuditActor } from '../../audit/index.ts';
import { IDEMPOTENCY_KEY_RE } from '../orders.checkout.ts';
import { ordersErrors } from '../orders.errors.ts';
import * as orders from '../orders.repository.ts';
import { transition } from '../orders.state.ts';
import type { OrdersDeps } from '../orders.types.ts';
import { fulfilmentContext, type Scope } from './context.ts';
import { moveSubOrder, type MoveInput } from './moves.ts';
import * as reads from './reads.ts';
import { refundSubOrder, type RefundInput, type RefundOutcome } from './refunds.ts';

/** An operator's refund of an order: one sub-order's, or (without subOrderId) every shop's part. */
export type OrderRefundInput = RefundInput & Readonly<{ subOrderId?: string }>;

/**
 * The seller's and the operator's order work (issue 15): moves of a parcel, refunds, the seller's
 * list, detail and packing slip, and the operator's search, detail and refunds. Every change is
 * audited in its own transaction; the routes and the pages call these same functions.
 */
export function createFulfilment(deps: OrdersDeps) {
  const ctx = fulfilmentContext(deps);
  const seller = (sellerId: string): Scope => ({ sellerId });

  /**
   * Refunds an order as the operator. With subOrderId (or lines that all belong to one shop), that
   * sub-order's refund; lines of several shops are refunded shop by shop; neither lines nor an
   * amount refunds what is left of every sub-order. The key of each sub-order's refund is the
   * request's key and the sub-order, so a retry of the whole request refunds nothing twice.
   */
  async function refundOrder(actor: AuditActor, orderId: string, input: OrderRefundInput): Promise<RefundOutcome[]> {
    if (input.idempotencyKey != null && !IDEMPOTENCY_KEY_RE.test(input.idempotencyKey)) throw ordersErrors.idempotencyKeyRequired();
    const db = ctx.shardOf(orderId);
    const order = db ? await orders.findOrder(db.db, orderId) : null;
    if (!db || !order || !reads.refundableOrder(order.status)) throw ordersErrors.notFound();
    const subs = await orders.findSubOrders(db.db, orderId);
    const { subOrderId, ...rest } = input;
    if (subOrderId !== undefined) {
      if (!subs.some((s) => s.id === subOrderId)) throw ordersErrors.subOrderNotFound();
      return [await refundSubOrder(ctx, actor, 'operator', subOrderId, rest)];
    }
    // Each sub-order's part of an order-wide refund is keyed by the request's key and the sub-order:
    // hashed, so any key a client may send still fits the key alphabet and length.
    const keyFor = (subId: string) =>
      rest.idempotencyKey ? `order:${createHash('sha256').update(rest.idempotencyKey).digest('hex').slice(0, 32)}:${subId}` : null;
    if (rest.lines) {
      const lines = await orders.findLines(db.db, orderId);
      const bySub = new Map<string, Array<{ variantId: string; quantity: number }>>();
      rest.lines.forEach((want, i) => {
        const line = lines.find((l) => l.variant_id === want.variantId);
        if (!line) throw ordersErrors.refundLineUnknown(i);
        bySub.set(line.sub_order_id, [...(bySub.get(line.sub_order_id) ?? []), want]);
      });
      if (bySub.size === 1) return [await refundSubOrder(ctx, actor, 'operator', [...bySub.keys()][0]!, rest)];
      const out: RefundOutcome[] = [];
      for (const [subId, chosen] of bySub)
        out.push(await refundSubOrder(ctx, actor, 'operator', subId, { ...rest, lines: chosen, idempotencyKey: keyFor(subId) }));
      return out;
    }
    if (rest.amount !== undefined) {
      if (subs.length !== 1) throw ordersErrors.subOrderRequired();
      return [await refundSubOrder(ctx, actor, 'operator', subs[0]!.id, rest)];
    }
    // Everything left: each sub-order that still holds money, in turn.
    const open = subs.filter((s) => transition(s.status, 'refunded', 'operator').ok && Number(s.refunded_amount) < Number(s.total));
    if (open.length === 0) throw ordersErrors.nothingToRefund();
    const out: RefundOutcome[] = [];
    for (const s of open) out.push(await refundSubOrder(ctx, actor, 'operator', s.id, { ...rest, idempotencyKey: keyFor(s.id) }));
    return out;
  }

  return {
    moveSubOrder: (actor: AuditActor, sellerId: string, subOrderId: string, input: MoveInput) =>
      moveSubOrder(ctx, actor, seller(sellerId), subOrderId, input),
    refundSubOrder: (actor: AuditActor, sellerId: string, subOrderId: string, input: RefundInput) =>
      refundSubOrder(ctx, actor, seller(sellerId), subOrderId, input),
    getSellerSubOrder: (sellerId: string, subOrderId: string) => reads.getSubOrder(ctx, seller(sellerId), subOrderId),
    listSellerOrders: (sellerId: string, cursor: string | null, limit: number, filter?: reads.SellerOrderFilter) =>
      reads.listSellerOrders(ctx, sellerId, cursor, limit, filter),
    packingSlip: (sellerId: string, subOrderId: string) => reads.packingSlip(ctx, seller(sellerId), subOrderId),
    searchOrders: (query: reads.OperatorOrderQuery, cursor: string | null, limit: number) => reads.searchOrders(ctx, query, cursor, limit),
    getOrderForOperator: (orderId: string) => reads.getOrderForOperator(ctx, orderId),
    refundOrder,
  };
}

export type Fulfilment = ReturnType<typeof createFulfilment>;
