import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { isId, newCustomerId, shardOfId } from '../../shared/ids.ts';
import type { CartUseCases } from './cart.service.ts';
import type { CartOwner } from './cart.types.ts';

/** The guest cart cookie: holds a guest cart id, minted like a customer id so it lives on a shard. */
export const CART_COOKIE = 'atelier_cart';
const GUEST_CART_DAYS = 30;

/** Whose cart a request works on; `fresh` when a guest cart was just minted (its cookie not yet set). */
export type OwnerOf = Readonly<{ owner: CartOwner | null; fresh: boolean }>;

export type CartOwners = Readonly<{
  /**
   * Whose cart this request works on: the signed-in account's, else the guest cart named by the
   * cookie. A request that arrives signed in AND with a guest cookie merges the guest cart into the
   * account's and clears the cookie, so log-in needs no change in identity. `create` mints a guest
   * cart for an anonymous writer; its cookie is set by `remember` only once the write succeeded, so
   * a refused request sets nothing. The request must have been through `guards.optionalAccount`.
   */
  ownerOf(request: FastifyRequest, reply: FastifyReply, create: boolean): Promise<OwnerOf>;
  /** Sets the cookie of a guest cart minted by `ownerOf` (after its first write succeeded). */
  remember(reply: FastifyReply, owned: OwnerOf): void;
  /** Whose cart, without writing anything (no merge, no cookie): the account's and the guest cart the cookie names. */
  peek(request: FastifyRequest): ReadonlyArray<CartOwner>;
}>;

/**
 * The cart's owner at the HTTP edge, shared by the JSON routes (cart.routes.ts) and the pages'
 * functions (cart.shopper.ts), so both treat the cookie and the merge the same way.
 */
export function cartOwners(deps: { cart: CartUseCases; cookieSecure: boolean; logicalShards: number }): CartOwners {
  const { cart, logicalShards } = deps;
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: deps.cookieSecure, path: '/' };

  /** A cookie that is not an id we could have minted (or names a shard that does not exist) is ignored. */
  function guestIdOf(request: FastifyRequest): string | null {
    const raw = request.cookies?.[CART_COOKIE];
    if (typeof raw !== 'string' || !isId(raw) || shardOfId(raw) >= logicalShards) return null;
    return raw;
  }

  return {
    async ownerOf(request, reply, create) {
      const guestId = guestIdOf(request);
      if (request.account) {
        if (request.cookies?.[CART_COOKIE] !== undefined) {
          if (guestId) await cart.mergeGuest(guestId, request.account.id);
          reply.clearCookie(CART_COOKIE, cookieOptions);
        }
        return { owner: { id: request.account.id, kind: 'account' }, fresh: false };
      }
      if (guestId) return { owner: { id: guestId, kind: 'guest' }, fresh: false };
      if (!create) return { owner: null, fresh: false };
      return { owner: { id: newCustomerId(logicalShards), kind: 'guest' }, fresh: true };
    },

    remember(reply, owned) {
      if (owned.fresh && owned.owner) reply.setCookie(CART_COOKIE, owned.owner.id, { ...cookieOptions, maxAge: GUEST_CART_DAYS * 86_400 });
    },

    peek(request) {
      const guestId = guestIdOf(request);
      const owners: CartOwner[] = [];
      if (request.account) owners.push({ id: request.account.id, kind: 'account' });
      if (guestId) owners.push({ id: guestId, kind: 'guest' });
      return owners;
    },
  };
}
