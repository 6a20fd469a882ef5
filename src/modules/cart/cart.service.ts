import type { Kysely, RawBuilder } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import { view } from '../../platform/postgres/database.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { isId } from '../../shared/ids.ts';
import type { Money } from '../../shared/money.ts';
import type { CatalogService, VariantForSale } from '../catalog/index.ts';
import { statusOf, type InventoryService, type StockStatus } from '../inventory/index.ts';
import { cartErrors } from './cart.errors.ts';
import { CART_EVENTS, type CartStartedPayload } from './cart.events.ts';
import {
  addLines,
  deleteLines,
  lineQuantity,
  unitCount,
  deleteLinesSql,
  listLines,
  lockCart,
  putLine,
  variantIdsInCart,
  type CartTables,
  type LineRow,
} from './cart.repository.ts';
import {
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  type CartLine,
  type CartLineView,
  type CartOwner,
  type CartView,
  type UnavailableReason,
} from './cart.types.ts';

export type CartUseCases = Readonly<{
  view(owner: CartOwner): Promise<CartView>;
  /**
   * Adds the variant or sets its quantity (1..MAX_LINE_QUANTITY), and returns the cart as this
   * change left it. Only published variants go in.
   */
  setQuantity(owner: CartOwner, variantId: string, quantity: number): Promise<CartView>;
  /**
   * Puts `quantity` more of the variant in the cart (the product page's "add to cart"), and returns
   * the cart as this change left it. Refused: a draft (CART_VARIANT_UNAVAILABLE), a sold-out variant
   * (CART_VARIANT_SOLD_OUT: unlike setQuantity, which keeps and flags a line that sold out, nothing
   * is added that cannot be bought), and a line that would pass MAX_LINE_QUANTITY (CART_QUANTITY_LIMIT).
   */
  add(owner: CartOwner, variantId: string, quantity: number): Promise<CartView>;
  /** Units over all lines, available or not (the header's count): one query, no catalog read. */
  count(owner: CartOwner): Promise<number>;
  removeLine(owner: CartOwner, variantId: string): Promise<void>;
  clear(owner: CartOwner): Promise<void>;
  /** Moves a guest cart into an account's cart (quantities added and capped), then deletes it. */
  mergeGuest(guestId: string, accountId: string): Promise<void>;
  lines(customerId: string): Promise<ReadonlyArray<CartLine>>;
  removeLinesSql(customerId: string, variantIds: readonly string[]): RawBuilder<unknown>;
}>;

