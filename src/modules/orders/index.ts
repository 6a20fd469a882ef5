// STUB: the orders engineer replaces the implementation, keeping these names.
import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { CartService } from '../cart/index.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { AuthGuards, IdentityService } from '../identity/index.ts';
import type { InventoryService } from '../inventory/index.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { PaymentsService } from '../payments/index.ts';

export type OrderStatus = 'pending_payment' | 'paid' | 'fulfilled' | 'shipped' | 'delivered' | 'payment_failed' | 'cancelled' | 'refunded';

export type OrdersService = Readonly<{
  /** The status of any order by id (routes by the id's shard), or null when it does not exist. */
  getOrderStatus(orderId: string): Promise<OrderStatus | null>;
}>;

export type OrdersSettings = Readonly<{
  reservationTtlSeconds: number;
  paymentDeadlineMinutes: number;
  idempotencyTtlHours: number;
  sweepIntervalSeconds: number;
  jobLockTimeoutSeconds: number;
}>;

export type OrdersModule = ModuleDefinition & Readonly<{ service: OrdersService }>;
export const ordersMigrations: ModuleMigrations = { module: 'orders' };

export function createOrders(_deps: {
  stores: Stores;
  events: EventBus;
  guards: AuthGuards;
  identity: IdentityService;
  catalog: CatalogService;
  inventory: InventoryService;
  cart: CartService;
  payments: PaymentsService;
  notifications: NotificationsService;
  settings: OrdersSettings;
  log: Logger;
}): OrdersModule {
  return {
    name: 'orders',
    migrations: ordersMigrations,
    service: {
      getOrderStatus: async () => {
        throw new Error('orders not built yet');
      },
    },
  };
}
