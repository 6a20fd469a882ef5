import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import { createHotCache } from '../../platform/cache/hot-cache.ts';
import type { EventBus } from '../../platform/events.ts';
import { prepare, PREPARED_FORMAT, type Prepared } from '../../platform/cache/prepared.ts';
import { isDomainError } from '../../shared/errors.ts';
import type { AuditActor, AuditRecorder } from '../audit/index.ts';
import type { CatalogService } from '../catalog/index.ts';
import { allocate, available, type Decision, type ReserveRequest } from './inventory.allocation.ts';
import { GroupCommitBatcher } from '../../platform/group-commit.ts';
import { inventoryErrors } from './inventory.errors.ts';
import * as repo from './inventory.repository.ts';
import { INVENTORY_EVENTS } from './inventory.events.ts';
import type { InventoryService, ProductStock, StockLevel, StockLine, StockStatus } from './index.ts';
import { isId } from '../../shared/ids.ts';

/** At or below this many available, the public sees "only a few left". */
export const FEW_LEFT = 5;
/** The most units one restock adds, and the most a variant may have on hand (the API's and the studio's limit). */
export const MAX_RESTOCK = 100_000;
export const MAX_ON_HAND = 10_000_000;
/** A product's public stock page lives this long unless a change on this node retires it sooner. */
export const STOCK_PAGE_TTL_MS = 2000;
/**
 * How long this process reuses a variant's coarse status ("in stock", "only a few left", "sold
 * out") read from another node's change. Every add-to-cart shows the cart with it:
 * `BENCH_COST_DETAIL=true npm run bench -- --only checkout` counted one read of inventory_stock
 * per order for that alone. A change made by this process replaces the entry at once
 * (afterStockChange). Statuses are for showing; no sale is decided by one (reserve locks the row).
 */
export const STATUS_MEMO_MS = 1000;
/** Lines one reservation may carry (checkout allows 50). */
const MAX_LINES = 100;
const MAX_LINE_QUANTITY = 1_000_000;
/** Bound on the variant -> product map used to retire cached stock pages. */
const MAX_REMEMBERED_VARIANTS = 200_000;

export type StockLowPayload = Readonly<{ variantId: string; available: number; threshold: number }>;

export const statusOf = (availableCount: number): StockStatus =>
  availableCount <= 0 ? 'sold_out' : availableCount <= FEW_LEFT ? 'few_left' : 'in_stock';

const cacheKeys = { productStock: (productId: string) => `inventory:product-stock:${PREPARED_FORMAT}:${productId}` };

type CachedPage = Prepared<ProductStock | null> & { expiresAt: number };

export type SellerVariantStock = StockLevel & Readonly<{ sku: string; options: Readonly<Record<string, string>>; status: StockStatus }>;

/**
 * Cached public reads, each a value with its JSON text and version prepared once. A product that
 * is unknown, a draft or named by a malformed id is `value: null`, cached as briefly as stock.
 */
export type InventoryReads = Readonly<{
  /** Coarse stock per variant of a published product (GET /products/:id/stock), at most STOCK_PAGE_TTL_MS old. */
  productStock(productId: string): Promise<Prepared<ProductStock | null>>;
}>;

/** The public contract plus what the routes need (owner checks, cached public pages). */
export type InventoryUseCases = InventoryService &
  Readonly<{
    sellerInventory(accountId: string, productId: string): Promise<{ productId: string; variants: SellerVariantStock[] }>;
    /** A seller restocks one of its variants: audited (`stock.restocked`) in the change's transaction. */
    restockOwned(actor: AuditActor, variantId: string, quantity: number): Promise<StockLevel>;
    /** A seller sets the on-hand count of one of its variants: audited (`stock.set`) in the change's transaction. */
    setOnHandOwned(actor: AuditActor, variantId: string, onHand: number): Promise<StockLevel>;
    pages: InventoryReads;
    /** How the reservation batcher has grouped reserve calls so far (closeBatchStats: commit and release calls). */
    batchStats(): Readonly<{ batches: number; calls: number; largestBatch: number }>;
    closeBatchStats(): Readonly<{ batches: number; calls: number; largestBatch: number }>;
  }>;

