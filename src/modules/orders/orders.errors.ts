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
  illegalTransition: (reason: string) => new DomainError('conflict', 'ORDERS_ILLEGAL_TRANSITION', reason),
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
  badCursor: () => new DomainError('invalid', 'ORDERS_BAD_CURSOR', 'The cursor is not one this API gave out', 'querystring.cursor'),
};
