import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { RedisConnections } from '../../platform/redis/redis.ts';
import type { Money } from '../../shared/money.ts';
import type { CartService } from '../cart/index.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { AuthGuards, IdentityService } from '../identity/index.ts';
import type { InventoryService } from '../inventory/index.ts';
import type { NotificationsService } from '../notifications/index.ts';
import type { PaymentsService } from '../payments/index.ts';
import type { AdmissionSettings } from './orders.admission.ts';
import type { OrderStatus } from './orders.state.ts';

export type OrdersSettings = Readonly<{
  reservationTtlSeconds: number;
  paymentDeadlineMinutes: number;
  idempotencyTtlHours: number;
  sweepIntervalSeconds: number;
  jobLockTimeoutSeconds: number;
  /** The checkout line of hot variants (orders.admission.ts). */
  admission: AdmissionSettings;
}>;

export type OrdersDeps = Readonly<{
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
  /** Shares the checkout line between API processes when REDIS_URL is set. */
  redis: RedisConnections | null;
  log: Logger;
}>;

export type ShippingAddress = Readonly<{
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  country: string;
}>;

export type CheckoutInput = Readonly<{
  lines?: ReadonlyArray<{ variantId: string; quantity: number; price?: unknown }>;
  shippingAddress: ShippingAddress;
  total?: unknown;
}>;

/** How the edge takes part in a checkout. */
export type CheckoutOptions = Readonly<{
  /**
   * Called once, when the checkout knows the request is new work and not an idempotent replay of
   * a stored answer (the key is claimed in the shard transaction, or the request is refused with
   * no answer stored). The strict checkout rate limit counts here, so a retry of an answered key
   * costs nothing; it throws to refuse, and a claim it refuses is rolled back with its transaction.
   */
  countAttempt?: () => Promise<void>;
}>;

/**
 * The answer to a checkout, exactly as first sent: replays return these bytes. A place in the
 * checkout line (429) is never stored, and says when to come back (the Retry-After header).
 */
export type CheckoutAnswer = Readonly<{ statusCode: number; body: string; retryAfterSeconds?: number }>;

export type OrderLineView = {
  variantId: string;
  productId: string;
  title: string;
  sku: string;
  options: Record<string, string>;
  unitPrice: Money;
  quantity: number;
};

export type SubOrderView = {
  id: string;
  shopId: string;
  shopName: string;
  status: OrderStatus;
  total: Money;
  lines: OrderLineView[];
};

export type OrderView = {
  id: string;
  status: OrderStatus;
  total: Money;
  shippingAddress: ShippingAddress;
  paymentDeadline: string;
  createdAt: string;
  updatedAt: string;
  subOrders: SubOrderView[];
};

export type OrderSummary = { id: string; status: OrderStatus; total: Money; createdAt: string };

export type SellerOrderSummary = { subOrderId: string; orderId: string; status: OrderStatus; total: Money; placedAt: string };

export type SellerSubOrderView = {
  id: string;
  orderId: string;
  status: OrderStatus;
  total: Money;
  shippingAddress: ShippingAddress;
  placedAt: string;
  lines: OrderLineView[];
};

export type Page<T> = { items: T[]; nextCursor: string | null };
