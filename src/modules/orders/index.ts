/**
 * The orders module: checkout (idempotent, prices from the catalog, stock reserved first), the
 * order state machine, payment collection as jobs, the seller index, and the sweeper that settles
 * whatever a crash or an outage left half done. Other modules use only what this file exports.
 */
import type { ModuleDefinition } from '../../platform/module.ts';
import { ordersMigrations } from './orders.migrations.ts';
import { ordersRoutes } from './orders.routes.ts';
import { createOrdersService } from './orders.service.ts';
import type { OrderStatus } from './orders.state.ts';
import type {
  CheckoutOptions,
  CheckoutOutcome,
  OrderSummary,
  OrderView,
  OrdersDeps,
  Page,
  SellerOrderSummary,
  SellerSubOrderView,
  ShippingAddress,
} from './orders.types.ts';

export type { OrderStatus } from './orders.state.ts';
export { LEGAL_MOVES, ORDER_STATUSES, transition, isTerminal } from './orders.state.ts';
export type {
  OrdersSettings,
  Page,
  SellerOrderSummary,
  SellerSubOrderView,
  OrderLineView,
  ShippingAddress,
  CheckoutOutcome,
  CheckoutOptions,
  CheckoutShortLine,
  OrderSummary,
  OrderView,
  SubOrderView,
} from './orders.types.ts';
export { IDEMPOTENCY_KEY_RE } from './orders.checkout.ts';
/** The shipping address the API takes, so a page's form is checked by the same rules. */
export { ShippingAddressSchema } from './orders.schemas.ts';
export type { AdmissionSettings } from './orders.admission.ts';
export { ordersMigrations };
export { ORDER_PAID_EVENT, type OrderPaidPayload } from './orders.payment.ts';

export type OrdersService = Readonly<{
  /** The status of any order by id (routes by the id's shard), or null when it does not exist. */
  getOrderStatus(orderId: string): Promise<OrderStatus | null>;
  /**
   * Checks out the account's cart (what POST /checkout without `lines` does, the same function):
   * idempotent by `idempotencyKey` (a repeat with the same key and address gets the first
   * outcome; with another address ORDERS_IDEMPOTENCY_KEY_REUSED). Malformed requests (empty cart,
   * mixed currencies, a total above the payment limit, a bad key) are thrown as DomainErrors.
   */
  placeOrder(
    customerId: string,
    idempotencyKey: string,
    shippingAddress: ShippingAddress,
    options?: CheckoutOptions,
  ): Promise<CheckoutOutcome>;
  /** One of the customer's orders with its sub-orders and lines; ORDERS_ORDER_NOT_FOUND for anyone else's. */
  getOrder(customerId: string, orderId: string): Promise<OrderView>;
  /** The customer's orders, newest first, a page at a time (keyset: pass the previous page's nextCursor). */
  listOrders(customerId: string, cursor: string | null, limit: number): Promise<Page<OrderSummary>>;
  /** One sweeper pass now (tests and operators); the worker runs it every SWEEP_INTERVAL_SECONDS. */
  sweep(now?: Date): Promise<{ reservations: number; overdue: number; unlocked: number; purged: number }>;
  /**
   * A seller's paid sub-orders from the per-seller index (in the seller's shard), newest first, a
   * page at a time: pass the previous page's nextCursor. What GET /seller/orders answers, and what
   * reporting's CSV export reads.
   */
  listSellerOrders(sellerId: string, cursor: string | null, limit: number): Promise<Page<SellerOrderSummary>>;
  /**
   * One of the seller's paid (or later) sub-orders with its lines and the shipping address: what
   * GET /seller/orders/:id answers, and what the CSV export writes for each sub-order listed.
   * ORDERS_SUB_ORDER_NOT_FOUND for anyone else's, or an unpaid one.
   */
  getSellerSubOrder(sellerId: string, subOrderId: string): Promise<SellerSubOrderView>;
}>;

export type OrdersModule = ModuleDefinition &
  Readonly<{
    service: OrdersService;
    /**
     * Enqueues the self-rescheduling sweeper job (`orders.sweep`, one pending at a time by job key).
     * The worker role calls it at start; calling it again is harmless.
     */
    scheduleSweeper(): Promise<void>;
  }>;

export function createOrders(deps: OrdersDeps): OrdersModule {
  const service = createOrdersService(deps);
  return {
    name: 'orders',
    migrations: ordersMigrations,
    routes: ordersRoutes({ service, guards: deps.guards }),
    tasks: service.tasks,
    service: {
      getOrderStatus: service.getOrderStatus,
      placeOrder: (customerId, idempotencyKey, shippingAddress, options) =>
        service.checkout(customerId, idempotencyKey, { shippingAddress }, options),
      getOrder: service.getOrder,
      listOrders: service.listOrders,
      sweep: service.sweep,
      listSellerOrders: service.listSellerOrders,
      getSellerSubOrder: service.getSellerSubOrder,
    },
    scheduleSweeper: () => service.scheduleSweep(0),
  };
}
