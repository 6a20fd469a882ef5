/**
 * The cart module: a shopper's cart lines in the owner's shard, priced live from the catalog with
 * coarse stock from inventory. Guests get a cart through a cookie; it merges into the account's
 * cart on the first cart request after signing in. Checkout (orders) reads `lines` and empties
 * what it bought in the statement that writes the order, with `removeLinesSql`.
 */
import type { RawBuilder } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import type { InventoryService } from '../inventory/index.ts';
import { cartMigrations } from './cart.migrations.ts';
import { cartOwners } from './cart.owner.ts';
import { cartRoutes } from './cart.routes.ts';
import { cartShopper, type CartShopper } from './cart.shopper.ts';
import { createCartService } from './cart.service.ts';
import type { CartLine } from './cart.types.ts';

export {
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  EMPTY_CART,
  type CartLine,
  type CartLineView,
  type CartView,
  type UnavailableReason,
} from './cart.types.ts';
export { CART_COOKIE } from './cart.owner.ts';
export type { CartShopper };
export { CART_EVENTS, type CartStartedPayload } from './cart.events.ts';
export { cartMigrations };

export type CartService = Readonly<{
  /** The customer's cart lines as stored (no prices: checkout prices them from the catalog). */
  lines(customerId: string): Promise<ReadonlyArray<CartLine>>;
  /**
   * Removes the given variants from the customer's cart, as an SQL fragment (a `delete` on the
   * customer's shard) for the caller to run in its own transaction, or as a data-modifying CTE of
   * its own statement: checkout empties what it bought in the statement that writes the order.
   */
  removeLinesSql(customerId: string, variantIds: readonly string[]): RawBuilder<unknown>;
}>;

export type CartModule = ModuleDefinition &
  Readonly<{
    service: CartService;
    /** The visitor's cart for the storefront's pages (request and reply in, values out): see cart.shopper.ts. */
    shopper: CartShopper;
  }>;

export function createCart(deps: {
  stores: Stores;
  guards: AuthGuards;
  catalog: CatalogService;
  inventory: InventoryService;
  /** cart.started is published through it (see cart.events.ts). */
  events: EventBus;
  cookieSecure: boolean;
  logicalShards: number;
  log: Logger;
}): CartModule {
  const useCases = createCartService({
    stores: deps.stores,
    catalog: deps.catalog,
    inventory: deps.inventory,
    events: deps.events,
    log: deps.log.child({ module: 'cart' }),
  });
  const owners = cartOwners({ cart: useCases, cookieSecure: deps.cookieSecure, logicalShards: deps.logicalShards });
  return {
    name: 'cart',
    migrations: cartMigrations,
    routes: cartRoutes({ cart: useCases, guards: deps.guards, owners }),
    service: { lines: useCases.lines, removeLinesSql: useCases.removeLinesSql },
    shopper: cartShopper({ cart: useCases, owners }),
  };
}
