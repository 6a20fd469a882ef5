import { enqueue, type TaskHandler } from '../../platform/queue/queue.ts';
import { isId } from '../../shared/ids.ts';
import type { DatabaseHandle } from '../../platform/postgres/database.ts';
import { createCheckoutAdmission } from './orders.admission.ts';
import { createCheckout } from './orders.checkout.ts';
import { createPlacement } from './orders.placement.ts';
import { ordersErrors } from './orders.errors.ts';
import { createPaymentFlow } from './orders.payment.ts';
import { fulfilmentContext } from './fulfilment/context.ts';
import { resumePendingRefunds } from './fulfilment/refunds.ts';
import * as repo from './orders.repository.ts';
import { orderLineView } from './orders.views.ts';
import { isPaidOrLater, transition, type OrderStatus } from './orders.state.ts';
import type { OrderSummary, OrderView, OrdersDeps, Page, ShippingAddress } from './orders.types.ts';

export const SWEEP_TASK = 'orders.sweep';
const SWEEP_BATCH = 500;

export function createOrdersService(deps: OrdersDeps) {
  const { stores, inventory, settings, log } = deps;
  const placement = createPlacement(deps, { groupMax: settings.groupMax, groupWindowMs: settings.groupWindowMs });
  const checkout = createCheckout(
    deps,
    createCheckoutAdmission(deps.settings.admission, deps.redis, log.child({ part: 'checkout-line' })),
    placement,
  );
  const flow = createPaymentFlow(deps);
  const fulfilment = fulfilmentContext(deps);

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
        lines: lines.filter((l) => l.sub_order_id === s.id).map((l) => orderLineView(l, order.currency)),
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

  /**
   * One sweep: settles expired reservations by their order's fate, fails orders past their payment
   * deadline, frees jobs a killed worker left locked, and forgets old idempotency keys.
   */
  async function sweep(
    now = new Date(),
  ): Promise<{ reservations: number; overdue: number; unlocked: number; purged: number; refunds: number }> {
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
    // Refunds an outage left pending, that no client retried (they hold their amount until then).
    const refunds = await resumePendingRefunds(fulfilment, now, SWEEP_BATCH);
    return { reservations, overdue, unlocked, purged, refunds };
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
      if (done.reservations + done.overdue + done.unlocked + done.purged + done.refunds > 0) ctx.log.info(done, 'sweep');
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
    sweep,
    scheduleSweep,
    groupStats: placement.groupStats,
    tasks: { ...flow.tasks, [SWEEP_TASK]: sweepTask } as Record<string, TaskHandler>,
  };
}

export type OrdersInternal = ReturnType<typeof createOrdersService>;
