import assert from 'node:assert/strict';
import type { Container } from '../../src/app/container.ts';

/**
 * The buying path's invariants (issue 3), checked after every checkout test and every benchmark run:
 * nothing oversold; each order charged at most once; every accepted order terminal or still within
 * its payment deadline; every paid order charged and emailed exactly once; no sub-order refunded
 * beyond what was paid.
 */
export type InvariantSubject = Readonly<{
  app: Container;
  /** What the payment provider recorded (the simulator's `charges()`, or its GET /v1/charges). */
  provider: { charges(): ReadonlyArray<{ reference: string; status: string }> };
}>;

const PAID_OR_LATER = new Set(['paid', 'fulfilled', 'shipped', 'delivered', 'refunded']);
const TERMINAL = new Set(['payment_failed', 'cancelled', 'refunded']);

/** Every broken invariant, in words (empty when all hold). */
export async function checkInvariants(subject: InvariantSubject, now = new Date()): Promise<string[]> {
  const { app, provider } = subject;
  const problems: string[] = [];

  for (const v of await app.inventory.service.findOversold()) {
    problems.push(`variant ${v.variantId} oversold: on hand ${v.onHand}, sold ${v.sold}, reserved ${v.reserved}`);
  }

  const chargesByOrder = new Map<string, number>();
  for (const c of provider.charges()) chargesByOrder.set(c.reference, (chargesByOrder.get(c.reference) ?? 0) + 1);
  for (const [ref, n] of chargesByOrder) if (n > 1) problems.push(`order ${ref} charged ${n} times`);

  const sent = await app.notifications.service.sentKeys();
  const succeeded = new Set(
    provider
      .charges()
      .filter((c) => c.status === 'succeeded')
      .map((c) => c.reference),
  );
  for (const shard of app.stores.shards.databases) {
    const { rows } = await shard.pool.query<{ id: string; status: string; payment_deadline: Date }>(
      'select id::text, status, payment_deadline from orders',
    );
    for (const o of rows) {
      if (!TERMINAL.has(o.status) && o.status === 'pending_payment' && o.payment_deadline < now) {
        problems.push(`order ${o.id} still pending_payment past its deadline`);
      }
      if (PAID_OR_LATER.has(o.status)) {
        if (!succeeded.has(o.id)) problems.push(`order ${o.id} is ${o.status} without a succeeded charge`);
        if (!sent.has(`order-confirmation:${o.id}`)) problems.push(`paid order ${o.id} has no confirmation email`);
      }
    }
  }
  // Refunds (issue 15): a sub-order's refunded amount is the sum of its succeeded refunds, and its
  // live refunds (pending ones may be paid out yet) never pass what was paid.
  for (const shard of app.stores.shards.databases) {
    const { rows } = await shard.pool.query<{ id: string; total: string; refunded_amount: string; succeeded: string; live: string }>(
      `select s.id::text, s.total, s.refunded_amount,
              coalesce(sum(r.amount) filter (where r.status = 'succeeded'), 0) as succeeded,
              coalesce(sum(r.amount) filter (where r.status <> 'failed'), 0) as live
         from sub_orders s left join order_refunds r on r.sub_order_id = s.id
        group by s.id`,
    );
    for (const s of rows) {
      if (Number(s.refunded_amount) !== Number(s.succeeded))
        problems.push(`sub-order ${s.id} says ${s.refunded_amount} refunded, its refunds ${s.succeeded}`);
      if (Number(s.live) > Number(s.total)) problems.push(`sub-order ${s.id} has ${s.live} refunded or pending of ${s.total} paid`);
    }
  }
  // sentKeys is a set of message keys, and a message key names one email (a re-send overwrites its
  // outbox file / is skipped by the sent log), so "exactly one" is "the key is there".
  return problems;
}

export async function assertInvariants(subject: InvariantSubject): Promise<void> {
  assert.deepEqual(await checkInvariants(subject), []);
}