export type InventoryServiceDeps = Readonly<{
  db: Kysely<unknown>;
  cache: Cache;
  events: EventBus;
  audit: AuditRecorder;
  catalog: Pick<CatalogService, 'getProduct' | 'assertProductOwner' | 'assertVariantOwner'>;
  log: Logger;
  /** Group-commit settings; the defaults suit production (see platform/group-commit.ts). */
  batching?: Readonly<{ maxBatch: number; maxInFlight: number }>;
}>;

const toLevel = (r: repo.StockRow): StockLevel => ({
  variantId: r.variant_id,
  onHand: r.on_hand,
  reserved: r.reserved,
  sold: r.sold,
  available: available(r),
});

const emptyLevel = (variantId: string): StockLevel => ({ variantId, onHand: 0, reserved: 0, sold: 0, available: 0 });

/** Merges repeated variants and checks every line; throws on a malformed call (a caller's bug). */
function normaliseLines(lines: ReadonlyArray<StockLine>): Array<{ variantId: string; quantity: number }> {
  if (lines.length < 1 || lines.length > MAX_LINES) {
    throw inventoryErrors.invalidLines(`A reservation has 1 to ${MAX_LINES} lines`);
  }
  const merged = new Map<string, number>();
  lines.forEach((l: StockLine, i) => {
    if (typeof l.variantId !== 'string') throw inventoryErrors.invalidLines('Each line names a variant', `lines[${i}].variantId`);
    if (!Number.isSafeInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_LINE_QUANTITY) {
      throw inventoryErrors.invalidQuantity(`lines[${i}].quantity`);
    }
    merged.set(l.variantId, (merged.get(l.variantId) ?? 0) + l.quantity);
  });
  return [...merged].map(([variantId, quantity]) => ({ variantId, quantity })).sort((a, b) => (a.variantId < b.variantId ? -1 : 1));
}

function checkCount(value: number, min: number, max: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw inventoryErrors.invalidQuantity(field);
}

