import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import type { EventBus } from '../../platform/events.ts';
import type { PublicCachePolicy } from '../../platform/http/cached-json.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { AuditRecorder } from '../audit/index.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import { inventoryMigrations } from './inventory.migrations.ts';
import { inventoryRoutes } from './inventory.routes.ts';
import { createInventoryService, type InventoryReads, type InventoryUseCases } from './inventory.service.ts';

/**
 * Inventory: stock per variant and reservations keyed by order id, in the catalog store. It is the
 * only writer of stock. Reservations go through a per-process group-commit batcher (see
 * platform/group-commit.ts); CHECK constraints make an oversell impossible even for a buggy caller.
 */
export { inventoryMigrations };
export { inventoryErrors } from './inventory.errors.ts';
export { FEW_LEFT, MAX_ON_HAND, MAX_RESTOCK, statusOf, type StockLowPayload } from './inventory.service.ts';

/** What the public sees of stock: never exact numbers (only a cart line asking for more than there is learns how many there are). */
export type StockStatus = 'in_stock' | 'few_left' | 'sold_out';

/** A published product's stock as the public sees it: one coarse status per variant, in the product's variant order. */
export type ProductStock = Readonly<{ productId: string; variants: ReadonlyArray<Readonly<{ variantId: string; status: StockStatus }>> }>;
export type { Prepared } from '../../platform/cache/prepared.ts';
export type { InventoryReads, InventoryUseCases };
export type { SellerVariantStock } from './inventory.service.ts';

export type StockLine = Readonly<{ variantId: string; quantity: number }>;

export type ReserveResult =
  Readonly<{ ok: true }> | Readonly<{ ok: false; shortages: ReadonlyArray<{ variantId: string; requested: number }> }>;

export type StockLevel = Readonly<{ variantId: string; onHand: number; reserved: number; sold: number; available: number }>;

export type ExpiredReservation = Readonly<{ orderId: string; expiresAt: Date }>;

/** `stock.low` carries StockLowPayload { variantId, available, threshold }. */
export { INVENTORY_EVENTS } from './inventory.events.ts';

export type InventoryService = Readonly<{
  /**
   * Reserves every line for the order, all or nothing, first come first served. Idempotent per
   * order id: an order that already holds its reservation gets ok without reserving twice.
   * Repeated variants are merged; a malformed or never-stocked variant is reported short.
   * Throws INVENTORY_INVALID_ORDER_ID / INVENTORY_INVALID_LINES / INVENTORY_INVALID_QUANTITY
   * (invalid) for a malformed call, INVENTORY_RESERVATION_CLOSED (conflict) for an order whose
   * reservation was already released, and INVENTORY_UNAVAILABLE (kind 'unavailable') when the
   * store cannot be reached or the batch failed: then nothing was reserved.
   */
  reserve(orderId: string, lines: ReadonlyArray<StockLine>, expiresAt: Date): Promise<ReserveResult>;
  /** Reserved -> sold for the order's reservations. Idempotent; a no-op for released ones. */
  commit(orderId: string): Promise<void>;
  /** Reserved -> released (stock back on sale). Idempotent; a no-op for committed ones. */
  release(orderId: string): Promise<void>;
  /** Pushes the expiry of an order's live reservations (its payment is still being collected); never shortens it. */
  extend(orderId: string, expiresAt: Date): Promise<void>;
  /** Orders with at least one reservation still 'reserved' past its expiry, oldest first. */
  listExpired(now: Date, limit: number): Promise<ReadonlyArray<ExpiredReservation>>;
  /**
   * One status per requested id; a variant never stocked (or a malformed id) is 'sold_out'. For
   * showing: a change made on another node shows here up to STATUS_MEMO_MS later.
   */
  statuses(variantIds: readonly string[]): Promise<ReadonlyMap<string, StockStatus>>;
  /**
   * Units on sale now (on hand less sold and reserved) per requested id, 0 for a variant never
   * stocked or a malformed id; as fresh as `statuses`, from the same reading. For telling a shopper
   * who asks for more than there is how many there are (the cart); never a promise: only a
   * reservation holds stock.
   */
  availability(variantIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** Exact numbers: for owners, tests and invariant checks. Zeros for a never-stocked variant; malformed ids left out. */
  levels(variantIds: readonly string[]): Promise<ReadonlyArray<StockLevel>>;
  /** Adds stock (a seller restocks, 1..100000); creates the row when the variant has none. */
  restock(variantId: string, quantity: number): Promise<StockLevel>;
  /**
   * restock for many variants in one transaction and few statements (the seeder: give every demo
   * variant stock). Repeated variants add up. Returns levels in first-appearance order.
   */
  restockMany(lines: ReadonlyArray<StockLine>): Promise<ReadonlyArray<StockLevel>>;
  /** Sets the on-hand count (0..10,000,000); refused (conflict INVENTORY_BELOW_COMMITTED) below sold + reserved. */
  setOnHand(variantId: string, onHand: number): Promise<StockLevel>;
  /** Every variant where sold + reserved > on_hand (must always be empty), for invariant checks. */
  findOversold(): Promise<ReadonlyArray<StockLevel>>;
}>;

export type InventoryModule = ModuleDefinition &
  Readonly<{
    /** The contract plus the seller's use cases (the pages call them as the routes do). */
    service: InventoryUseCases;
    /** The cached public reads the JSON routes present, for the storefront's pages: the same values, caches and versions. */
    reads: InventoryReads;
  }>;

export function createInventory(deps: {
  stores: Stores;
  cache: Cache;
  events: EventBus;
  /** Sellers' stock changes are audited in their transactions. */
  audit: AuditRecorder;
  guards: AuthGuards;
  catalog: CatalogService;
  httpCache: PublicCachePolicy;
  log: Logger;
}): InventoryModule {
  const useCases = createInventoryService({
    db: deps.stores.catalog.db,
    cache: deps.cache,
    events: deps.events,
    audit: deps.audit,
    catalog: deps.catalog,
    log: deps.log.child({ module: 'inventory' }),
  });
  return {
    name: 'inventory',
    migrations: inventoryMigrations,
    routes: inventoryRoutes({ inventory: useCases, guards: deps.guards, httpCache: deps.httpCache }),
    service: useCases,
    reads: useCases.pages,
  };
}
