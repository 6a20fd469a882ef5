/**
 * The order state machine: one table of legal moves and one pure function that every status change
 * (checkout, payment job, sweeper, customer cancel, seller advance/refund) goes through, so no code
 * path can invent a move. Sub-orders use the same states and the same table once paid.
 */
export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'fulfilled',
  'shipped',
  'delivered',
  'payment_failed',
  'cancelled',
  'refunded',
] as const;

export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Who asks for a move: the state machine allows each move to some actors only. */
export type Actor = 'customer' | 'seller' | 'operator' | 'system';

/**
 * Every legal move and who may make it; anything not listed is illegal. A seller may ship
 * without marking the parcel fulfilled first (packing and handing over at once). A refund that
 * brings what was refunded up to what was paid moves a sub-order to refunded from any paid state,
 * also after shipping or delivery (a return); a partial refund moves nothing.
 */
export const LEGAL_MOVES: Readonly<Record<OrderStatus, Readonly<Partial<Record<OrderStatus, readonly Actor[]>>>>> = {
  pending_payment: { paid: ['system'], payment_failed: ['system'], cancelled: ['customer', 'system'] },
  paid: { fulfilled: ['seller'], shipped: ['seller'], refunded: ['seller', 'operator'] },
  fulfilled: { shipped: ['seller'], refunded: ['seller', 'operator'] },
  shipped: { delivered: ['seller'], refunded: ['seller', 'operator'] },
  delivered: { refunded: ['seller', 'operator'] },
  payment_failed: {},
  cancelled: {},
  refunded: {},
};

export type TransitionResult = Readonly<{ ok: true; to: OrderStatus }> | Readonly<{ ok: false; reason: string }>;

/** Whether `actor` may move an order (or sub-order) from `from` to `to`. Pure. */
export function transition(from: OrderStatus, to: OrderStatus, actor: Actor): TransitionResult {
  const actors = LEGAL_MOVES[from][to];
  if (!actors) return { ok: false, reason: `an order cannot go from ${from} to ${to}` };
  if (!actors.includes(actor)) return { ok: false, reason: `a ${actor} cannot move an order from ${from} to ${to}` };
  return { ok: true, to };
}

/** Terminal states never change again (the sweeper and invariant checks rely on it). */
export function isTerminal(status: OrderStatus): boolean {
  switch (status) {
    case 'payment_failed':
    case 'cancelled':
    case 'refunded':
      return true;
    // Delivered goods may still come back: a return is refunded after delivery.
    case 'delivered':
    case 'pending_payment':
    case 'paid':
    case 'fulfilled':
    case 'shipped':
      return false;
    default: {
      const never: never = status;
      throw new Error(`unknown order status ${String(never)}`);
    }
  }
}

/** Whether the customer has paid for the goods (stock is sold, not merely reserved). */
export function isPaidOrLater(status: OrderStatus): boolean {
  switch (status) {
    case 'paid':
    case 'fulfilled':
    case 'shipped':
    case 'delivered':
    case 'refunded':
      return true;
    case 'pending_payment':
    case 'payment_failed':
    case 'cancelled':
      return false;
    default: {
      const never: never = status;
      throw new Error(`unknown order status ${String(never)}`);
    }
  }
}

const PROGRESS: Readonly<Record<'paid' | 'fulfilled' | 'shipped' | 'delivered', number>> = {
  paid: 0,
  fulfilled: 1,
  shipped: 2,
  delivered: 3,
};

/**
 * The order's status once paid, derived from its sub-orders (each seller moves their own): the least
 * advanced of the sub-orders still going, or refunded when every sub-order was refunded. Kept simple
 * on purpose: a customer sees "shipped" only when everything has shipped.
 */
export function deriveOrderStatus(subStatuses: readonly OrderStatus[]): OrderStatus {
  const live = subStatuses.filter((s): s is keyof typeof PROGRESS => s in PROGRESS);
  if (live.length === 0) return subStatuses.length > 0 && subStatuses.every((s) => s === 'refunded') ? 'refunded' : 'paid';
  return live.reduce((a, b) => (PROGRESS[a] <= PROGRESS[b] ? a : b));
}
