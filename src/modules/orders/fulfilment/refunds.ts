import { enqueue } from '../../../platform/queue/queue.ts';
import { newShardedId, shardOfId } from '../../../shared/ids.ts';
import type { Money } from '../../../shared/money.ts';
import type { AuditActor } from '../../audit/index.ts';
import { IDEMPOTENCY_KEY_RE, requestHash } from '../orders.checkout.ts';
import { ordersErrors } from '../orders.errors.ts';
import * as orders from '../orders.repository.ts';
import { transition, type OrderStatus } from '../orders.state.ts';
import { actorOf, subOrderInScope, type FulfilmentContext, type Scope } from './context.ts';
import { followSubOrderMove } from './moves.ts';
import * as repo from './repository.ts';

/**
 * What to refund of one sub-order: an amount (minor units), chosen lines (variant and quantity),
 * or neither: everything not yet refunded. `idempotencyKey` is the client's; a partial refund
 * needs one, and a full one without one is keyed 'full' (there is only ever one full refund).
 */
export type RefundInput = Readonly<{
  amount?: number;
  lines?: ReadonlyArray<{ variantId: string; quantity: number }>;
  reason?: string;
  idempotencyKey?: string | null;
}>;

export type RefundView = Readonly<{
  id: string;
  orderId: string;
  subOrderId: string;
  amount: Money;
  lines: repo.RefundLine[];
  reason: string | null;
  status: repo.RefundStatus;
  createdAt: string;
}>;

export type RefundOutcome = Readonly<{
  refund: RefundView;
  subOrder: Readonly<{ id: string; status: OrderStatus; refunded: Money; refundable: Money }>;
  /** True when the key had already been answered: nothing new was refunded. */
  replayed: boolean;
}>;

export const refundView = (r: repo.RefundRow): RefundView => ({
  id: r.id,
  orderId: r.order_id,
  subOrderId: r.sub_order_id,
  amount: { amount: Number(r.amount), currency: r.currency },
  lines: r.lines as repo.RefundLine[],
  reason: r.reason,
  status: r.status,
  createdAt: r.created_at.toISOString(),
});

/** Units of each variant already refunded (or being refunded) by lines. */
function refundedUnits(refunds: readonly repo.RefundRow[]): Map<string, number> {
  const units = new Map<string, number>();
  for (const r of refunds) for (const l of r.lines as repo.RefundLine[]) units.set(l.variantId, (units.get(l.variantId) ?? 0) + l.quantity);
  return units;
}

/** The amount and lines a request asks for, against what the sub-order has left. Throws the refusal. */
function priceRequest(
  input: RefundInput,
  sub: orders.SubOrderRow,
  lines: readonly orders.OrderLineRow[],
  live: readonly repo.RefundRow[],
): { amount: number; lines: repo.RefundLine[]; refundable: number } {
  const total = Number(sub.total);
  const refundable = total - live.reduce((sum, r) => sum + Number(r.amount), 0);
  let amount: number;
  let chosen: repo.RefundLine[] = [];
  if (input.lines) {
    const units = refundedUnits(live);
    const seen = new Set<string>();
    chosen = input.lines.map((want, i) => {
      if (seen.has(want.variantId)) throw ordersErrors.duplicateLine(i);
      seen.add(want.variantId);
      const line = lines.find((l) => l.sub_order_id === sub.id && l.variant_id === want.variantId);
      if (!line) throw ordersErrors.refundLineUnknown(i);
      const left = line.quantity - (units.get(want.variantId) ?? 0);
      if (want.quantity > left) throw ordersErrors.refundQuantityExceeded(i, Math.max(0, left));
      return { variantId: want.variantId, quantity: want.quantity, amount: Number(line.unit_price) * want.quantity };
    });
    amount = chosen.reduce((sum, l) => sum + l.amount, 0);
  } else {
    amount = input.amount ?? refundable;
  }
  if (amount <= 0 || amount > refundable) throw ordersErrors.refundExceedsPaid(amount, Math.max(0, refundable), sub.currency);
  return { amount, lines: chosen, refundable };
}

