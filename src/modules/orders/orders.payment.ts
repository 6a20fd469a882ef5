import type { Kysely } from 'kysely';
import { enqueue, PermanentJobError, type JobContext, type JobSpec, type TaskHandler } from '../../platform/queue/queue.ts';
import { isDomainError } from '../../shared/errors.ts';
import { isId, shardOfId } from '../../shared/ids.ts';
import type { OrderEmail } from '../notifications/index.ts';
import { COLLECT_PAYMENT_TASK, COLLECT_PAYMENTS_TASK } from './orders.placement.ts';
import { ordersErrors } from './orders.errors.ts';
import { findOrderForPayment, type OrderForPayment, type PaidSubOrder } from './orders.paid-reads.ts';
import * as repo from './orders.repository.ts';
import { ORDER_STATUSES, transition, type Actor, type OrderStatus } from './orders.state.ts';
import type { OrdersDeps } from './orders.types.ts';
import { jitteredBackoffMs } from '../../platform/queue/backoff.ts';
import { recordOrderPaid } from '../../platform/observability/metrics.ts';

export const ORDER_PAID_EVENT = 'order.paid';

/** The payload of `order.paid` (amounts in minor units of `currency`), for subscribers such as reporting. */
export type OrderPaidPayload = {
  orderId: string;
  customerId: string;
  total: number;
  currency: string;
  subOrders: Array<{ id: string; shopId: string; sellerId: string; total: number }>;
  lines: Array<{ variantId: string; productId: string; quantity: number; unitPrice: number }>;
};
export const COMMIT_STOCK_TASK = 'orders.commit-stock';
export const RELEASE_STOCK_TASK = 'orders.release-stock';
export const SELLER_INDEX_TASK = 'orders.seller-index';
const MAX_RETRY_DELAY_MS = 30_000;
/** Charges of one payment group in flight at once (the provider's bulkhead, payments.resilience.ts, allows 16 a process). */
const GROUP_CHARGES_AT_ONCE = 8;

/**
 * The payment job's own retry delay after `attempt` earlier tries (0 for the first retry): 500 ms
 * doubling, capped at 30 s, with jitter (half to all of it), so a provider coming back is not stampeded.
 */
export function retryDelayMs(attempt: number): number {
  return jitteredBackoffMs(attempt + 1, 500, MAX_RETRY_DELAY_MS);
}

function orderIdOf(payload: Record<string, unknown>, field = 'orderId'): string {
  const id = payload[field];
  if (typeof id !== 'string' || !isId(id)) throw new PermanentJobError(`job payload has no valid ${field}`);
  return id;
}

/** The order ids of a group's job (`orderIds`): at least one, each a valid id, or the job fails for good. */
function orderIdsOf(payload: Record<string, unknown>): string[] {
  const ids = payload.orderIds;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && isId(id)))
    throw new PermanentJobError('job payload has no valid orderIds');
  return ids as string[];
}

/**
 * The seller-index job of a sub-order that markPaid moves, carrying the entry it will have: the
 * move takes every sub-order still pending_payment to paid at version + 1, in the same statement
 * that moves the order, and the job is enqueued in that transaction, so the snapshot is exact
 * whenever the job exists. It can be overtaken (a seller's later move commits, and its job runs,
 * first), and that is safe: upsertSellerIndex writes a version only over an older one, so the
 * entry never goes back. A sub-order read in any other state (never expected) gets the plain
 * payload and the job reads it instead. Saves the job's read of the buyer's shard per sub-order.
 */
function sellerIndexPayload(sub: PaidSubOrder): Record<string, unknown> {
  if (sub.status !== 'pending_payment') return { subOrderId: sub.id };
  return {
    subOrderId: sub.id,
    snapshot: {
      orderId: sub.order_id,
      sellerId: sub.seller_id,
      status: 'paid',
      version: sub.version + 1,
      total: sub.total,
      currency: sub.currency,
      placedAt: sub.created_at.toISOString(),
    },
  };
}

