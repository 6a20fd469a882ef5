import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import type { RedisConnections } from '../../platform/redis/redis.ts';
import type { Money } from '../../shared/money.ts';
import type { AuditRecorder } from '../audit/index.ts';
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
  /** Group commit (orders.placement.ts): checkouts written in one transaction at most (1: off), and how long one waits for company. */
  groupMax: number;
  groupWindowMs: number;
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
  /** Every seller and operator change is recorded in its own transaction. */
  audit: AuditRecorder;
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

/** A line checkout could not sell: the variant and the quantity asked for. */
export type CheckoutShortLine = Readonly<{ variantId: string; requested: number }>;

/**
 * What a checkout came to: the order accepted (it is paid in the background), or refused for
 * lines out of stock or no longer for sale. These are stored under the Idempotency-Key and
 * replayed to a retry with the same key, even once stock is back (orders.checkout-record.ts).
 */
export type StoredCheckoutOutcome =
  | Readonly<{ kind: 'accepted'; order: Readonly<{ id: string; status: 'pending_payment'; total: Money }> }>
  | Readonly<{ kind: 'out_of_stock'; lines: readonly CheckoutShortLine[] }>
  | Readonly<{ kind: 'unavailable'; lines: readonly CheckoutShortLine[] }>;

/**
 * A checkout's outcome. Beside the stored ones, a place in the checkout line of a hot variant
 * (orders.admission.ts): nothing was done; send the same checkout with the same key again after
 * `retryAfterMs` to keep the place. Never stored. Malformed requests (empty cart, mixed currencies,
 * a reused key) are thrown as DomainErrors, not returned.
 */
export type CheckoutOutcome =
  | StoredCheckoutOutcome
  | Readonly<{
      kind: 'queued';
      place: Readonly<{ variantId: string; position: number; estimatedWaitSeconds: number; retryAfterMs: number }>;
    }>;

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

export type Page<T> = { items: T[]; nextCursor: string | null };
