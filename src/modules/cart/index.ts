// STUB: the cart engineer replaces the implementation, keeping these names and types.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import type { InventoryService } from '../inventory/index.ts';

export type CartLine = Readonly<{ variantId: string; quantity: number }>;

export const MAX_CART_LINES = 50;
export const MAX_LINE_QUANTITY = 50;

export type CartService = Readonly<{
  /** The customer's cart lines as stored (no prices: checkout prices them from the catalog). */
  lines(customerId: string): Promise<ReadonlyArray<CartLine>>;
  /**
   * Removes the given variants from the customer's cart, inside the caller's transaction on the
   * customer's shard (checkout empties what it bought atomically with writing the order).
   */
  removeLines(trx: Kysely<unknown>, customerId: string, variantIds: readonly string[]): Promise<void>;
}>;

export type CartModule = ModuleDefinition & Readonly<{ service: CartService }>;
export const cartMigrations: ModuleMigrations = { module: 'cart' };

export function createCart(_deps: {
  stores: Stores;
  guards: AuthGuards;
  catalog: CatalogService;
  inventory: InventoryService;
  cookieSecure: boolean;
  logicalShards: number;
  log: Logger;
}): CartModule {
  const notYet = async (): Promise<never> => {
    throw new Error('cart not built yet');
  };
  return { name: 'cart', migrations: cartMigrations, service: { lines: notYet, removeLines: notYet } };
}
