import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CartOwners } from './cart.owner.ts';
import type { CartUseCases } from './cart.service.ts';
import { EMPTY_CART, type CartView } from './cart.types.ts';

/**
 * The visitor's cart for the storefront's pages, without calling the API over HTTP: the same
 * owner rules and guest cookie as the JSON routes (cart.owner.ts), so a page and the API always
 * work on the same cart. This is the module's HTTP edge, like its routes: it takes the request
 * (which must have been through `guards.optionalAccount`) and the reply (for the guest cookie).
 * Refusals are DomainErrors with codes (CART_INVALID_QUANTITY, CART_VARIANT_NOT_FOUND,
 * CART_VARIANT_UNAVAILABLE, CART_VARIANT_SOLD_OUT, CART_QUANTITY_LIMIT, CART_FULL) whose messages
 * are written for shoppers: pages show them as they are.
 */
export type CartShopper = Readonly<{
  /** The cart with current prices and stock; unbuyable lines flagged (`reason`, `availableQuantity`), not dropped. */
  view(request: FastifyRequest, reply: FastifyReply): Promise<CartView>;
  /** Puts `quantity` (1..MAX_LINE_QUANTITY) more of a variant in the cart; refuses a sold-out variant. Starts a guest cart (cookie) when needed. */
  add(request: FastifyRequest, reply: FastifyReply, variantId: string, quantity: number): Promise<CartView>;
  /** Sets a line's quantity (1..MAX_LINE_QUANTITY), adding the line when absent, like `PUT /cart/lines/:variantId`. */
  setQuantity(request: FastifyRequest, reply: FastifyReply, variantId: string, quantity: number): Promise<CartView>;
  /** Takes a variant out (no error when it was not there). The page redirects after, so no view is built. */
  remove(request: FastifyRequest, reply: FastifyReply, variantId: string): Promise<void>;
  /**
   * Units in the cart, for the header. Writes nothing (no merge, no cookie): a signed-in visitor
   * who still holds a guest cookie sees both carts' units, which is what the merge on their next
   * cart request leaves (bar the per-line cap).
   */
  count(request: FastifyRequest): Promise<number>;
}>;

export function cartShopper(deps: { cart: CartUseCases; owners: CartOwners }): CartShopper {
  const { cart, owners } = deps;
  return {
    async view(request, reply) {
      const { owner } = await owners.ownerOf(request, reply, false);
      return owner ? cart.view(owner) : EMPTY_CART;
    },
    async add(request, reply, variantId, quantity) {
      const owned = await owners.ownerOf(request, reply, true);
      const view = await cart.add(owned.owner!, variantId, quantity);
      owners.remember(reply, owned);
      return view;
    },
    async setQuantity(request, reply, variantId, quantity) {
      const owned = await owners.ownerOf(request, reply, true);
      const view = await cart.setQuantity(owned.owner!, variantId, quantity);
      owners.remember(reply, owned);
      return view;
    },
    async remove(request, reply, variantId) {
      const { owner } = await owners.ownerOf(request, reply, false);
      if (owner) await cart.removeLine(owner, variantId);
    },
    async count(request) {
      const counts = await Promise.all(owners.peek(request).map((o) => cart.count(o)));
      return counts.reduce((a, b) => a + b, 0);
    },
  };
}
