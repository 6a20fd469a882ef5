import type { ReservationStatus, StockRow } from './inventory.repository.ts';

/**
 * The pure heart of a reservation batch: given the locked stock rows and the orders' existing
 * reservations, decide each request in arrival order (first come, first served), all or nothing
 * per request. No I/O, so it is unit-tested on its own.
 */
export type ReserveRequest = Readonly<{
  orderId: string;
  /** Distinct variants, positive quantities (the service merges and checks before queueing). */
  lines: ReadonlyArray<{ variantId: string; quantity: number }>;
  expiresAt: Date;
}>;

export type Decision =
  { kind: 'ok'; fresh: boolean } | { kind: 'short'; shortages: Array<{ variantId: string; requested: number }> } | { kind: 'closed' };

export type Allocation = {
  decisions: Decision[];
  /** Stock rows whose counters changed, with the available count before and after. */
  changed: Array<{ row: StockRow; availableBefore: number }>;
  reservations: Array<{ order_id: string; variant_id: string; quantity: number; expires_at: string }>;
};

export const available = (r: Pick<StockRow, 'on_hand' | 'reserved' | 'sold'>): number => r.on_hand - r.reserved - r.sold;

export function allocate(
  requests: ReadonlyArray<ReserveRequest>,
  locked: ReadonlyArray<StockRow>,
  existing: ReadonlyMap<string, ReadonlyArray<ReservationStatus>>,
): Allocation {
  const rows = new Map(locked.map((r) => [r.variant_id, { ...r }]));
  const before = new Map(locked.map((r) => [r.variant_id, available(r)]));
  const decided = new Map<string, Decision>();
  const decisions: Decision[] = [];
  const reservations: Allocation['reservations'] = [];
  const touched = new Set<string>();

  for (const req of requests) {
    // The same order twice (a retry racing itself): the first decision stands for both.
    const earlier = decided.get(req.orderId);
    if (earlier) {
      decisions.push(earlier.kind === 'ok' ? { kind: 'ok', fresh: false } : earlier);
      continue;
    }
    const statuses = existing.get(req.orderId);
    if (statuses && statuses.length > 0) {
      // Idempotent: the order already holds (or has used) its reservation; nothing is taken again.
      const decision: Decision = statuses.every((s) => s === 'released') ? { kind: 'closed' } : { kind: 'ok', fresh: false };
      decided.set(req.orderId, decision);
      decisions.push(decision);
      continue;
    }
    const shortages = req.lines
      .filter((l) => {
        const row = rows.get(l.variantId);
        return !row || available(row) < l.quantity;
      })
      .map((l) => ({ variantId: l.variantId, requested: l.quantity }));
    if (shortages.length > 0) {
      const decision: Decision = { kind: 'short', shortages };
      decided.set(req.orderId, decision);
      decisions.push(decision);
      continue;
    }
    for (const l of req.lines) {
      const row = rows.get(l.variantId)!;
      row.reserved += l.quantity;
      touched.add(l.variantId);
      reservations.push({ order_id: req.orderId, variant_id: l.variantId, quantity: l.quantity, expires_at: req.expiresAt.toISOString() });
    }
    const decision: Decision = { kind: 'ok', fresh: true };
    decided.set(req.orderId, decision);
    decisions.push(decision);
  }

  const changed = [...touched].sort().map((id) => ({ row: rows.get(id)!, availableBefore: before.get(id)! }));
  return { decisions, changed, reservations };
}
