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
  ShippingAddress,
} from './orders.types.ts';
import { createFulfilment, type OrderRefundInput } from './fulfilment/service.ts';
import { fulfilmentRoutes } from './fulfilment/routes.ts';
import type { MoveInput, MovedSubOrder } from './fulfilment/moves.ts';
import type { RefundInput, RefundOutcome } from './fulfilment/refunds.ts';
import type {
  OperatorOrderQuery,
  OperatorOrderSummary,
  OperatorOrderView,
  PackingSlip,
  SellerOrderFilter,
  SellerSubOrderView,
} from './fulfilment/reads.ts';
import type { AuditActor } from '../audit/index.ts';

export type { OrderStatus } from './orders.state.ts';
export { LEGAL_MOVES, ORDER_STATUSES, transition, isTerminal } from './orders.state.ts';
export type {
  OrdersSettings,
  Page,
  SellerOrderSummary,
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
export type { MoveInput, MovedSubOrder, Shipment } from './fulfilment/moves.ts';
export type { RefundInput, RefundOutcome, RefundView } from './fulfilment/refunds.ts';
export type { OrderRefundInput } from './fulfilment/service.ts';
export type {
  OperatorOrderQuery,
  OperatorOrderSummary,
  OperatorOrderView,
  PackingSlip,
  SellerLineView,
  SellerOrderFilter,
  SellerSubOrderView,
  ShipmentView,
} from './fulfilment/reads.ts';
export { KNOWN_CARRIERS } from './fulfilment/carriers.ts';
/** A shipment's field limits as the API checks them, so the studio's ship form holds to the same. */
export { SHIPMENT_FIELDS } from './fulfilment/schemas.ts';

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
  /** Checkout groups written so far and the checkouts they carried, per shard database (tests and the benchmark). */
  groupStats(): ReadonlyMap<string, Readonly<{ batches: number; calls: number; largestBatch: number }>>;
  /** One sweeper pass now (tests and operators); the worker runs it every SWEEP_INTERVAL_SECONDS. */
  sweep(now?: Date): Promise<{ reservations: number; overdue: number; unlocked: number; purged: number; refunds: number }>;
  /**
   * A seller's paid sub-orders from the per-seller index (in the seller's shard), newest first, a
   * page at a time (pass the previous page's nextCursor), narrowed by status and date placed: what
   * GET /seller/orders answers, and what reporting's CSV export reads.
   */
  listSellerOrders(sellerId: string, cursor: string | null, limit: number, filter?: SellerOrderFilter): Promise<Page<SellerOrderSummary>>;
  /**
   * One of the seller's paid (or later) sub-orders with its lines, the shipping address, the
   * shipment and the refunds: what GET /seller/orders/:id answers, and what the CSV export writes
   * for each sub-order listed. ORDERS_SUB_ORDER_NOT_FOUND for anyone else's, or an unpaid one.
   */
  getSellerSubOrder(sellerId: string, subOrderId: string): Promise<SellerSubOrderView>;
  /**
   * A seller's move of their sub-order (fulfilled, shipped with carrier and tracking, delivered):
   * ORDERS_ILLEGAL_TRANSITION for a move the state machine does not allow. Emails the buyer on
   * shipping and delivery; audited as `actor`.
   */
  moveSubOrder(actor: AuditActor, sellerId: string, subOrderId: string, input: MoveInput): Promise<MovedSubOrder>;
  /**
   * A seller's refund of their sub-order: in full, an amount, or chosen lines; idempotent by key;
   * never more than was paid less what was refunded, however many run at once. Emails the buyer.
   */
  refundSubOrder(actor: AuditActor, sellerId: string, subOrderId: string, input: RefundInput): Promise<RefundOutcome>;
  /** What goes into the parcel and where to (no prices), for one of the seller's sub-orders. */
  packingSlip(sellerId: string, subOrderId: string): Promise<PackingSlip>;
  /** The operator's search of every order: by id or reference, buyer's email, shop and status. */
  searchOrders(query: OperatorOrderQuery, cursor: string | null, limit: number): Promise<Page<OperatorOrderSummary>>;
  /** Any order with its buyer, sub-orders, shipments and refunds (ORDERS_ORDER_NOT_FOUND when there is none). */
  getOrderForOperator(orderId: string): Promise<OperatorOrderView>;
  /** The operator's refund of any order, fully or partly: the seller's refund, as an operator. */
  refundOrder(actor: AuditActor, orderId: string, input: OrderRefundInput): Promise<RefundOutcome[]>;
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
  const fulfilment = createFulfilment(deps);
  const customerRoutes = ordersRoutes({ service, guards: deps.guards });
  const workRoutes = fulfilmentRoutes({ fulfilment, guards: deps.guards });
  return {
    name: 'orders',
    migrations: ordersMigrations,
    routes: async (instance, opts) => {
      await customerRoutes(instance, opts);
      await workRoutes(instance, opts);
    },
    tasks: service.tasks,
    service: {
      getOrderStatus: service.getOrderStatus,
      placeOrder: (customerId, idempotencyKey, shippingAddress, options) =>
        service.checkout(customerId, idempotencyKey, { shippingAddress }, options),
      getOrder: service.getOrder,
      listOrders: service.listOrders,
      sweep: service.sweep,
      groupStats: service.groupStats,
      ...fulfilment,
    },
    scheduleSweeper: () => service.scheduleSweep(0),
  };
}
