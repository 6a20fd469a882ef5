// STUB: the inventory engineer replaces the implementation, keeping these names and types.
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import type { EventBus } from '../../platform/events.ts';
import type { PublicCachePolicy } from '../../platform/http/cached-json.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { AuthGuards } from '../identity/index.ts';

/** What the public sees: never exact numbers. */
export type StockStatus = 'in_stock' | 'few_left' | 'sold_out';

export type StockLine = Readonly<{ variantId: string; quantity: number }>;

export type ReserveResult =
  Readonly<{ ok: true }> | Readonly<{ ok: false; shortages: ReadonlyArray<{ variantId: string; requested: number }> }>;

export type StockLevel = Readonly<{ variantId: string; onHand: number; reserved: number; sold: number; available: number }>;

export type ExpiredReservation = Readonly<{ orderId: string; expiresAt: Date }>;

export const INVENTORY_EVENTS = { stockLow: 'stock.low' } as const;

export type InventoryService = Readonly<{
  /**
   * Reserves every line for the order, all or nothing, first come first served. Idempotent per
   * order id: an order that already holds its reservation gets ok without reserving twice.
   * Throws a DomainError of kind 'unavailable' when the store cannot be reached.
   */
  reserve(orderId: string, lines: ReadonlyArray<StockLine>, expiresAt: Date): Promise<ReserveResult>;
  /** Reserved -> sold for the order's reservations. Idempotent; a no-op for released ones. */
  commit(orderId: string): Promise<void>;
  /** Reserved -> released (stock back on sale). Idempotent; a no-op for committed ones. */
  release(orderId: string): Promise<void>;
  /** Pushes the expiry of an order's live reservations (its payment is still being collected). */
  extend(orderId: string, expiresAt: Date): Promise<void>;
  /** Orders with at least one reservation still 'reserved' past its expiry, oldest first. */
  listExpired(now: Date, limit: number): Promise<ReadonlyArray<ExpiredReservation>>;
  statuses(variantIds: readonly string[]): Promise<ReadonlyMap<string, StockStatus>>;
  /** Exact numbers: for owners, tests and invariant checks. */
  levels(variantIds: readonly string[]): Promise<ReadonlyArray<StockLevel>>;
  /** Adds stock (a seller restocks); creates the row when the variant has none. */
  restock(variantId: string, quantity: number): Promise<StockLevel>;
  /** Sets the on-hand count; refused (conflict) below sold + reserved. */
  setOnHand(variantId: string, onHand: number): Promise<StockLevel>;
  /** Every variant where sold + reserved > on_hand (must always be empty), for invariant checks. */
  findOversold(): Promise<ReadonlyArray<StockLevel>>;
}>;

export type InventoryModule = ModuleDefinition & Readonly<{ service: InventoryService }>;
export const inventoryMigrations: ModuleMigrations = { module: 'inventory' };

export function createInventory(_deps: {
  stores: Stores;
  cache: Cache;
  events: EventBus;
  guards: AuthGuards;
  catalog: CatalogService;
  httpCache: PublicCachePolicy;
  log: Logger;
}): InventoryModule {
  const notYet = async (): Promise<never> => {
    throw new Error('inventory not built yet');
  };
  return {
    name: 'inventory',
    migrations: inventoryMigrations,
    service: {
      reserve: notYet,
      commit: notYet,
      release: notYet,
      extend: notYet,
      listExpired: notYet,
      statuses: notYet,
      levels: notYet,
      restock: notYet,
      setOnHand: notYet,
      findOversold: notYet,
    },
  };
}
