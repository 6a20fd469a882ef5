import { DomainError } from '../../shared/errors.ts';

/** The orders module's error catalogue: stable codes, kinds (never HTTP statuses). */
export const ordersErrors = {
  idempotencyKeyRequired: () =>
    new DomainError(
      'invalid',
      'ORDERS_IDEMPOTENCY_KEY_REQUIRED',
      'Send an Idempotency-Key header: 1 to 100 characters of A-Z a-z 0-9 _ . : -',
      'headers.idempotency-key',
    ),
  idempotencyKeyReused: () =>
    new DomainError('unprocessable', 'ORDERS_IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request'),
  duplicateLine: (index: number) =>
    new DomainError('invalid', 'ORDERS_DUPLICATE_LINE', 'Each variant may appear in one line only', `body.lines[${index}].variantId`),
  cartEmpty: () => new DomainError('unprocessable', 'ORDERS_CART_EMPTY', 'The cart is empty: nothing to check out'),
  mixedCurrencies: () =>
    new DomainError('unprocessable', 'ORDERS_MIXED_CURRENCIES', 'The lines are priced in different currencies; check them out separately'),
  /** The provider would refuse the charge (payments' MAX_CHARGE_AMOUNT): refused before any stock is held. */
  totalAboveLimit: (total: number, limit: number, currency: string) =>
    new DomainError(
      'unprocessable',
      'ORDERS_TOTAL_ABOVE_PAYMENT_LIMIT',
      `The order total is above the largest payment accepted, ${limit} minor units of ${currency}: split it into smaller orders`,
      'lines',
      { total, limit, currency },
    ),
  notFound: () => new DomainError('not_found', 'ORDERS_ORDER_NOT_FOUND', 'No such order'),
  subOrderNotFound: () => new DomainError('not_found', 'ORDERS_SUB_ORDER_NOT_FOUND', 'No such order'),
  illegalTransition: (reason: string, details?: { from: string; to: string }) =>
    new DomainError('conflict', 'ORDERS_ILLEGAL_TRANSITION', reason, undefined, details),
  shipmentOnlyWhenShipping: (field: string) =>
    new DomainError(
      'invalid',
      'ORDERS_SHIPMENT_ONLY_WHEN_SHIPPING',
      'A carrier, tracking number or link goes with "to": "shipped" only',
      field,
    ),
  carrierRequired: () =>
    new DomainError('invalid', 'ORDERS_CARRIER_REQUIRED', 'Name the carrier of a tracking number or link', 'body.carrier'),
  refundAmountOrLines: () =>
    new DomainError(
      'invalid',
      'ORDERS_REFUND_AMOUNT_OR_LINES',
      'Refund either an amount or chosen lines, not both (neither refunds what is left in full)',
      'body.lines',
    ),
  refundLineUnknown: (index: number) =>
    new DomainError('invalid', 'ORDERS_REFUND_LINE_UNKNOWN', 'This variant is not a line of the order', `body.lines[${index}].variantId`),
  refundQuantityExceeded: (index: number, refundable: number) =>
    new DomainError(
      'conflict',
      'ORDERS_REFUND_QUANTITY_EXCEEDED',
      `Only ${refundable} of this line are left to refund`,
      `body.lines[${index}].quantity`,
      { refundable },
    ),
  refundExceedsPaid: (requested: number, refundable: number, currency: string) =>
    new DomainError(
      'conflict',
      'ORDERS_REFUND_EXCEEDS_PAID',
      `A refund of ${requested} would pass what was paid: ${refundable} minor units of ${currency} are left to refund`,
      'body.amount',
      { requested, refundable, currency },
    ),
  subOrderRequired: () =>
    new DomainError(
      'invalid',
      'ORDERS_SUB_ORDER_REQUIRED',
      'The order has several shops: name the sub-order to refund an amount of',
      'body.subOrderId',
    ),
  nothingToRefund: () => new DomainError('conflict', 'ORDERS_NOTHING_TO_REFUND', 'Everything paid for this order was already refunded'),
  refundFailed: (reason: string) =>
    new DomainError('conflict', 'ORDERS_REFUND_DECLINED', `The payment provider refused the refund: ${reason}`),
  providerUnavailable: () =>
    new DomainError('unavailable', 'ORDERS_PAYMENT_PROVIDER_UNAVAILABLE', 'The payment provider cannot be reached; try again shortly'),
  /** Not an error of the buyer's: a place in the checkout line of a hot variant (answered 429 with Retry-After). */
  queued: (details: Record<string, unknown>) =>
    new DomainError(
      'rate_limited',
      'ORDERS_CHECKOUT_QUEUED',
      'Many buyers want this right now: you have a place in line. Send the same request, with the same Idempotency-Key, after Retry-After',
      undefined,
      details,
    ),
  badDate: (field: string) => new DomainError('invalid', 'ORDERS_BAD_DATE', 'Give a date-time such as 2026-12-07T00:00:00Z', field),
  badOrderQuery: () =>
    new DomainError('invalid', 'ORDERS_BAD_ORDER_QUERY', 'Give an order id or its 8-character reference', 'querystring.order'),
  badCursor: () => new DomainError('invalid', 'ORDERS_BAD_CURSOR', 'The cursor is not one this API gave out', 'querystring.cursor'),
};
