import { createHash } from 'node:crypto';
import { DomainError } from '../../shared/errors.ts';
import { MAX_CHARGE_AMOUNT } from '../payments/index.ts';
import { countSoldOutPass, type CheckoutAdmission, type Queued } from './orders.admission.ts';
import { ordersErrors } from './orders.errors.ts';
import * as repo from './orders.repository.ts';
import { outcomeOf } from './orders.checkout-record.ts';
import type { createPlacement, PricedLine } from './orders.placement.ts';
import type { CheckoutInput, CheckoutOptions, CheckoutOutcome, OrdersDeps, StoredCheckoutOutcome } from './orders.types.ts';

export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9_.:-]{1,100}$/;
export { COLLECT_PAYMENT_TASK } from './orders.placement.ts';

type Replay = (previous: { requestHash: string; statusCode: number; response: string }) => StoredCheckoutOutcome;

/** JSON with object keys sorted at every level: two bodies that mean the same hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * POST /checkout, in the order docs/checkout.md gives: the Idempotency-Key serialises and replays; prices come
 * from the catalog (what the client sent as a price or total is ignored); stock is reserved before
 * the order is written, keyed by an order id chosen first; the order, its payment job and the
 * idempotent answer commit together on the customer's shard.
 */
export function createCheckout(deps: OrdersDeps, admission: CheckoutAdmission, placement: ReturnType<typeof createPlacement>) {
  const { stores, catalog, inventory, cart } = deps;

  async function linesToBuy(customerId: string, input: CheckoutInput): Promise<Array<{ variantId: string; quantity: number }>> {
    if (input.lines) {
      const seen = new Set<string>();
      input.lines.forEach((l, i) => {
        if (seen.has(l.variantId)) throw ordersErrors.duplicateLine(i);
        seen.add(l.variantId);
      });
      return input.lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity }));
    }
    // Read before the shard transaction opens: the cart lives in the same pool, and a transaction
    // waiting for a second connection of its own pool can exhaust it under load.
    // An empty cart is refused only after the idempotency lookup: a retry of a cart checkout finds
    // the cart it emptied, and must get the first answer, not "cart empty".
    const lines = await cart.lines(customerId);
    return lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity }));
  }

  /** The lines with catalog prices, or the refusal (decided later, once the key is claimed). */
  async function price(
    lines: ReadonlyArray<{ variantId: string; quantity: number }>,
  ): Promise<PricedLine[] | StoredCheckoutOutcome | DomainError> {
    if (lines.length === 0) return ordersErrors.cartEmpty();
    const found = new Map((await catalog.getVariants(lines.map((l) => l.variantId))).map((v) => [v.variantId, v]));
    const missing = lines.filter((l) => !found.get(l.variantId)?.published);
    if (missing.length > 0) return { kind: 'unavailable', lines: missing.map((l) => ({ variantId: l.variantId, requested: l.quantity })) };
    const priced = lines.map((l) => ({ variant: found.get(l.variantId)!, quantity: l.quantity }));
    if (new Set(priced.map((p) => p.variant.price.currency)).size > 1) return ordersErrors.mixedCurrencies();
    // An order the provider is sure to refuse could never be paid: refuse it here, before it holds
    // stock until the payment deadline (issue 13). Not a safe integer is above the limit too.
    const total = priced.reduce((sum, p) => sum + p.variant.price.amount * p.quantity, 0);
    if (!Number.isSafeInteger(total) || total > MAX_CHARGE_AMOUNT) {
      return ordersErrors.totalAboveLimit(total, MAX_CHARGE_AMOUNT, priced[0]!.variant.price.currency);
    }
    return priced;
  }

  /**
   * Whether the variant is sold out. Queued buyers ask often: inventory answers from its status
   * memory (inventory.statuses: exact for this process's own reservations, at most STATUS_MEMO_MS
   * behind another node's), not a query each.
   */
  async function soldOut(variantId: string): Promise<boolean> {
    return (await inventory.statuses([variantId])).get(variantId) === 'sold_out';
  }

  /**
   * A buyer the line did not admit: null to run the checkout anyway when the variant is sold out
   * (it answers, and records under the key, the 409 at once instead of making the buyer wait to
   * hear it); else the buyer's place (orders.admission.ts, docs/checkout.md "Checkout admission
   * queue"). Nothing is read from the shard for a place in line: a flash sale asks this hundreds of
   * times a second.
   */
  async function whileQueued(entry: Queued): Promise<CheckoutOutcome | null> {
    if (await soldOut(entry.variantId)) {
      countSoldOutPass();
      await entry.drop();
      return null;
    }
    return {
      kind: 'queued',
      place: {
        variantId: entry.variantId,
        position: entry.position,
        estimatedWaitSeconds: entry.estimatedWaitSeconds,
        retryAfterMs: entry.retryAfterMs,
      },
    };
  }

  /** The checkout itself, once the line (if any) let it through. */
  async function place(
    customerId: string,
    idempotencyKey: string,
    input: CheckoutInput,
    hash: string,
    wanted: ReadonlyArray<{ variantId: string; quantity: number }>,
    replay: Replay,
    countAttempt: () => Promise<void>,
  ): Promise<StoredCheckoutOutcome> {
    // Priced before the shard transaction opens, so the connection (and the claimed key's row lock)
    // is held for as short a time as possible; on a replay the result is simply not used.
    const priced = await price(wanted);
    if (priced instanceof DomainError) {
      // A malformed request (empty cart, mixed currencies) is refused without using up the key; but
      // a retry of a cart checkout finds the cart it emptied, and must get the key's first answer.
      const previous = await repo.findIdempotent(stores.shards.forId(customerId).db, customerId, idempotencyKey);
      if (!previous) {
        await countAttempt();
        throw priced;
      }
      return replay(previous);
    }
    const placed = await placement.place({ customerId, key: idempotencyKey, hash, input, priced, countAttempt });
    return placed.kind === 'replay' ? replay(placed.previous) : placed.outcome;
  }

  return async function checkout(
    customerId: string,
    idempotencyKey: string | undefined,
    input: CheckoutInput,
    options: CheckoutOptions = {},
  ): Promise<CheckoutOutcome> {
    if (idempotencyKey === undefined || !IDEMPOTENCY_KEY_RE.test(idempotencyKey)) throw ordersErrors.idempotencyKeyRequired();
    const hash = requestHash(input);
    const replay: Replay = (previous) => {
      if (previous.requestHash !== hash) throw ordersErrors.idempotencyKeyReused();
      return outcomeOf(previous);
    };
    const wanted = await linesToBuy(customerId, input);
    const entry = await admission.enter(
      customerId,
      idempotencyKey,
      wanted.map((l) => l.variantId),
    );
    if (!entry.admitted) {
      const place = await whileQueued(entry);
      if (place) return place;
    }
    try {
      return await place(customerId, idempotencyKey, input, hash, wanted, replay, options.countAttempt ?? (async () => {}));
    } finally {
      if (entry.admitted) await entry.leave();
    }
  };
}
