import { DomainError } from '../../shared/errors.ts';
import { MAX_CART_LINES, MAX_LINE_QUANTITY } from './cart.types.ts';

/** Every error the cart module raises. Fields name the input at fault as the HTTP body does. */
export const cartErrors = {
  variantNotFound: () => new DomainError('not_found', 'CART_VARIANT_NOT_FOUND', 'No such product variant', 'params.variantId'),
  variantUnavailable: () => new DomainError('unprocessable', 'CART_VARIANT_UNAVAILABLE', 'This product is not on sale', 'params.variantId'),
  full: () =>
    new DomainError('conflict', 'CART_FULL', `A cart holds at most ${MAX_CART_LINES} different items`, 'params.variantId', {
      maxLines: MAX_CART_LINES,
    }),
  invalidQuantity: () =>
    new DomainError('invalid', 'CART_INVALID_QUANTITY', `Enter a quantity from 1 to ${MAX_LINE_QUANTITY}`, 'body.quantity', {
      maxQuantity: MAX_LINE_QUANTITY,
    }),
  /** Adding would take the line past MAX_LINE_QUANTITY: `inCart` says how many it already holds. */
  quantityLimit: (inCart: number) =>
    new DomainError(
      'conflict',
      'CART_QUANTITY_LIMIT',
      `You can have at most ${MAX_LINE_QUANTITY} of one item in your cart (you already have ${inCart})`,
      'body.quantity',
      { maxQuantity: MAX_LINE_QUANTITY, inCart },
    ),
  soldOut: () => new DomainError('conflict', 'CART_VARIANT_SOLD_OUT', 'Sorry, this item is sold out', 'params.variantId'),
} as const;
