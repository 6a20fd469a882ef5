import type { Container } from '../src/app/container.ts';

/**
 * The buying path's invariants (issue 3) after a benchmark scenario. The same four as
 * test/checkout/invariants.ts, but scoped to the orders this run accepted: the bench data folder
 * keeps the orders of earlier runs, while the simulated provider (restarted with the API) only
 * knows this run's charges, so the test suite's whole-database check would flag every old order.
 * Stock is checked for every variant: oversold is oversold, whichever run did it.
 */
export type ProviderCharge = Readonly<{ reference: string; status: string }>;

const PAID_OR_LATER = new Set(['paid', 'fulfilled', 'shipped', 'delivered', 'refunded']);

/** How many accepted orders are in each status, read from their shards. */
export async function orderStatuses(
  app: Container,
  orderIds: readonly string[],
): Promise<Array<{ id: string; status: string; paymentDeadline: Date; createdAt: Date; updatedAt: Date }>> {
  const out: Array<{ id: string; status: string; paymentDeadline: Date; createdAt: Date; updatedAt: Date }> = [];
  const byDb = new Map<string, { pool: Container['stores']['shards']['databases'][number]['pool']; ids: string[] }>();
  for (const id of orderIds) {
    const handle = app.stores.shards.forId(id);
    const entry = byDb.get(handle.name) ?? { pool: handle.pool, ids: [] };
    entry.ids.push(id);
    byDb.set(handle.name, entry);
  }
  for (const { pool, ids } of byDb.values()) {
    for (let i = 0; i < ids.length; i += 5000) {
      const { rows } = await pool.query<{ id: string; status: string; payment_deadline: Date; created_at: Date; updated_at: Date }>(
        'select id::text, status, payment_deadline, created_at, updated_at from orders where id = any($1::uuid[])',
        [ids.slice(i, i + 5000)],
      );
      for (const r of rows) {
        out.push({ id: r.id, status: r.status, paymentDeadline: r.payment_deadline, createdAt: r.created_at, updatedAt: r.updated_at });
      }
    }
  }
  return out;
}

/** Every broken invariant, in words (empty when all hold). */
export async function checkRunInvariants(
  app: Container,
  charges: readonly ProviderCharge[],
  acceptedIds: readonly string[],
  now = new Date(),
): Promise<string[]> {
  const problems: string[] = [];
  for (const v of await app.inventory.service.findOversold()) {
    problems.push(`variant ${v.variantId} oversold: on hand ${v.onHand}, sold ${v.sold}, reserved ${v.reserved}`);
  }

  const chargesByOrder = new Map<string, number>();
  for (const c of charges) chargesByOrder.set(c.reference, (chargesByOrder.get(c.reference) ?? 0) + 1);
  for (const [ref, n] of chargesByOrder) if (n > 1) problems.push(`order ${ref} charged ${n} times`);
  const succeeded = new Set(charges.filter((c) => c.status === 'succeeded').map((c) => c.reference));

  const orders = await orderStatuses(app, acceptedIds);
  const found = new Set(orders.map((o) => o.id));
  const missing = acceptedIds.filter((id) => !found.has(id));
  if (missing.length > 0) problems.push(`${missing.length} accepted orders (202) do not exist, e.g. ${missing.slice(0, 3).join(', ')}`);

  // One outbox file per message key, by construction (a re-send overwrites it): "exactly one
  // confirmation" is "the key is there".
  const sent = await app.notifications.service.sentKeys();
  for (const o of orders) {
    if (o.status === 'pending_payment' && o.paymentDeadline < now) problems.push(`order ${o.id} still pending_payment past its deadline`);
    if (PAID_OR_LATER.has(o.status)) {
      if (!succeeded.has(o.id)) problems.push(`order ${o.id} is ${o.status} without a succeeded charge`);
      if (!sent.has(`order-confirmation:${o.id}`)) problems.push(`paid order ${o.id} has no confirmation email`);
    }
  }
  return problems;
}
