import { createHash } from 'node:crypto';
import { DomainError } from '../../shared/errors.ts';
import { newShardedId, shardOfId } from '../../shared/ids.ts';
import type { VariantForSale } from '../catalog/index.ts';
import { MAX_CHARGE_AMOUNT } from '../payments/index.ts';
import { countSoldOutPass, type CheckoutAdmission, type Queued } from './orders.admission.ts';
import { ordersErrors } from './orders.errors.ts';
import * as repo from './orders.repository.ts';
import { outcomeOf, recordOf } from './orders.checkout-record.ts';
import type { CheckoutInput, CheckoutOptions, CheckoutOutcome, OrdersDeps, StoredCheckoutOutcome } from './orders.types.ts';

export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9_.:-]{1,100}$/;
export const COLLECT_PAYMENT_TASK = 'orders.collect-payment';

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

type PricedLine = Readonly<{ variant: VariantForSale; quantity: number }>;

/** The order to write for these priced lines: one sub-order per shop, totals, and its accepted outcome. */
function planOrder(orderId: string, customerId: string, priced: readonly PricedLine[]) {
  const currency = priced[0]!.variant.price.currency;
  const byShop = new Map<string, { id: string; shopId: string; shopName: string; sellerId: string; total: number }>();
  for (const p of priced) {
    let sub = byShop.get(p.variant.shopId);
    if (!sub) {
      sub = {
        id: newShardedId(shardOfId(customerId)),
        shopId: p.variant.shopId,
        shopName: p.variant.shopName,
        sellerId: p.variant.sellerId,
        total: 0,
      };
      byShop.set(p.variant.shopId, sub);
    }
    sub.total += p.variant.price.amount * p.quantity;
  }
  const total = priced.reduce((sum, p) => sum + p.variant.price.amount * p.quantity, 0);
  const outcome: StoredCheckoutOutcome = {
    kind: 'accepted',
    order: { id: orderId, status: 'pending_payment', total: { amount: total, currency } },
  };
  return {
    priced,
    currency,
    total,
    outcome,
    subOrders: [...byShop.values()],
    lines: priced.map((p) => ({
      variantId: p.variant.variantId,
      subOrderId: byShop.get(p.variant.shopId)!.id,
      productId: p.variant.productId,
      title: p.variant.productTitle,
      sku: p.variant.sku,
      options: p.variant.options,
      unitPrice: p.variant.price.amount,
      quantity: p.quantity,
    })),
  };
}

/**
 * POST /checkout, in the order docs/checkout.md gives: the Idempotency-Key serialises and replays; prices come
 * from the catalog (what the client sent as a price or total is ignored); stock is reserved before
 * the order is written, keyed by an order id chosen first; the order, its payment job and the
 * idempotent answer commit together on the customer's shard.
 */
export function createCheckout(deps: OrdersDeps, admission: CheckoutAdmission) {
  const { stores, catalog, inventory, cart, settings, log } = deps;

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
    const shard = stores.shards.forId(customerId);
    if (priced instanceof DomainError) {
      // A malformed request (empty cart, mixed currencies) is refused without using up the key; but
      // a retry of a cart checkout finds the cart it emptied, and must get the key's first answer.
      const previous = await repo.findIdempotent(shard.db, customerId, idempotencyKey);
      if (!previous) {
        await countAttempt();
        throw priced;
      }
      return replay(previous);
    }
    // Chosen before anything is written: the reservation is keyed by it, so a crash between the
    // reservation and the order leaves a reservation the sweeper can match to "no such order".
    const orderId = newShardedId(shardOfId(customerId));
    const now = Date.now();
    const order = Array.isArray(priced) ? planOrder(orderId, customerId, priced) : null;
    // The outcome this request expects, written when the key is claimed: accepted unless stock
    // runs out, or the refusal of a line that cannot be sold (replayed like an accepted one).
    const expected: StoredCheckoutOutcome = order ? order.outcome : (priced as StoredCheckoutOutcome);
    const expectedRecord = recordOf(expected);
    let reserved = false;
    try {
      return await shard.db.transaction().execute(async (trx) => {
        const claim = await repo.claimIdempotencyKey(trx, {
          customerId,
          key: idempotencyKey,
          requestHash: hash,
          statusCode: expectedRecord.statusCode,
          response: expectedRecord.response,
        });
        if (!claim.claimed) return replay(claim.previous);
        // New work: counted against the checkout rate limit now, and only now. A refusal rolls the
        // claim back, so the key is free for the client's retry. Racing copies of one request wait
        // on the claim above and replay its answer, uncounted.
        await countAttempt();
        if (!order) return expected;

        const result = await inventory.reserve(
          orderId,
          order.priced.map((p) => ({ variantId: p.variant.variantId, quantity: p.quantity })),
          new Date(now + settings.reservationTtlSeconds * 1000),
        );
        if (!result.ok) {
          const short: StoredCheckoutOutcome = {
            kind: 'out_of_stock',
            lines: result.shortages.map((s) => ({ variantId: s.variantId, requested: s.requested })),
          };
          await repo.setIdempotentAnswer(trx, { customerId, key: idempotencyKey, ...recordOf(short) });
          return short;
        }
        reserved = true;

        const bought = order.priced.map((p) => p.variant.variantId);
        await repo.insertOrder(
          trx,
          {
            order: {
              id: orderId,
              customerId,
              currency: order.currency,
              total: order.total,
              shippingAddress: input.shippingAddress,
              paymentDeadline: new Date(now + settings.paymentDeadlineMinutes * 60_000),
            },
            subOrders: order.subOrders,
            lines: order.lines,
          },
          [{ task: COLLECT_PAYMENT_TASK, payload: { orderId, attempt: 0 }, jobKey: `${COLLECT_PAYMENT_TASK}:${orderId}` }],
          // A cart checkout empties what it bought in the same statement (and so the same commit).
          input.lines ? undefined : cart.removeLinesSql(customerId, bought),
        );
        return order.outcome;
      });
    } catch (err) {
      if (reserved && (await orderAbsent(orderId))) {
        // The order did not commit: give the stock back now rather than at expiry. If this fails
        // too (or the process dies first), the sweeper finds a reservation with no order.
        await inventory.release(orderId).catch((e: unknown) => log.warn({ err: e, orderId }, 'release after a failed checkout failed'));
      }
      throw err;
    }
  }

  /**
   * Whether an order whose transaction failed is really not there. A connection lost during COMMIT
   * (a flapping or failing shard) leaves the client not knowing: the server may have committed,
   * and the client's retry with its key then replays an accepted order whose stock must still be
   * held. Releasing on the error alone gave that stock back to sale (found by the shard-flapping
   * row of test/resiliency). When the shard cannot be asked either, the answer is "not known":
   * the reservation is kept, and the sweeper releases it at expiry if no order ever appears.
   */
  async function orderAbsent(orderId: string): Promise<boolean> {
    try {
      return (await repo.findOrder(stores.shards.forId(orderId).db, orderId)) === null;
    } catch (e) {
      log.warn({ err: e, orderId }, 'could not tell whether a failed checkout committed; its reservation waits for the sweeper');
      return false;
    }
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
