import { enqueue, type TaskHandler } from '../../platform/queue/queue.ts';
import { isId } from '../../shared/ids.ts';
import type { DatabaseHandle } from '../../platform/postgres/database.ts';
import { createCheckoutAdmission } from './orders.admission.ts';
import { createCheckout } from './orders.checkout.ts';
import { ordersErrors } from './orders.errors.ts';
import { createPaymentFlow, SELLER_INDEX_TASK } from './orders.payment.ts';
import * as repo from './orders.repository.ts';
import { deriveOrderStatus, isPaidOrLater, transition, type OrderStatus } from './orders.state.ts';
import type {
  OrderLineView,
  OrderSummary,
  OrderView,
  OrdersDeps,
  Page,
  SellerOrderSummary,
  SellerSubOrderView,
  ShippingAddress,
} from './orders.types.ts';

export const SWEEP_TASK = 'orders.sweep';
const SWEEP_BATCH = 500;

const lineView = (l: repo.OrderLineRow, currency: string): OrderLineView => ({
  variantId: l.variant_id,
  productId: l.product_id,
  title: l.title,
  sku: l.sku,
  options: l.options as Record<string, string>,
  unitPrice: { amount: Number(l.unit_price), currency },
  quantity: l.quantity,
});

export function createOrdersService(deps: OrdersDeps) {
  const { stores, inventory, payments, settings, log } = deps;
  const checkout = createCheckout(deps, createCheckoutAdmission(deps.settings.admission, deps.redis, log.child({ part: 'checkout-line' })));
  const flow = createPaymentFlow(deps);

  /** The shard database of a sharded id, or null for an id no shard could hold (answered as not found). */
  function shardOf(id: string): DatabaseHandle | null {
    if (!isId(id)) return null;
    try {
      return stores.shards.forId(id);
    } catch {
      return null;
    }
  }

  async function getOrderStatus(orderId: string): Promise<OrderStatus | null> {
    const db = shardOf(orderId);
    if (!db) return null;
    return (await repo.findOrder(db.db, orderId))?.status ?? null;
  }

  async function ownOrder(customerId: string, orderId: string): Promise<{ db: DatabaseHandle; order: repo.OrderRow }> {
    const db = shardOf(orderId);
    const order = db ? await repo.findOrder(db.db, orderId) : null;
    // Someone else's order is "not found", never "forbidden": ids must not be probed.
    if (!db || !order || order.customer_id !== customerId) throw ordersErrors.notFound();
    return { db, order };
  }

  async function getOrder(customerId: string, orderId: string): Promise<OrderView> {
    const { db, order } = await ownOrder(customerId, orderId);
    const [subs, lines] = await Promise.all([repo.findSubOrders(db.db, orderId), repo.findLines(db.db, orderId)]);
    return {
      id: order.id,
      status: order.status,
      total: { amount: Number(order.total), currency: order.currency },
      shippingAddress: order.shipping_address as ShippingAddress,
      paymentDeadline: order.payment_deadline.toISOString(),
      createdAt: order.created_at.toISOString(),
      updatedAt: order.updated_at.toISOString(),
      subOrders: subs.map((s) => ({
        id: s.id,
        shopId: s.shop_id,
        shopName: s.shop_name,
        status: s.status,
        total: { amount: Number(s.total), currency: s.currency },
        lines: lines.filter((l) => l.sub_order_id === s.id).map((l) => lineView(l, order.currency)),
      })),
    };
  }

  async function listOrders(customerId: string, cursor: string | null, limit: number): Promise<Page<OrderSummary>> {
    if (cursor !== null && !isId(cursor)) throw ordersErrors.badCursor();
    const rows = await repo.listCustomerOrders(stores.shards.forId(customerId).db, customerId, cursor, limit + 1);
    const items = rows.slice(0, limit).map((o) => ({
      id: o.id,
      status: o.status,
      total: { amount: Number(o.total), currency: o.currency },
      createdAt: o.created_at.toISOString(),
    }));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
  }

  async function cancelOrder(customerId: string, orderId: string): Promise<OrderStatus> {
    const { order } = await ownOrder(customerId, orderId);
    const allowed = transition(order.status, 'cancelled', 'customer');
    if (!allowed.ok) throw ordersErrors.illegalTransition(allowed.reason);
    if (!(await flow.failUnpaid(orderId, 'cancelled', 'customer'))) {
      throw ordersErrors.illegalTransition('the order changed meanwhile (it was paid or failed); reload it');
    }
    // The release job is already committed; releasing now just makes the stock available sooner.
    await inventory.release(orderId).catch((err: unknown) => log.warn({ err, orderId }, 'immediate release failed; the job will retry'));
    return 'cancelled';
  }

  async function ownSubOrder(sellerId: string, subOrderId: string): Promise<{ db: DatabaseHandle; sub: repo.SubOrderRow }> {
    const db = shardOf(subOrderId);
    const sub = db ? await repo.findSubOrder(db.db, subOrderId) : null;
    // Unpaid sub-orders are not the seller's business yet: they are not in the seller's list either.
    if (!db || !sub || sub.seller_id !== sellerId || !isPaidOrLater(sub.status)) throw ordersErrors.subOrderNotFound();
    return { db, sub };
  }

  async function getSellerSubOrder(sellerId: string, subOrderId: string): Promise<SellerSubOrderView> {
    const { db, sub } = await ownSubOrder(sellerId, subOrderId);
    const [order, lines] = await Promise.all([repo.findOrder(db.db, sub.order_id), repo.findLines(db.db, sub.order_id)]);
    return {
      id: sub.id,
      orderId: sub.order_id,
      status: sub.status,
      total: { amount: Number(sub.total), currency: sub.currency },
      shippingAddress: order!.shipping_address as ShippingAddress,
      placedAt: sub.created_at.toISOString(),
      lines: lines.filter((l) => l.sub_order_id === sub.id).map((l) => lineView(l, sub.currency)),
    };
  }

  async function listSellerOrders(sellerId: string, cursor: string | null, limit: number): Promise<Page<SellerOrderSummary>> {
    if (cursor !== null && !isId(cursor)) throw ordersErrors.badCursor();
    const rows = await repo.listSellerIndex(stores.shards.forId(sellerId).db, sellerId, cursor, limit + 1);
    const items = rows.slice(0, limit).map((r) => ({
      subOrderId: r.sub_order_id,
      orderId: r.order_id,
      status: r.status,
      total: { amount: Number(r.total), currency: r.currency },
      placedAt: r.placed_at.toISOString(),
    }));
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.subOrderId : null };
  }

  /**
   * A seller's move of their own sub-order, through the state machine; the order's status follows
   * its sub-orders (deriveOrderStatus) and the seller index is refreshed by a job in the same commit.
   */
  async function moveSubOrder(sellerId: string, subOrderId: string, to: OrderStatus): Promise<OrderStatus> {
    const { db, sub } = await ownSubOrder(sellerId, subOrderId);
    const allowed = transition(sub.status, to, 'seller');
    if (!allowed.ok) throw ordersErrors.illegalTransition(allowed.reason);
    return db.db.transaction().execute(async (trx) => {
      if (!(await repo.casSubOrderStatus(trx, subOrderId, sub.status, to))) {
        throw ordersErrors.illegalTransition('the order changed meanwhile; reload it');
      }
      await repo.insertEvent(trx, { orderId: sub.order_id, subOrderId, from: sub.status, to, actor: 'seller' });
      const order = (await repo.findOrder(trx, sub.order_id, { forUpdate: true }))!;
      const derived = deriveOrderStatus((await repo.findSubOrders(trx, sub.order_id)).map((s) => s.status));
      if (derived !== order.status && (await repo.casOrderStatus(trx, order.id, order.status, derived))) {
        await repo.insertEvent(trx, { orderId: order.id, subOrderId: null, from: order.status, to: derived, actor: 'seller' });
      }
      await enqueue(trx, { task: SELLER_INDEX_TASK, payload: { subOrderId }, jobKey: `${SELLER_INDEX_TASK}:${subOrderId}` });
      return to;
    });
  }

  async function refundSubOrder(sellerId: string, subOrderId: string): Promise<OrderStatus> {
    const { sub } = await ownSubOrder(sellerId, subOrderId);
    const allowed = transition(sub.status, 'refunded', 'seller');
    if (!allowed.ok) throw ordersErrors.illegalTransition(allowed.reason);
    // Money first (idempotent per refund key, so a retry after a failure refunds once), then the status.
    const outcome = await payments.refund({
      orderId: sub.order_id,
      refundKey: `refund:${subOrderId}`,
      amount: Number(sub.total),
      currency: sub.currency,
    });
    if (outcome.kind === 'declined') throw ordersErrors.refundFailed(outcome.reason);
    if (outcome.kind === 'unavailable') throw ordersErrors.providerUnavailable();
    return moveSubOrder(sellerId, subOrderId, 'refunded');
  }

  /**
   * One sweep: settles expired reservations by their order's fate, fails orders past their payment
   * deadline, frees jobs a killed worker left locked, and forgets old idempotency keys.
   */
  async function sweep(now = new Date()): Promise<{ reservations: number; overdue: number; unlocked: number; purged: number }> {
    let reservations = 0;
    for (const r of await inventory.listExpired(now, SWEEP_BATCH)) {
      const db = shardOf(r.orderId);
      const order = db ? await repo.findOrder(db.db, r.orderId) : null;
      reservations++;
      if (!order) await inventory.release(r.orderId);
      else if (isPaidOrLater(order.status)) await inventory.commit(r.orderId);
      else if (order.status !== 'pending_payment') await inventory.release(r.orderId);
      else if (order.payment_deadline > now) {
        // Payment is still being collected (provider down): keep the stock until the deadline.
        const extended = Math.min(order.payment_deadline.getTime(), now.getTime() + settings.reservationTtlSeconds * 1000);
        await inventory.extend(r.orderId, new Date(Math.max(extended, now.getTime() + 1000)));
      } else if (await flow.failUnpaid(r.orderId, 'payment_failed', 'system')) await inventory.release(r.orderId);
    }
    let overdue = 0;
    for (const shard of stores.shards.databases) {
      for (const orderId of await repo.listOverdueOrders(shard.db, now, SWEEP_BATCH)) {
        if (await flow.failUnpaid(orderId, 'payment_failed', 'system')) overdue++;
      }
    }
    let unlocked = 0;
    for (const handle of stores.all()) unlocked += await repo.unlockStaleJobs(handle.db, settings.jobLockTimeoutSeconds);
    let purged = 0;
    // Keys are kept at least 24 hours whatever the setting says (the issue promises a day).
    const keep = Math.max(24, settings.idempotencyTtlHours) * 3_600_000;
    for (const shard of stores.shards.databases) purged += await repo.purgeIdempotency(shard.db, new Date(now.getTime() - keep));
    return { reservations, overdue, unlocked, purged };
  }

  /** Enqueues the next sweep (one pending at a time, by job key), on the catalog store's queue. */
  async function scheduleSweep(delaySeconds = 0): Promise<void> {
    await enqueue(stores.catalog.db, {
      task: SWEEP_TASK,
      payload: {},
      jobKey: SWEEP_TASK,
      runAt: new Date(Date.now() + delaySeconds * 1000),
    });
  }

  const sweepTask: TaskHandler = async (_payload, ctx) => {
    try {
      const done = await sweep();
      if (done.reservations + done.overdue + done.unlocked + done.purged > 0) ctx.log.info(done, 'sweep');
    } finally {
      await scheduleSweep(settings.sweepIntervalSeconds);
    }
  };

  return {
    checkout,
    getOrderStatus,
    getOrder,
    listOrders,
    cancelOrder,
    getSellerSubOrder,
    listSellerOrders,
    advanceSubOrder: moveSubOrder,
    refundSubOrder,
    sweep,
    scheduleSweep,
    tasks: { ...flow.tasks, [SWEEP_TASK]: sweepTask } as Record<string, TaskHandler>,
  };
}

export type OrdersInternal = ReturnType<typeof createOrdersService>;