/**
 * Refunds (part of) a paid sub-order through the payments module's provider, also after shipping
 * or delivery (a return). Never more than was paid less what was already refunded, however many
 * refunds run at once; a retry with the same key refunds nothing twice.
 *
 * Three steps, so no connection is held while the provider is called:
 *   1. under the sub-order's row lock, the request is priced against the live refunds (pending
 *      ones count: they may be paid out yet) and written 'pending': concurrent refunds queue on
 *      the lock, and each sees the ones before it;
 *   2. the provider is asked, with a key of the refund's own, so a retry never pays twice;
 *   3. succeeded: in one transaction the refund, the sub-order's refunded amount (refunded status
 *      once it reaches the total), the buyer's email and the audit entry. Declined: the refund is
 *      'failed' and its amount is free again. Unavailable: it stays pending, and a retry with the
 *      same key asks the provider again.
 */
export async function refundSubOrder(
  ctx: FulfilmentContext,
  actor: AuditActor,
  scope: Scope,
  subOrderId: string,
  input: RefundInput,
): Promise<RefundOutcome> {
  if (input.amount !== undefined && input.lines !== undefined) throw ordersErrors.refundAmountOrLines();
  const full = input.amount === undefined && input.lines === undefined;
  const key = input.idempotencyKey ?? (full ? 'full' : null);
  if (key === null || !IDEMPOTENCY_KEY_RE.test(key)) throw ordersErrors.idempotencyKeyRequired();
  const hash = requestHash({ amount: input.amount ?? null, lines: input.lines ?? null, reason: input.reason ?? null });
  const { db, sub: seen } = await subOrderInScope(ctx, scope, subOrderId);
  const who = actorOf(scope);

  // 1. Claim: find the key's refund, or price and write a new one, under the sub-order's lock.
  const claimed = await db.db.transaction().execute(async (trx) => {
    const sub = (await repo.lockSubOrder(trx, subOrderId))!;
    const existing = await repo.findRefundByKey(trx, subOrderId, key);
    if (existing) {
      if (existing.request_hash !== hash) throw ordersErrors.idempotencyKeyReused();
      return { refund: existing, fresh: false };
    }
    const allowed = transition(sub.status, 'refunded', who);
    if (!allowed.ok) throw ordersErrors.illegalTransition(allowed.reason, { from: sub.status, to: 'refunded' });
    const [lines, live] = await Promise.all([orders.findLines(trx, sub.order_id), repo.liveRefunds(trx, subOrderId)]);
    const priced = priceRequest(input, sub, lines, live);
    const id = newShardedId(shardOfId(subOrderId));
    const row = {
      id,
      order_id: sub.order_id,
      sub_order_id: subOrderId,
      idempotency_key: key,
      request_hash: hash,
      // The very key a full refund used before partial refunds existed: a refund that old code
      // paid out but did not record is found by the provider, not paid twice.
      provider_key: full && live.length === 0 ? `refund:${subOrderId}` : `refund:${subOrderId}:${id}`,
      amount: priced.amount,
      currency: sub.currency,
      lines: priced.lines,
      reason: input.reason ?? null,
      status: 'pending' as const,
      actor_id: actor.accountId,
      actor_role: actor.role,
    };
    await repo.insertRefund(trx, row);
    return { refund: { ...row, failure: null, created_at: new Date(), updated_at: new Date() }, fresh: true };
  });

  const { refund } = claimed;
  if (refund.status === 'succeeded') return outcomeOf(ctx, subOrderId, refund, true);

  await payOut(ctx, actor, refund, seen.shop_name);
  return outcomeOf(ctx, subOrderId, { ...refund, status: 'succeeded' }, !claimed.fresh);
}

/** Who a refund row was asked by, as the state machine knows them. */
const actorOfRole = (role: string) => (role === 'admin' ? ('operator' as const) : ('seller' as const));

/**
 * Steps 2 and 3 of a claimed (pending) refund: the provider, then the record. Throws
 * ORDERS_PAYMENT_PROVIDER_UNAVAILABLE (the refund stays pending) or ORDERS_REFUND_DECLINED (it is
 * failed). Safe to run twice at once: the provider dedupes by key, and only one settles it.
 */