export function createInventoryService(deps: InventoryServiceDeps): InventoryUseCases {
  const { db, cache, events, audit, catalog, log } = deps;
  const variantProducts = new Map<string, string>();
  /** Units on sale per variant, as last read or changed here (STATUS_MEMO_MS); statuses derive from it. */
  const availableMemo = createHotCache({ ttlMs: STATUS_MEMO_MS, maxEntries: 50_000 });

  /** stock.low when a change takes a variant from above its threshold to at or below it (not on every sale below it). */
  async function publishLow(trx: Kysely<unknown>, changed: ReadonlyArray<{ row: repo.StockRow; availableBefore: number }>): Promise<void> {
    for (const { row, availableBefore } of changed) {
      const now = available(row);
      if (availableBefore > row.low_stock_threshold && now <= row.low_stock_threshold) {
        const payload: StockLowPayload = { variantId: row.variant_id, available: now, threshold: row.low_stock_threshold };
        await events.publish(trx, INVENTORY_EVENTS.stockLow, payload, { jobKeySuffix: row.variant_id });
      }
    }
  }

  /**
   * Retires this node's cached public stock pages whose coarse status just changed. Most sales do
   * not change it (in stock stays in stock), so a flash sale does not thrash the cache; other
   * nodes catch up within STOCK_PAGE_TTL_MS.
   */
  async function afterStockChange(changed: ReadonlyArray<{ row: repo.StockRow; availableBefore: number }>): Promise<void> {
    const keys = new Set<string>();
    // The rows as the change committed them: this process's statuses are exact from here on (and a
    // read in flight, which may predate the change, is not kept over them).
    for (const { row } of changed) availableMemo.set(row.variant_id, available(row));
    for (const { row, availableBefore } of changed) {
      if (statusOf(availableBefore) === statusOf(available(row))) continue;
      const productId = variantProducts.get(row.variant_id);
      if (productId) keys.add(cacheKeys.productStock(productId));
    }
    if (keys.size > 0)
      await cache.invalidate({ keys: [...keys] }).catch((err: unknown) => log.warn({ err }, 'stock page invalidation failed'));
  }

  async function runBatch(requests: ReadonlyArray<ReserveRequest>): Promise<Decision[]> {
    const { decisions, changed } = await db.transaction().execute(async (trx) => {
      // Lock first (in variant_id order), then read the orders' reservations: a concurrent batch
      // for the same order (another node) has committed by the time our locks are granted.
      const variantIds = [...new Set(requests.flatMap((r) => r.lines.map((l) => l.variantId)))].sort();
      const locked = await repo.lockStock(trx, variantIds);
      const existing = new Map<string, repo.ReservationStatus[]>();
      for (const r of await repo.reservationsOf(trx, [...new Set(requests.map((r) => r.orderId))])) {
        existing.set(r.order_id, [...(existing.get(r.order_id) ?? []), r.status]);
      }
      const alloc = allocate(requests, locked, existing);
      if (alloc.changed.length > 0) {
        await repo.writeCounters(
          trx,
          alloc.changed.map(({ row }) => ({ variant_id: row.variant_id, reserved: row.reserved, sold: row.sold })),
        );
      }
      if (alloc.reservations.length > 0) {
        const inserted = await repo.insertReservations(trx, alloc.reservations);
        // A row that was not inserted means the same order was reserved elsewhere meanwhile: the
        // counters above would then count it twice, so the whole batch rolls back instead.
        if (inserted !== alloc.reservations.length) throw new Error('reservation rows collided with a concurrent batch');
      }
      await publishLow(trx, alloc.changed);
      return alloc;
    });
    await afterStockChange(changed);
    return decisions;
  }

  const batcher = new GroupCommitBatcher<ReserveRequest, Decision>(runBatch, deps.batching ?? { maxBatch: 200, maxInFlight: 1 });

  type CloseRequest = Readonly<{ orderId: string; to: 'committed' | 'released' }>;

  /**
   * Commits and releases are group-committed too: after a flash sale, hundreds of payment jobs
   * commit reservations of the same hot row, and one transaction each would queue them on its lock
   * (and the next reservations behind them).
   */
  async function runCloseBatch(requests: ReadonlyArray<CloseRequest>): Promise<null[]> {
    // The first call for an order decides (as if run one after another: commit then release = commit).
    const decided = new Map<string, CloseRequest['to']>();
    for (const r of requests) if (!decided.has(r.orderId)) decided.set(r.orderId, r.to);
    const ids = (to: CloseRequest['to']) => [...decided].filter(([, t]) => t === to).map(([id]) => id);
    // One statement (see repo.closeOrders): locks, guards and counters as the transaction had them.
    const closed = await repo.closeOrders(db, ids('committed'), ids('released'));
    // A commit leaves `available` as it was (reserved -> sold); a release gives its quantity back.
    const changed = closed.map(({ freed, sold_now, ...row }) => ({ row, availableBefore: available(row) - (freed - sold_now) }));
    await afterStockChange(changed);
    return requests.map(() => null);
  }

  const closeBatcher = new GroupCommitBatcher<CloseRequest, null>(runCloseBatch, deps.batching ?? { maxBatch: 200, maxInFlight: 1 });

  async function closeOrder(orderId: string, to: CloseRequest['to']): Promise<void> {
    if (!isId(orderId)) return; // no reservation can exist under a malformed id
    try {
      await closeBatcher.submit({ orderId, to });
    } catch (err) {
      log.error({ err, orderId, to }, 'reservation close batch failed; nothing in it changed');
      throw inventoryErrors.unavailable();
    }
  }

  /** The change's transaction and the rows it wrote, for the audit entry recorded in it. */
  type AuditHook = (trx: Kysely<unknown>, rows: ReadonlyArray<{ row: repo.StockRow; onHandBefore: number }>) => Promise<void>;

  async function addStock(lines: ReadonlyArray<StockLine>, audited?: AuditHook): Promise<StockLevel[]> {
    const merged = new Map<string, number>();
    lines.forEach((l, i) => {
      if (!isId(l.variantId)) throw inventoryErrors.variantNotFound();
      checkCount(l.quantity, 1, MAX_RESTOCK, i === 0 && lines.length === 1 ? 'body.quantity' : `lines[${i}].quantity`);
      merged.set(l.variantId, (merged.get(l.variantId) ?? 0) + l.quantity);
    });
    const input = [...merged].map(([variant_id, quantity]) => ({ variant_id, quantity }));
    const after = await db.transaction().execute(async (trx) => {
      const out: repo.StockRow[] = [];
      for (let i = 0; i < input.length; i += 5000) out.push(...(await repo.addOnHand(trx, input.slice(i, i + 5000))));
      await audited?.(
        trx,
        out.map((row) => ({ row, onHandBefore: row.on_hand - merged.get(row.variant_id)! })),
      );
      return out;
    });
    await afterStockChange(after.map((row) => ({ row, availableBefore: available(row) - merged.get(row.variant_id)! })));
    const byId = new Map(after.map((r) => [r.variant_id, toLevel(r)]));
    return input.map((l) => byId.get(l.variant_id)!);
  }

  async function setStock(variantId: string, onHand: number, audited?: AuditHook): Promise<StockLevel> {
    if (!isId(variantId)) throw inventoryErrors.variantNotFound();
    checkCount(onHand, 0, MAX_ON_HAND, 'body.onHand');
    const change = await db
      .transaction()
      .execute(async (trx) => {
        await repo.insertEmptyStock(trx, variantId);
        const [current] = await repo.lockStock(trx, [variantId]);
        const committed = current!.sold + current!.reserved;
        if (onHand < committed) throw inventoryErrors.belowCommitted(committed);
        const [row] = await repo.writeOnHand(trx, variantId, onHand);
        const out = { row: row!, availableBefore: available(current!) };
        await publishLow(trx, [out]);
        await audited?.(trx, [{ row: row!, onHandBefore: current!.on_hand }]);
        return out;
      })
      .catch((err: unknown) => {
        // Only reachable if a reservation slipped in between; the CHECK constraint had the last word.
        if (repo.isCheckViolation(err)) throw inventoryErrors.belowCommitted(onHand);
        throw err;
      });
    await afterStockChange([change]);
    return toLevel(change.row);
  }

  /** The audit entry of a seller's stock change: the on-hand count before and after. */
  const auditStock =
    (actor: AuditActor, action: 'stock.restocked' | 'stock.set'): AuditHook =>
    async (trx, rows) => {
      for (const { row, onHandBefore } of rows) {
        await audit.record(trx, actor, {
          action,
          targetType: 'variant',
          targetId: row.variant_id,
          before: { onHand: onHandBefore },
          after: { onHand: row.on_hand },
        });
      }
    };

  const service: InventoryUseCases = {
    async reserve(orderId, lines, expiresAt) {
      if (typeof orderId !== 'string' || !isId(orderId)) throw inventoryErrors.invalidOrderId();
      if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime()))
        throw inventoryErrors.invalidLines('expiresAt is a date', 'expiresAt');
      const merged = normaliseLines(lines);
      // A malformed variant id can never be in stock; refusing it here keeps it out of the batch's SQL.
      const malformed = merged.filter((l) => !isId(l.variantId));
      if (malformed.length > 0) return { ok: false, shortages: malformed.map((l) => ({ variantId: l.variantId, requested: l.quantity })) };
      let decision: Decision;
      try {
        decision = await batcher.submit({ orderId, lines: merged, expiresAt });
      } catch (err) {
        if (isDomainError(err)) throw err;
        log.error({ err, orderId }, 'reservation batch failed; nothing in it was reserved');
        throw inventoryErrors.unavailable();
      }
      if (decision.kind === 'ok') return { ok: true };
      if (decision.kind === 'short') return { ok: false, shortages: decision.shortages };
      throw inventoryErrors.reservationClosed();
    },

    commit: (orderId) => closeOrder(orderId, 'committed'),
    release: (orderId) => closeOrder(orderId, 'released'),

    async extend(orderId, expiresAt) {
      if (!isId(orderId)) return;
      await repo.extendReservations(db, orderId, expiresAt);
    },

    async listExpired(now, limit) {
      const found = await repo.expiredOrders(db, now, Math.max(1, Math.min(limit, 10_000)));
      return found.map((r) => ({ orderId: r.order_id, expiresAt: r.expires_at }));
    },

    async statuses(variantIds) {
      const counts = await service.availability(variantIds);
      return new Map(variantIds.map((id) => [id, statusOf(counts.get(id) ?? 0)]));
    },

    async availability(variantIds) {
      const valid = [...new Set(variantIds.filter((id) => isId(id)))];
      const byId = await availableMemo.getMany<number>(
        valid,
        async (missing) => new Map((await repo.readStock(db, missing)).map((r) => [r.variant_id, available(r)])),
      );
      // A variant nobody has stocked has none (not kept: its first stock must show at once).
      return new Map(variantIds.map((id) => [id, byId.get(id) ?? 0]));
    },

    async levels(variantIds) {
      const valid = [...new Set(variantIds.filter((id) => isId(id)))];
      const found = valid.length > 0 ? await repo.readStock(db, valid) : [];
      const byId = new Map(found.map((r) => [r.variant_id, toLevel(r)]));
      return valid.map((id) => byId.get(id) ?? emptyLevel(id));
    },

    async restock(variantId, quantity) {
      const [level] = await addStock([{ variantId, quantity }]);
      return level!;
    },

    restockMany: (lines) => addStock(lines),

    async setOnHand(variantId, onHand) {
      return setStock(variantId, onHand);
    },
    async findOversold() {
      return (await repo.oversold(db)).map(toLevel);
    },

    async sellerInventory(accountId, productId) {
      await catalog.assertProductOwner(productId, accountId);
      const product = await catalog.getProduct(productId);
      if (!product) throw inventoryErrors.productNotFound();
      const levels = new Map((await service.levels(product.variants.map((v) => v.id))).map((l) => [l.variantId, l]));
      return {
        productId,
        variants: product.variants.map((v) => {
          const level = levels.get(v.id) ?? emptyLevel(v.id);
          return { ...level, sku: v.sku, options: v.options, status: statusOf(level.available) };
        }),
      };
    },

    async restockOwned(actor, variantId, quantity) {
      checkCount(quantity, 1, MAX_RESTOCK, 'body.quantity');
      await catalog.assertVariantOwner(variantId, actor.accountId);
      const [level] = await addStock([{ variantId, quantity }], auditStock(actor, 'stock.restocked'));
      return level!;
    },

    async setOnHandOwned(actor, variantId, onHand) {
      checkCount(onHand, 0, MAX_ON_HAND, 'body.onHand');
      await catalog.assertVariantOwner(variantId, actor.accountId);
      return setStock(variantId, onHand, auditStock(actor, 'stock.set'));
    },

    pages: {
      async productStock(productId) {
        const key = cacheKeys.productStock(productId);
        const load = async (): Promise<CachedPage> => {
          const product = isId(productId) ? await catalog.getProduct(productId) : null;
          if (!product || product.status !== 'published') {
            return { ...prepare(null), expiresAt: Date.now() + STOCK_PAGE_TTL_MS };
          }
          if (variantProducts.size > MAX_REMEMBERED_VARIANTS) variantProducts.clear();
          for (const v of product.variants) variantProducts.set(v.id, productId);
          const statuses = await service.statuses(product.variants.map((v) => v.id));
          const variants = product.variants.map((v) => ({ variantId: v.id, status: statuses.get(v.id) ?? 'sold_out' }));
          return { ...prepare<ProductStock>({ productId, variants }), expiresAt: Date.now() + STOCK_PAGE_TTL_MS };
        };
        let page = await cache.getOrLoad<CachedPage>(key, [], load);
        if (page.expiresAt <= Date.now()) {
          await cache.invalidate({ keys: [key] });
          page = await cache.getOrLoad<CachedPage>(key, [], load);
        }
        return page;
      },
    },

    batchStats: () => ({ ...batcher.stats }),
    closeBatchStats: () => ({ ...closeBatcher.stats }),
  };
  return service;
}