/** The index row a seller-index payload carries, or null when it carries none (or a malformed one: then the job reads). */
function snapshotOf(payload: Record<string, unknown>, subOrderId: string): repo.SellerIndexRow | null {
  const s = payload.snapshot as Record<string, unknown> | undefined;
  if (typeof s !== 'object' || s === null) return null;
  const { orderId, sellerId, status, version, total, currency, placedAt } = s;
  if (typeof orderId !== 'string' || !isId(orderId) || typeof sellerId !== 'string' || !isId(sellerId)) return null;
  if (typeof status !== 'string' || !(ORDER_STATUSES as readonly string[]).includes(status)) return null;
  if (!Number.isSafeInteger(version) || !Number.isSafeInteger(total) || typeof currency !== 'string' || typeof placedAt !== 'string')
    return null;
  const placed = new Date(placedAt);
  if (Number.isNaN(placed.getTime())) return null;
  return {
    seller_id: sellerId,
    sub_order_id: subOrderId,
    order_id: orderId,
    status: status as OrderStatus,
    total: total as number,
    currency,
    placed_at: placed,
    version: version as number,
  };
}

/**
 * Order transitions driven by jobs (payment, failure) and the follow-up jobs they enqueue. Every
 * status change goes through `transition` (legal?) and a compare-and-set update (still in the state
 * we read?), so a job re-run after a crash, the sweeper and a customer's cancel can race and the
 * order still moves exactly once.
 */
