import { DomainError } from '../../shared/errors.ts';

/** The inventory's coded errors. Kinds, not statuses: app/http-errors.ts maps them. */
export const inventoryErrors = {
  /** The answer checkout stores and returns when a line cannot be reserved (details.lines names them). */
  outOfStock: (lines: ReadonlyArray<{ variantId: string; requested: number }>) =>
    new DomainError('conflict', 'INVENTORY_OUT_OF_STOCK', 'Some items are no longer available in that quantity', undefined, {
      lines: lines.map((l) => ({ variantId: l.variantId, requested: l.requested })),
    }),
  invalidOrderId: () => new DomainError('invalid', 'INVENTORY_INVALID_ORDER_ID', 'An order id is a UUID', 'orderId'),
  invalidLines: (message: string, field = 'lines') => new DomainError('invalid', 'INVENTORY_INVALID_LINES', message, field),
  invalidQuantity: (field: string) =>
    new DomainError('invalid', 'INVENTORY_INVALID_QUANTITY', 'Quantities are whole numbers in the allowed range', field),
  variantNotFound: () => new DomainError('not_found', 'INVENTORY_VARIANT_NOT_FOUND', 'No such variant'),
  productNotFound: () => new DomainError('not_found', 'INVENTORY_PRODUCT_NOT_FOUND', 'No such product'),
  belowCommitted: (committed: number) =>
    new DomainError(
      'conflict',
      'INVENTORY_BELOW_COMMITTED',
      `On hand cannot go below the ${committed} units already sold or reserved`,
      'body.onHand',
      { committed },
    ),
  reservationClosed: () =>
    new DomainError('conflict', 'INVENTORY_RESERVATION_CLOSED', 'This order already had its reservation released; use a new order id'),
  unavailable: () => new DomainError('unavailable', 'INVENTORY_UNAVAILABLE', 'Stock cannot be reserved right now; try again shortly'),
};