export function createCartService(deps: {
  stores: Stores;
  catalog: CatalogService;
  inventory: InventoryService;
  events: EventBus;
  log: Logger;
}): CartUseCases {
  const { stores, catalog, inventory, events, log } = deps;
  const dbFor = (owner: CartOwner) => view<CartTables>(stores.shards.forId(owner.id).db);
  const account = (id: string): CartOwner => ({ id, kind: 'account' });

  /** Units on sale per variant. A nicety on the cart page: when inventory cannot answer, the cart still shows. */
  async function stockOf(ids: string[]): Promise<ReadonlyMap<string, number> | null> {
    if (ids.length === 0) return new Map();
    try {
      return await inventory.availability(ids);
    } catch (err) {
      log.warn({ err }, 'stock statuses unavailable; showing the cart without them');
      return null;
    }
  }

  /**
   * The cart page for these lines. `known`: variants the caller has just read from the catalog
   * (setQuantity's own), not read again; the others are.
   */
  async function viewOf(rows: readonly LineRow[], known: readonly VariantForSale[] = []): Promise<CartView> {
    const ids = rows.map((r) => r.variant_id);
    const variants = new Map(known.map((v) => [v.variantId, v]));
    const unknown = ids.filter((id) => !variants.has(id));
    if (unknown.length > 0) for (const v of await catalog.getVariants(unknown)) variants.set(v.variantId, v);
    const stock = await stockOf(ids.filter((id) => variants.get(id)?.published));
    const totals = new Map<string, number>();
    let itemCount = 0;
    const lines: CartLineView[] = rows.map((r) => {
      const v = variants.get(r.variant_id);
      const units = v?.published ? (stock?.get(r.variant_id) ?? null) : null;
      const status: StockStatus | null = units === null ? null : statusOf(units);
      // Said at once, not at checkout (issue 13: 40 asked, 3 left, and the cart said available).
      const short = units !== null && units < r.quantity;
      const reason: UnavailableReason | null = !v
        ? 'variant_deleted'
        : !v.published
          ? 'variant_unpublished'
          : status === 'sold_out'
            ? 'sold_out'
            : short
              ? 'insufficient_stock'
              : null;
      const lineTotal: Money | null = v ? { amount: v.price.amount * r.quantity, currency: v.price.currency } : null;
      if (reason === null && lineTotal) {
        itemCount += r.quantity;
        totals.set(lineTotal.currency, (totals.get(lineTotal.currency) ?? 0) + lineTotal.amount);
      }
      return {
        variantId: r.variant_id,
        quantity: r.quantity,
        addedAt: r.added_at.toISOString(),
        available: reason === null,
        reason,
        availableQuantity: short ? Math.max(0, units) : null,
        productId: v?.productId ?? null,
        productTitle: v?.productTitle ?? null,
        sku: v?.sku ?? null,
        options: v?.options ?? null,
        shopName: v?.shopName ?? null,
        unitPrice: v ? v.price : null,
        lineTotal,
        stock: status,
      };
    });
    return {
      lines,
      itemCount,
      totals: [...totals].map(([currency, amount]) => ({ amount, currency })),
      limits: { maxLines: MAX_CART_LINES, maxQuantity: MAX_LINE_QUANTITY },
    };
  }

  /** Quantities come from forms as well as the JSON schema, so the rule lives here too. */
  function checkQuantity(quantity: number): void {
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) throw cartErrors.invalidQuantity();
  }

  /** The variant, if it may go in a cart: known and published. */
  async function forSale(variantId: string): Promise<VariantForSale> {
    if (!isId(variantId)) throw cartErrors.variantNotFound();
    const [variant] = await catalog.getVariants([variantId]);
    if (!variant) throw cartErrors.variantNotFound();
    if (!variant.published) throw cartErrors.variantUnavailable();
    return variant;
  }

  /**
   * Sets the variant's line to `quantity` (or to `quantity(what the line holds now)`, which costs a
   * read) under the cart's lock, and
   * returns the cart as this change left it (a later change answers for itself); the variant just
   * checked is not read from the catalog a second time.
   */
  async function write(owner: CartOwner, variant: VariantForSale, quantity: number | ((inCart: number) => number)): Promise<CartView> {
    const lines = await dbFor(owner)
      .transaction()
      .execute(async (trx) => {
        await lockCart(trx, owner);
        const units = typeof quantity === 'number' ? quantity : quantity(await lineQuantity(trx, owner, variant.variantId));
        const put = await putLine(trx, owner, variant.variantId, units);
        if (!put.written) throw cartErrors.full();
        // The first line of an empty cart starts a cart (reporting's conversion); the lock makes
        // two racing first lines publish once.
        if (put.linesBefore === 0) {
          const started: CartStartedPayload = { ownerId: owner.id, ownerKind: owner.kind, mergedGuestId: null, intoOpenCart: false };
          await events.publish(trx as unknown as Kysely<unknown>, CART_EVENTS.started, started);
        }
        return put.lines;
      });
    return viewOf(lines, [variant]);
  }

  return {
    async view(owner) {
      return viewOf(await listLines(dbFor(owner), owner));
    },

    async setQuantity(owner, variantId, quantity) {
      checkQuantity(quantity);
      const variant = await forSale(variantId);
      return write(owner, variant, quantity);
    },

    async add(owner, variantId, quantity) {
      checkQuantity(quantity);
      const variant = await forSale(variantId);
      const units = await stockOf([variantId]);
      // When inventory cannot answer, the add goes ahead: checkout reserves, and the cart flags it.
      if (units && (units.get(variantId) ?? 0) <= 0) throw cartErrors.soldOut();
      return write(owner, variant, (inCart) => {
        if (inCart + quantity > MAX_LINE_QUANTITY) throw cartErrors.quantityLimit(inCart);
        return inCart + quantity;
      });
    },

    async count(owner) {
      return unitCount(dbFor(owner), owner);
    },

    async removeLine(owner, variantId) {
      await deleteLines(dbFor(owner), owner, [variantId]);
    },

    async clear(owner) {
      await deleteLines(dbFor(owner), owner, 'all');
    },

    async mergeGuest(guestId, accountId) {
      const guest: CartOwner = { id: guestId, kind: 'guest' };
      const target = account(accountId);
      const guestLines = await listLines(dbFor(guest), guest);
      if (guestLines.length > 0) {
        await dbFor(target)
          .transaction()
          .execute(async (trx) => {
            await lockCart(trx, target);
            const present = await variantIdsInCart(trx, target);
            // Lines already in the account's cart always merge; new ones only while there is room.
            let room = MAX_CART_LINES - present.size;
            const merged = guestLines.filter((l) => present.has(l.variant_id) || room-- > 0);
            if (merged.length < guestLines.length)
              log.info({ accountId, dropped: guestLines.length - merged.length }, 'cart full: guest lines dropped at merge');
            await addLines(
              trx,
              target,
              merged.map((l) => ({ variantId: l.variant_id, quantity: l.quantity })),
            );
            const started: CartStartedPayload = {
              ownerId: accountId,
              ownerKind: 'account',
              mergedGuestId: guestId,
              intoOpenCart: present.size > 0,
            };
            await events.publish(trx as unknown as Kysely<unknown>, CART_EVENTS.started, started);
          });
      }
      // A different shard, so not the same transaction: a crash right here would merge the guest
      // lines a second time on the next request (quantities capped), never lose them.
      await deleteLines(dbFor(guest), guest, 'all');
    },

    async lines(customerId) {
      const rows = await listLines(dbFor(account(customerId)), account(customerId));
      return rows.map((r) => ({ variantId: r.variant_id, quantity: r.quantity }));
    },

    removeLinesSql(customerId, variantIds) {
      return deleteLinesSql(account(customerId), variantIds);
    },
  };
}