export function createPaymentFlow(deps: OrdersDeps) {
  const { stores, payments, inventory, identity, notifications, events } = deps;

  /** pending_payment -> to, for the whole order and its sub-orders; false when someone else moved it first. */
  async function moveUnpaid(trx: Kysely<unknown>, orderId: string, to: OrderStatus, actor: Actor, chargeId?: string): Promise<boolean> {
    const allowed = transition('pending_payment', to, actor);
    if (!allowed.ok) throw ordersErrors.illegalTransition(allowed.reason);
    return repo.moveWholeOrder(trx, { orderId, from: 'pending_payment', to, actor, ...(chargeId ? { chargeId } : {}) });
  }

  /** The customer's "payment failed" email for an order, or null when there is no one to tell. */
  async function paymentFailedEmail(db: Kysely<unknown>, orderId: string, known?: OrderForPayment): Promise<JobSpec | null> {
    const found = known ?? (await findOrderForPayment(db, orderId));
    if (!found) return null;
    const customer = await identity.getAccount(found.order.customer_id);
    if (!customer) return null;
    return notifications.emailsJob([
      {
        messageKey: `payment-failed:${orderId}`,
        to: customer.email,
        kind: 'payment-failed',
        orderId,
        customerName: customer.name,
        lines: found.lines.map((l) => ({ title: l.title, quantity: l.quantity, unitPrice: Number(l.unit_price) })),
        total: Number(found.order.total),
        currency: found.order.currency,
      },
    ]);
  }

  /**
   * Ends an unpaid order (declined, refused, past its deadline, cancelled): the stock goes back
   * through a job enqueued in the same transaction, so it is released even if we crash right after
   * the commit. A failed payment also tells the customer (the order they were told was accepted
   * will not come), in the same transaction, so only the call that moved the order sends it.
   */
  async function failUnpaid(orderId: string, to: 'payment_failed' | 'cancelled', actor: Actor, known?: OrderForPayment): Promise<boolean> {
    const db = stores.shards.forId(orderId).db;
    // Read before the transaction opens (identity's cache, the order's lines): no connection held meanwhile.
    const email = to === 'payment_failed' ? await paymentFailedEmail(db, orderId, known) : null;
    return db.transaction().execute(async (trx) => {
      const moved = await moveUnpaid(trx, orderId, to, actor);
      if (moved) {
        const release: JobSpec = { task: RELEASE_STOCK_TASK, payload: { orderId }, jobKey: `${RELEASE_STOCK_TASK}:${orderId}` };
        await enqueue(trx, release);
        if (email) await enqueue(trx, email);
      }
      return moved;
    });
  }

  /**
   * What marking one order paid writes besides the move: its follow-up jobs (commit the
   * reservation, the customer's and each seller's email, each seller's index entry) and its
   * `order.paid` payload. The order, its sub-orders and lines were read in one statement by the
   * caller (they do not change while the order is unpaid); the accounts come through identity's
   * short-lived cache, read before any transaction opens.
   */
  async function paidWork(found: OrderForPayment, chargeId: string) {
    const { order, subs, lines } = found;
    const orderId = order.id;
    const [customer, sellers] = await Promise.all([
      identity.getAccount(order.customer_id),
      Promise.all([...new Set(subs.map((s) => s.seller_id))].map(async (id) => [id, await identity.getAccount(id)] as const)).then(
        (pairs) => new Map(pairs),
      ),
    ]);
    const currency = order.currency;
    const emailLines = (subId: string | null) =>
      lines
        .filter((l) => subId === null || l.sub_order_id === subId)
        .map((l) => ({ title: l.title, quantity: l.quantity, unitPrice: Number(l.unit_price) }));

    // The customer's confirmation and each seller's new-order email travel in one send job.
    const emails: OrderEmail[] = [];
    if (customer) {
      emails.push({
        messageKey: `order-confirmation:${orderId}`,
        to: customer.email,
        kind: 'order-confirmation',
        orderId,
        customerName: customer.name,
        lines: emailLines(null),
        total: Number(order.total),
        currency,
      });
    }
    for (const sub of subs) {
      const seller = sellers.get(sub.seller_id);
      if (seller) {
        emails.push({
          messageKey: `seller-new-order:${sub.id}`,
          to: seller.email,
          kind: 'seller-new-order',
          orderId,
          customerName: customer?.name ?? '',
          lines: emailLines(sub.id),
          total: Number(sub.total),
          currency,
        });
      }
    }
    const paid: OrderPaidPayload = {
      orderId,
      customerId: order.customer_id,
      total: Number(order.total),
      currency,
      subOrders: subs.map((s) => ({ id: s.id, shopId: s.shop_id, sellerId: s.seller_id, total: Number(s.total) })),
      lines: lines.map((l) => ({
        variantId: l.variant_id,
        productId: l.product_id,
        quantity: l.quantity,
        unitPrice: Number(l.unit_price),
      })),
    };
    return { found, orderId, chargeId, emails, paid, sellerIndex: subs.map(sellerIndexPayload) };
  }
  type PaidWork = Awaited<ReturnType<typeof paidWork>>;

  /**
   * The follow-up jobs of orders marked paid together: one order's as separate jobs keyed by it;
   * a group's as one job per kind (every reservation to commit, every email, every index entry).
   */
  function followUps(moved: readonly PaidWork[]): JobSpec[] {
    if (moved.length === 0) return [];
    const emails = moved.flatMap((w) => w.emails);
    const mail = emails.length > 0 ? [notifications.emailsJob(emails)] : [];
    if (moved.length === 1) {
      const { orderId, sellerIndex } = moved[0]!;
      return [
        { task: COMMIT_STOCK_TASK, payload: { orderId }, jobKey: `${COMMIT_STOCK_TASK}:${orderId}` },
        ...sellerIndex.map((payload) => ({
          task: SELLER_INDEX_TASK,
          payload,
          jobKey: `${SELLER_INDEX_TASK}:${String(payload.subOrderId)}`,
        })),
        ...mail,
      ];
    }
    const first = moved[0]!.orderId;
    return [
      { task: COMMIT_STOCK_TASK, payload: { orderIds: moved.map((w) => w.orderId) }, jobKey: `${COMMIT_STOCK_TASK}:group:${first}` },
      { task: SELLER_INDEX_TASK, payload: { entries: moved.flatMap((w) => w.sellerIndex) }, jobKey: `${SELLER_INDEX_TASK}:group:${first}` },
      ...mail,
    ];
  }

  /**
   * pending_payment -> paid for charged orders of one database, in ONE transaction: each moved by
   * its own compare-and-set (an order someone else moved first is left as it is, and answered as
   * not moved), its `order.paid` published, and the follow-up jobs of those moved enqueued with
   * them. Answers the ids of the orders this call moved.
   */
  async function markPaid(charged: ReadonlyArray<{ found: OrderForPayment; chargeId: string }>): Promise<Set<string>> {
    if (charged.length === 0) return new Set();
    const works = await Promise.all(charged.map((c) => paidWork(c.found, c.chargeId)));
    // A group's orders share a database when they are written; a shard moved since splits them.
    const byDatabase = new Map<string, PaidWork[]>();
    for (const w of works) {
      const name = stores.shards.forId(w.orderId).name;
      const same = byDatabase.get(name);
      if (same) same.push(w);
      else byDatabase.set(name, [w]);
    }
    const moved = (await Promise.all([...byDatabase.values()].map(markPaidOn))).flat();
    // Once committed: the operator console's orders a minute and sales (ops' live figures), and
    // the time since acceptance that the payment objective (ops/slo.ts) is judged by.
    for (const w of moved) recordOrderPaid(w.paid.currency, w.paid.total, w.found.order.created_at);
    return new Set(moved.map((w) => w.orderId));
  }

  /** markPaid's transaction, for orders on one database. */
  async function markPaidOn(works: readonly PaidWork[]): Promise<PaidWork[]> {
    const ids = works.map((w) => w.orderId);
    const db = ids.length === 1 ? stores.shards.forId(ids[0]!).db : stores.shards.forShards(ids.map(shardOfId)).db;
    return db.transaction().execute(async (trx) => {
      const won: PaidWork[] = [];
      for (const w of works) if (await moveUnpaid(trx, w.orderId, 'paid', 'system', w.chargeId)) won.push(w);
      const jobs = followUps(won);
      // The follow-ups ride with the last order's event: one round trip for the jobs of all.
      for (const [i, w] of won.entries())
        await events.publish(trx, ORDER_PAID_EVENT, w.paid, i === won.length - 1 ? { alsoEnqueue: jobs } : {});
      return won;
    });
  }

  const collectPayment: TaskHandler = async (payload, ctx: JobContext) => {
    const charged = await chargeOne(orderIdOf(payload), typeof payload.attempt === 'number' ? payload.attempt : 0, ctx);
    if (charged && !(await markPaid([charged])).has(charged.found.order.id)) await voidCharge(charged.found, ctx);
  };

  /**
   * The payment job of a checkout group (orders.placement.ts): each order is charged as its own
   * job would charge it (its own provider key, its own decline or retry), a few at a time, and the
   * charged ones are marked paid together in one transaction with batched follow-up jobs. An order
   * whose charge cannot be decided now (an error, not a provider's answer) goes on alone, with its
   * own job and retries, so it holds up no other. A worker that dies midway leaves the job to run
   * again: orders already decided are skipped, and one charged but not yet marked paid is replayed
   * by the provider from its key, so each order is still charged once.
   */
  const collectPayments: TaskHandler = async (payload, ctx: JobContext) => {
    const queue = orderIdsOf(payload);
    const alone: string[] = [];
    const charged: Charged[] = [];
    const charger = async () => {
      for (let orderId = queue.shift(); orderId; orderId = queue.shift()) {
        try {
          const c = await chargeOne(orderId, 0, ctx);
          if (c) charged.push(c);
        } catch (err) {
          if (err instanceof PermanentJobError) ctx.log.error({ err, orderId }, 'an order of a payment group cannot be charged');
          else alone.push(orderId);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(GROUP_CHARGES_AT_ONCE, queue.length) }, charger));
    // If this fails, the job runs again: the provider replays each charge from its key.
    const moved = await markPaid(charged);
    for (const c of charged) if (!moved.has(c.found.order.id)) await voidCharge(c.found, ctx);
    for (const orderId of alone) {
      ctx.log.warn({ orderId }, 'a charge of a payment group failed; the order is charged by a job of its own');
      await enqueue(stores.shards.forId(orderId).db, {
        task: COLLECT_PAYMENT_TASK,
        payload: { orderId, attempt: 1 },
        jobKey: `${COLLECT_PAYMENT_TASK}:${orderId}`,
        runAt: new Date(Date.now() + retryDelayMs(0)),
      });
    }
  };

  type Charged = { found: OrderForPayment; chargeId: string };

  /**
   * Charges one order if it is still to be paid, and answers the charge when the provider took it
   * (the caller marks the order paid); handles every other outcome itself: past its deadline,
   * refused or declined (the order fails), provider unavailable (a retry job of its own).
   */
  async function chargeOne(orderId: string, attempt: number, ctx: JobContext): Promise<Charged | null> {
    const db = stores.shards.forId(orderId).db;
    const found = await findOrderForPayment(db, orderId);
    if (!found) throw new PermanentJobError(`order ${orderId} does not exist`);
    const { order } = found;
    if (order.status !== 'pending_payment') return null; // already decided: a re-run changes nothing
    if (order.payment_deadline.getTime() < Date.now()) {
      await failUnpaid(orderId, 'payment_failed', 'system', found);
      return null;
    }
    let outcome;
    try {
      outcome = await payments.chargeOrder({ orderId, amount: Number(order.total), currency: order.currency });
    } catch (err) {
      // payments refuses a request it can never send (a domain error: not a whole positive amount,
      // not a currency code). Retrying the same order asks the same again: fail it now and give its
      // stock back, instead of retrying until the deadline.
      if (!isDomainError(err)) throw err;
      ctx.log.error({ err, orderId }, 'payments refused the charge request: the order cannot be paid');
      await failUnpaid(orderId, 'payment_failed', 'system', found);
      return null;
    }
    switch (outcome.kind) {
      case 'succeeded':
        return { found, chargeId: outcome.chargeId };
      case 'declined':
        // A final no (card declined, or the provider refuses the request itself): only
        // 'unavailable' is worth another try.
        ctx.log.info({ orderId, reason: outcome.reason }, 'payment declined');
        await failUnpaid(orderId, 'payment_failed', 'system', found);
        return null;
      case 'unavailable': {
        // The provider is down: try again later with the same key. One job per order (job key),
        // and the order stays pending_payment so the customer still sees it as accepted.
        const delay = retryDelayMs(attempt);
        ctx.log.info({ orderId, delay, reason: outcome.reason }, 'payment provider unavailable, retrying later');
        await enqueue(db, {
          task: COLLECT_PAYMENT_TASK,
          payload: { orderId, attempt: attempt + 1 },
          jobKey: `${COLLECT_PAYMENT_TASK}:${orderId}`,
          runAt: new Date(Date.now() + delay),
        });
        return null;
      }
      default: {
        const never: never = outcome;
        throw new Error(`unknown charge outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Charged, but the order was not moved to paid: if it was cancelled or failed meanwhile (a
   * customer's cancel raced the charge), give the money back. Idempotent per key, so a re-run
   * refunds once.
   */
  async function voidCharge(found: OrderForPayment, ctx: JobContext): Promise<void> {
    const { order } = found;
    const now = await repo.findOrder(stores.shards.forId(order.id).db, order.id);
    if (now && (now.status === 'cancelled' || now.status === 'payment_failed')) {
      ctx.log.warn({ orderId: order.id, status: now.status }, 'charged an order that was no longer payable: refunding');
      const refund = await payments.refund({
        orderId: order.id,
        refundKey: `void:${order.id}`,
        amount: Number(order.total),
        currency: order.currency,
      });
      if (refund.kind === 'unavailable') throw new Error(`refund of voided order ${order.id} must be retried: ${refund.reason}`);
    }
  }

  /** One order's reservation (`orderId`), or a paid group's (`orderIds`: inventory commits them in one batch). */
  const commitStock: TaskHandler = async (payload) => {
    if (payload.orderIds === undefined) return inventory.commit(orderIdOf(payload));
    await Promise.all(orderIdsOf(payload).map((id) => inventory.commit(id)));
  };
  const releaseStock: TaskHandler = async (payload) => {
    await inventory.release(orderIdOf(payload));
  };

  /**
   * Copies a sub-order's state into its seller's index, in the SELLER's shard: the snapshot the
   * job carries when it has one (see sellerIndexPayload), else the sub-order as it is now.
   */
  const sellerIndex: TaskHandler = async (payload) => {
    if (Array.isArray(payload.entries)) {
      // A paid group's entries: each written on its own, so one that fails holds up no other; a
      // re-run writes them all again, and a version never goes back (upsertSellerIndex).
      const results = await Promise.allSettled(
        (payload.entries as unknown[]).map((entry) =>
          typeof entry === 'object' && entry !== null
            ? indexOne(entry as Record<string, unknown>)
            : Promise.reject(new PermanentJobError('a seller-index entry is not an object')),
        ),
      );
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
      // Worth a retry if any is; failed for good only when every failure is.
      const worst = failed.find((err) => !(err instanceof PermanentJobError)) ?? failed[0];
      if (worst) throw worst;
      return;
    }
    await indexOne(payload);
  };

  async function indexOne(payload: Record<string, unknown>): Promise<void> {
    const subOrderId = orderIdOf(payload, 'subOrderId');
    const snapshot = snapshotOf(payload, subOrderId);
    if (snapshot) {
      await repo.upsertSellerIndex(stores.shards.forId(snapshot.seller_id).db, snapshot);
      return;
    }
    const sub = await repo.findSubOrder(stores.shards.forId(subOrderId).db, subOrderId);
    if (!sub) throw new PermanentJobError(`sub-order ${subOrderId} does not exist`);
    await repo.upsertSellerIndex(stores.shards.forId(sub.seller_id).db, {
      seller_id: sub.seller_id,
      sub_order_id: sub.id,
      order_id: sub.order_id,
      status: sub.status,
      total: Number(sub.total),
      currency: sub.currency,
      placed_at: sub.created_at,
      version: sub.version,
    });
  }

  return {
    failUnpaid,
    tasks: {
      [COLLECT_PAYMENT_TASK]: collectPayment,
      [COLLECT_PAYMENTS_TASK]: collectPayments,
      [COMMIT_STOCK_TASK]: commitStock,
      [RELEASE_STOCK_TASK]: releaseStock,
      [SELLER_INDEX_TASK]: sellerIndex,
    } satisfies Record<string, TaskHandler>,
  };
}
