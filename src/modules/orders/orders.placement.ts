import type { Kysely } from 'kysely';
import { GroupCommitBatcher } from '../../platform/group-commit.ts';
import type { JobSpec } from '../../platform/queue/queue.ts';
import { newShardedId, shardOfId } from '../../shared/ids.ts';
import type { VariantForSale } from '../catalog/index.ts';
import { recordOf } from './orders.checkout-record.ts';
import * as repo from './orders.repository.ts';
import type { CheckoutInput, OrdersDeps, StoredCheckoutOutcome } from './orders.types.ts';

export const COLLECT_PAYMENT_TASK = 'orders.collect-payment';
/** The payment job of a checkout group: one job charges every order the group wrote (orders.payment.ts). */
export const COLLECT_PAYMENTS_TASK = 'orders.collect-payments';

export type PricedLine = Readonly<{ variant: VariantForSale; quantity: number }>;

/** A checkout that passed its checks and the line, ready to be written: one member of a group. */
export type Placement = Readonly<{
  customerId: string;
  key: string;
  hash: string;
  input: CheckoutInput;
  /** The lines with catalog prices, or the refusal to store under the key (a line not for sale). */
  priced: readonly PricedLine[] | StoredCheckoutOutcome;
  /** Counts the attempt against the rate limit; throws to refuse. Called at most once a placement. */
  countAttempt: () => Promise<void>;
}>;

export type StoredAnswer = Readonly<{ requestHash: string; statusCode: number; response: string }>;

/** What writing a placement came to: its outcome, stored under its key, or the key's earlier answer. */
export type Placed = Readonly<{ kind: 'stored'; outcome: StoredCheckoutOutcome }> | Readonly<{ kind: 'replay'; previous: StoredAnswer }>;

export type GroupSettings = Readonly<{
  /** Checkouts written in one transaction at most; 1 writes each alone (group commit off). */
  groupMax: number;
  /** How long a checkout may wait for others to share its transaction (the bound a lone buyer pays). */
  groupWindowMs: number;
}>;

