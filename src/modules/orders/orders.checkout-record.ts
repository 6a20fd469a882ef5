import type { CheckoutOutcome, StoredCheckoutOutcome } from './orders.types.ts';

/**
 * How a checkout's outcome is kept under its Idempotency-Key (`orders_idempotency.status_code` and
 * `.response`), and read back for a replay.
 *
 * The record is the format the first version wrote: a status number and the JSON text the API
 * answered. It is kept byte for byte, on purpose: rows written before checkout returned values
 * must still replay (for IDEMPOTENCY_TTL_HOURS after they were written), and during a rolling
 * deploy a process still running the old code must be able to replay a row the new code wrote.
 * This file is the only place that knows the format; everything else speaks `CheckoutOutcome`.
 * Moving to a `kind` column is a later migration, once no old process can read the table.
 */
export type CheckoutRecord = Readonly<{ statusCode: number; response: string }>;

const ACCEPTED = 202;
const REFUSED = 409;
const OUT_OF_STOCK = 'INVENTORY_OUT_OF_STOCK';
const UNAVAILABLE = 'ORDERS_LINE_UNAVAILABLE';

/** The messages the first version stored: part of the bytes a replay must repeat. */
export const CHECKOUT_REFUSAL_MESSAGES = {
  out_of_stock: 'Not enough stock for some lines',
  unavailable: 'Some lines can no longer be bought',
} as const;

/** The record of an outcome, exactly as the first version wrote it. */
export function recordOf(outcome: StoredCheckoutOutcome): CheckoutRecord {
  if (outcome.kind === 'accepted') {
    const { id, status, total } = outcome.order;
    return {
      statusCode: ACCEPTED,
      response: JSON.stringify({
        order: { id, status, total: { amount: total.amount, currency: total.currency } },
        statusUrl: `/api/v1/orders/${id}`,
      }),
    };
  }
  const code = outcome.kind === 'out_of_stock' ? OUT_OF_STOCK : UNAVAILABLE;
  const lines = outcome.lines.map((l) => ({ variantId: l.variantId, requested: l.requested }));
  return {
    statusCode: REFUSED,
    response: JSON.stringify({ error: { code, message: CHECKOUT_REFUSAL_MESSAGES[outcome.kind], details: { lines } } }),
  };
}

type StoredAccepted = { order: { id: string; status: 'pending_payment'; total: { amount: number; currency: string } } };
type StoredRefusal = { error: { code: string; details?: { lines?: Array<{ variantId: string; requested: number }> } } };

/** The outcome a stored record says, whichever version wrote it. */
export function outcomeOf(record: CheckoutRecord): StoredCheckoutOutcome {
  if (record.statusCode === ACCEPTED) {
    const { order } = JSON.parse(record.response) as StoredAccepted;
    return { kind: 'accepted', order: { id: order.id, status: order.status, total: order.total } };
  }
  const { error } = JSON.parse(record.response) as StoredRefusal;
  const lines = (error.details?.lines ?? []).map((l) => ({ variantId: l.variantId, requested: l.requested }));
  if (record.statusCode === REFUSED && error.code === OUT_OF_STOCK) return { kind: 'out_of_stock', lines };
  if (record.statusCode === REFUSED && error.code === UNAVAILABLE) return { kind: 'unavailable', lines };
  throw new Error(`unknown stored checkout answer ${record.statusCode} ${error.code}`);
}

/** Whether an outcome is one that is stored under the key (a place in line never is). */
export const isStored = (outcome: CheckoutOutcome): outcome is StoredCheckoutOutcome => outcome.kind !== 'queued';