async function payOut(ctx: FulfilmentContext, actor: AuditActor, refund: repo.RefundRow, shopName: string): Promise<void> {
  const db = ctx.shardOf(refund.sub_order_id)!;
  const subOrderId = refund.sub_order_id;
  const who = actorOfRole(refund.actor_role);
  // 2. The money.
  const outcome = await ctx.deps.payments.refund({
    orderId: refund.order_id,
    refundKey: refund.provider_key,
    amount: Number(refund.amount),
    currency: refund.currency,
  });
  if (outcome.kind === 'unavailable') throw ordersErrors.providerUnavailable();
  if (outcome.kind === 'declined') {
    await db.db.transaction().execute((trx) => repo.settleRefund(trx, refund.id, 'failed', outcome.reason.slice(0, 500)));
    throw ordersErrors.refundFailed(outcome.reason);
  }

  // 3. Record it, with what follows from it. The buyer is read first (identity's cache), so the
  // transaction holds no connection waiting.
  const order = await orders.findOrder(db.db, refund.order_id);
  const buyer = order ? await ctx.deps.identity.getAccount(order.customer_id) : null;
  const allLines = await orders.findLines(db.db, refund.order_id);
  const refundLines = refund.lines as repo.RefundLine[];
  await db.db.transaction().execute(async (trx) => {
    const sub = (await repo.lockSubOrder(trx, subOrderId))!;
    // A concurrent retry of the same key settled it first: it did the rest too.
    if (!(await repo.settleRefund(trx, refund.id, 'succeeded', null))) return;
    const refunded = Number(sub.refunded_amount) + Number(refund.amount);
    await repo.addRefunded(trx, subOrderId, Number(refund.amount));
    let status = sub.status;
    if (refunded >= Number(sub.total) && transition(sub.status, 'refunded', who).ok) {
      await orders.casSubOrderStatus(trx, subOrderId, sub.status, 'refunded');
      await followSubOrderMove(trx, { orderId: sub.order_id, subOrderId, from: sub.status, to: 'refunded', actor: who });
      status = 'refunded';
    }
    if (buyer) {
      await enqueue(
        trx,
        ctx.deps.notifications.emailJob({
          messageKey: `order-refunded:${refund.id}`,
          to: buyer.email,
          kind: 'order-refunded',
          orderId: refund.order_id,
          customerName: buyer.name,
          shopName,
          lines: refundLines.map((l) => {
            const line = allLines.find((x) => x.variant_id === l.variantId)!;
            return { title: line.title, quantity: l.quantity, unitPrice: Number(line.unit_price) };
          }),
          total: Number(refund.amount),
          currency: refund.currency,
        }),
      );
    }
    await ctx.deps.audit.record(trx, actor, {
      action: 'sub_order.refunded',
      targetType: 'sub_order',
      targetId: subOrderId,
      before: { status: sub.status, refundedAmount: Number(sub.refunded_amount) },
      after: { status, refundedAmount: refunded, refundId: refund.id, amount: Number(refund.amount), lines: refundLines },
      ...(refund.reason ? { reason: refund.reason } : {}),
    });
  });
}

/** How long a refund stays pending before the sweeper asks the provider again: longer than any request waits on it. */
export const STALE_REFUND_MS = 5 * 60_000;

/**
 * Finishes refunds a provider outage (or a crash) left pending and no client retried: asks the
 * provider again with the refund's own key (it pays at most once) and records the answer, audited
 * as whoever asked for the refund. Returns how many it settled; the sweeper calls it.
 */
export async function resumePendingRefunds(ctx: FulfilmentContext, now: Date, limit: number): Promise<number> {
  let settled = 0;
  for (const shard of ctx.deps.stores.shards.databases) {
    for (const refund of await repo.stalePendingRefunds(shard.db, new Date(now.getTime() - STALE_REFUND_MS), limit)) {
      const sub = await orders.findSubOrder(shard.db, refund.sub_order_id);
      const actor: AuditActor = { accountId: refund.actor_id, role: refund.actor_role, ip: null, userAgent: null };
      try {
        await payOut(ctx, actor, refund, sub?.shop_name ?? '');
        settled++;
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (code === 'ORDERS_REFUND_DECLINED') settled++;
        else if (code !== 'ORDERS_PAYMENT_PROVIDER_UNAVAILABLE') throw err;
      }
    }
  }
  return settled;
}

async function outcomeOf(ctx: FulfilmentContext, subOrderId: string, refund: repo.RefundRow, replayed: boolean): Promise<RefundOutcome> {
  const sub = (await orders.findSubOrder(ctx.shardOf(subOrderId)!.db, subOrderId))!;
  const refunded = Number(sub.refunded_amount);
  return {
    refund: refundView(refund),
    subOrder: {
      id: sub.id,
      status: sub.status,
      refunded: { amount: refunded, currency: sub.currency },
      refundable: { amount: Number(sub.total) - refunded, currency: sub.currency },
    },
    replayed,
  };
}
