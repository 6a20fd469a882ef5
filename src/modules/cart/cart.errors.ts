import { DomainError } from '../../shared/errors.ts';
import { MAX_CART_LINES } from './cart.types.ts';

/** Every error the cart module raises. Fields name the input at fault as the HTTP body does. */
export const cartErrors = {
  variantNotFound: () => new DomainError('not_found', 'CART_VARIANT_NOT_FOUND', 'No such product variant', 'params.variantId'),
  variantUnavailable: () => new DomainError('unprocessable', 'CART_VARIANT_UNAVAILABLE', 'This product is not on sale', 'params.variantId'),
  full: () =>
    new DomainError('conflict', 'CART_FULL', `A cart holds at most ${MAX_CART_LINES} different items`, 'params.variantId', {
      maxLines: MAX_CART_LINES,
    }),
} as const;