/** The order to write for these priced lines: one sub-order per shop, totals, and its accepted outcome. */
export function planOrder(orderId: string, customerId: string, priced: readonly PricedLine[]) {
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

type Planned = ReturnType<typeof planOrder>;

/** A placement with the order id chosen for this try and what it plans to write. */
type Attempt = Readonly<{
  p: Placement;
  orderId: string;
  order: Planned | null;
  /** The outcome this request expects, written when the key is claimed. */
  expected: StoredCheckoutOutcome;
  now: number;
}>;

type Answer = { ok: true; placed: Placed } | { ok: false; error: unknown };

const claimIdOf = (p: Placement) => `${p.customerId} ${p.key}`;

/**
 * Writes checkouts, alone or in groups (docs/checkout.md "Group commit"). Checkouts that reach a
 * shard database while others are being written there wait (at most `groupWindowMs`) and are
 * written together: one transaction claims every key, reserves every order's stock (inventory's
 * own batcher makes that one transaction on the catalog store), writes every order in one
 * statement with one payment job for the group, and commits once. Each checkout still gets its own
 * answer, stored under its own key. One that is refused (rate limit, stock, a failed reservation)
 * is answered alone and the rest go on; if the group's transaction itself fails, nothing of it
 * happened, and each of its checkouts is written again alone.
 */
export function createPlacement(deps: OrdersDeps, group: GroupSettings) {
  const { stores, inventory, cart, settings, log } = deps;
  const batchers = new Map<string, GroupCommitBatcher<Placement, Answer>>();

  function attempt(p: Placement): Attempt {
    // Chosen before anything is written: the reservation is keyed by it, so a crash between the
    // reservation and the order leaves a reservation the sweeper can match to "no such order".
    const orderId = newShardedId(shardOfId(p.customerId));
    const order = Array.isArray(p.priced) ? planOrder(orderId, p.customerId, p.priced as readonly PricedLine[]) : null;
    return { p, orderId, order, expected: order ? order.outcome : (p.priced as StoredCheckoutOutcome), now: Date.now() };
  }

  const linesOf = (order: Planned) => order.priced.map((l) => ({ variantId: l.variant.variantId, quantity: l.quantity }));
  const expiryOf = (a: Attempt) => new Date(a.now + settings.reservationTtlSeconds * 1000);

  function newOrder(a: Attempt, order: Planned): repo.NewOrder {
    return {
      order: {
        id: a.orderId,
        customerId: a.p.customerId,
        currency: order.currency,
        total: order.total,
        shippingAddress: a.p.input.shippingAddress,
        paymentDeadline: new Date(a.now + settings.paymentDeadlineMinutes * 60_000),
      },
      subOrders: order.subOrders,
      lines: order.lines,
    };
  }

  /** A cart checkout empties what it bought in the statement that writes the order (and so the same commit). */
  function cartRemoval(a: Attempt, order: Planned) {
    return a.p.input.lines
      ? undefined
      : cart.removeLinesSql(
          a.p.customerId,
          order.priced.map((l) => l.variant.variantId),
        );
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

  /** After a failed transaction: the stock of orders that did not commit goes back now, not at expiry. */
  async function releaseUncommitted(orderIds: readonly string[]): Promise<void> {
    await Promise.all(
      orderIds.map(async (orderId) => {
        // If this fails too (or the process dies first), the sweeper finds a reservation with no order.
        if (await orderAbsent(orderId))
          await inventory.release(orderId).catch((e: unknown) => log.warn({ err: e, orderId }, 'release after a failed checkout failed'));
      }),
    );
  }

  /** One checkout in a transaction of its own (the way every checkout went before groups). */
  async function placeAlone(p: Placement): Promise<Placed> {
    const a = attempt(p);
    const record = recordOf(a.expected);
    let reserved = false;
    try {
      return await stores.shards
        .forId(p.customerId)
        .db.transaction()
        .execute(async (trx): Promise<Placed> => {
          const claim = await repo.claimIdempotencyKey(trx, {
            customerId: p.customerId,
            key: p.key,
            requestHash: p.hash,
            statusCode: record.statusCode,
            response: record.response,
          });
          if (!claim.claimed) return { kind: 'replay', previous: claim.previous };
          // New work: counted against the checkout rate limit now, and only now. A refusal rolls the
          // claim back, so the key is free for the client's retry. Racing copies of one request wait
          // on the claim above and replay its answer, uncounted.
          await p.countAttempt();
          if (!a.order) return { kind: 'stored', outcome: a.expected };
          const result = await inventory.reserve(a.orderId, linesOf(a.order), expiryOf(a));
          if (!result.ok) {
            const short = shortOutcome(result.shortages);
            await repo.setIdempotentAnswer(trx, { customerId: p.customerId, key: p.key, ...recordOf(short) });
            return { kind: 'stored', outcome: short };
          }
          reserved = true;
          await repo.insertOrder(trx, newOrder(a, a.order), [paymentJob([a.orderId])], cartRemoval(a, a.order));
          return { kind: 'stored', outcome: a.expected };
        });
    } catch (err) {
      if (reserved) await releaseUncommitted([a.orderId]);
      throw err;
    }
  }

  /**
   * Several checkouts in one transaction on one shard database. Answers are set per member as it
   * is decided; a member refused on its own is answered with its error and leaves the group. Throws
   * when the transaction fails: then nothing in it happened (the caller writes each member alone).
   */
  async function placeGroup(db: Kysely<unknown>, attempts: readonly Attempt[], answers: Map<Attempt, Answer>, reserved: string[]) {
    await db.transaction().execute(async (trx) => {
      const previous = await repo.claimIdempotencyKeys(
        trx,
        attempts.map((a) => ({ customerId: a.p.customerId, key: a.p.key, requestHash: a.p.hash, ...recordOf(a.expected) })),
      );
      let live = attempts.filter((a) => {
        const earlier = previous.get(claimIdOf(a.p));
        if (earlier) answers.set(a, { ok: true, placed: { kind: 'replay', previous: earlier } });
        return !earlier;
      });
      // Each member's refusal is its own: its claim is given back, the others go on.
      const refused: Attempt[] = [];
      const refuse = (a: Attempt, error: unknown) => {
        answers.set(a, { ok: false, error });
        refused.push(a);
      };
      const counted = await Promise.allSettled(live.map((a) => a.p.countAttempt()));
      live = live.filter((a, i) => {
        const c = counted[i]!;
        if (c.status === 'rejected') refuse(a, c.reason);
        return c.status === 'fulfilled';
      });
      for (const a of live) if (!a.order) answers.set(a, { ok: true, placed: { kind: 'stored', outcome: a.expected } });
      const buying = live.filter((a) => a.order);
      const decided = await Promise.allSettled(buying.map((a) => inventory.reserve(a.orderId, linesOf(a.order!), expiryOf(a))));
      const writing: Attempt[] = [];
      const short: Array<{ a: Attempt; outcome: StoredCheckoutOutcome }> = [];
      buying.forEach((a, i) => {
        const d = decided[i]!;
        if (d.status === 'rejected') refuse(a, d.reason);
        else if (!d.value.ok) short.push({ a, outcome: shortOutcome(d.value.shortages) });
        else {
          reserved.push(a.orderId);
          writing.push(a);
        }
      });
      await repo.unclaimIdempotencyKeys(
        trx,
        refused.map((a) => ({ customerId: a.p.customerId, key: a.p.key })),
      );
      await repo.setIdempotentAnswers(
        trx,
        short.map(({ a, outcome }) => ({ customerId: a.p.customerId, key: a.p.key, ...recordOf(outcome) })),
      );
      for (const { a, outcome } of short) answers.set(a, { ok: true, placed: { kind: 'stored', outcome } });
      if (writing.length > 0) {
        await repo.insertOrders(
          trx,
          writing.map((a) => newOrder(a, a.order!)),
          [paymentJob(writing.map((a) => a.orderId))],
          writing.flatMap((a) => cartRemoval(a, a.order!) ?? []),
        );
      }
      for (const a of writing) answers.set(a, { ok: true, placed: { kind: 'stored', outcome: a.expected } });
    });
  }

  async function settleAlone(p: Placement): Promise<Answer> {
    try {
      return { ok: true, placed: await placeAlone(p) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** The batcher's runner: a group of one is written alone; a bigger one together, or each alone if that fails. */
  async function runGroup(members: readonly Placement[]): Promise<Answer[]> {
    if (members.length === 1) return [await settleAlone(members[0]!)];
    // A key twice in one group (a client retrying at once) waits for the group: alone it then
    // replays what the group stored, or claims the key if the group rolled back.
    const byClaim = new Map<string, Placement>();
    for (const p of members) if (!byClaim.has(claimIdOf(p))) byClaim.set(claimIdOf(p), p);
    const first = [...byClaim.values()];
    const attempts = first.map(attempt);
    const answers = new Map<Attempt, Answer>();
    const reserved: string[] = [];
    try {
      const db = stores.shards.forShards(first.map((p) => shardOfId(p.customerId))).db;
      await placeGroup(db, attempts, answers, reserved);
    } catch (err) {
      log.warn({ err, size: attempts.length }, 'a checkout group failed; writing its checkouts one by one');
      await releaseUncommitted(reserved);
      // Answers decided inside the transaction were undone with it, except refusals (the rate
      // limit counted, a reservation failed): those stand, and the rest go again alone.
      for (const [a, answer] of answers) if (answer.ok) answers.delete(a);
      await Promise.all(attempts.filter((a) => !answers.has(a)).map(async (a) => answers.set(a, await settleAlone(a.p))));
    }
    const byMember = new Map(attempts.map((a) => [a.p, answers.get(a)!]));
    return Promise.all(members.map(async (p) => byMember.get(p) ?? settleAlone(p)));
  }

  function batcherFor(customerId: string): GroupCommitBatcher<Placement, Answer> {
    const database = stores.shards.forId(customerId).name;
    let batcher = batchers.get(database);
    if (!batcher) {
      batcher = new GroupCommitBatcher(runGroup, { maxBatch: group.groupMax, maxInFlight: 4, windowMs: group.groupWindowMs });
      batchers.set(database, batcher);
    }
    return batcher;
  }

  return {
    /** Writes one checkout, in a group when others reach its database at the same time. */
    async place(p: Placement): Promise<Placed> {
      if (group.groupMax <= 1) return placeAlone(p);
      const answer = await batcherFor(p.customerId).submit({ ...p, countAttempt: once(p.countAttempt) });
      if (!answer.ok) throw answer.error;
      return answer.placed;
    },
    /** Groups written so far and the checkouts they carried, per shard database (tests, the benchmark). */
    groupStats: () => new Map([...batchers].map(([name, b]) => [name, { ...b.stats }])),
  };
}

function shortOutcome(shortages: ReadonlyArray<{ variantId: string; requested: number }>): StoredCheckoutOutcome {
  return { kind: 'out_of_stock', lines: shortages.map((s) => ({ variantId: s.variantId, requested: s.requested })) };
}

/** The payment job of the orders one transaction wrote: one job for a group, the per-order job for one order. */
function paymentJob(orderIds: readonly string[]): JobSpec {
  const first = orderIds[0]!;
  if (orderIds.length === 1)
    return { task: COLLECT_PAYMENT_TASK, payload: { orderId: first, attempt: 0 }, jobKey: `${COLLECT_PAYMENT_TASK}:${first}` };
  return { task: COLLECT_PAYMENTS_TASK, payload: { orderIds: [...orderIds] }, jobKey: `${COLLECT_PAYMENTS_TASK}:${first}` };
}

/** `fn` called at most once: a checkout written again alone after its group failed is not counted twice. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= fn());
}
