import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {} from '@fastify/cookie';
import type { Static } from '@sinclair/typebox';
import { isId, newCustomerId, shardOfId } from '../../shared/ids.ts';
import type { AuthGuards } from '../identity/index.ts';
import * as s from './cart.schemas.ts';
import type { CartUseCases } from './cart.service.ts';
import { MAX_CART_LINES, MAX_LINE_QUANTITY, type CartOwner, type CartView } from './cart.types.ts';

/** The guest cart cookie: holds a guest cart id, minted like a customer id so it lives on a shard. */
export const CART_COOKIE = 'atelier_cart';
const GUEST_CART_DAYS = 30;

const tags = ['cart'];
const errors = { 400: s.ErrorResponse, 404: s.ErrorResponse, 409: s.ErrorResponse, 422: s.ErrorResponse };

/** The service's read-only view as the (mutable) response type. */
function asJson(view: CartView): Static<typeof s.CartSchema> {
  return {
    lines: view.lines.map((l) => ({ ...l, options: l.options ? { ...l.options } : null })),
    itemCount: view.itemCount,
    totals: view.totals.map((m) => ({ ...m })),
    limits: { ...view.limits },
  };
}

const EMPTY: CartView = { lines: [], itemCount: 0, totals: [], limits: { maxLines: MAX_CART_LINES, maxQuantity: MAX_LINE_QUANTITY } };

/**
 * Thin HTTP edge of the cart. The cart is always the caller's own (no cart id in any URL): the
 * signed-in account's, else the guest cart named by the cookie. A request that arrives signed in
 * AND with a guest cookie merges the guest cart into the account's and clears the cookie, so
 * log-in needs no change in identity.
 */
export function cartRoutes(deps: {
  cart: CartUseCases;
  guards: AuthGuards;
  cookieSecure: boolean;
  logicalShards: number;
}): FastifyPluginAsync {
  const { cart, guards, logicalShards } = deps;
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: deps.cookieSecure, path: '/' };

  /** A cookie that is not an id we could have minted (or names a shard that does not exist) is ignored. */
  function guestIdOf(request: FastifyRequest): string | null {
    const raw = request.cookies?.[CART_COOKIE];
    if (typeof raw !== 'string' || !isId(raw) || shardOfId(raw) >= logicalShards) return null;
    return raw;
  }

  /**
   * Whose cart this request works on. `create` mints a guest cart for an anonymous writer; its
   * cookie is set by `remember` only once the write succeeded, so a refused request sets nothing.
   */
  async function ownerOf(
    request: FastifyRequest,
    reply: FastifyReply,
    create: boolean,
  ): Promise<{ owner: CartOwner | null; fresh: boolean }> {
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
  }

  function remember(reply: FastifyReply, owner: CartOwner, fresh: boolean): void {
    if (fresh) reply.setCookie(CART_COOKIE, owner.id, { ...cookieOptions, maxAge: GUEST_CART_DAYS * 86_400 });
  }

  return async (app) => {
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    const pre = { preHandler: guards.optionalAccount };

    api.get(
      '/cart',
      {
        ...pre,
        schema: {
          tags,
          summary: 'Your cart, with current prices and stock; unbuyable lines are flagged, not dropped',
          response: { 200: s.CartSchema },
        },
      },
      async (request, reply) => {
        const { owner } = await ownerOf(request, reply, false);
        return asJson(owner ? await cart.view(owner) : EMPTY);
      },
    );

    api.put(
      '/cart/lines/:variantId',
      {
        ...pre,
        bodyLimit: 1024,
        schema: {
          tags,
          summary: 'Put a variant in your cart, or change its quantity',
          params: s.VariantParams,
          body: s.SetQuantityBody,
          response: { 200: s.CartSchema, ...errors },
        },
      },
      async (request, reply) => {
        const { owner, fresh } = await ownerOf(request, reply, true);
        const view = await cart.setQuantity(owner!, request.params.variantId, request.body.quantity);
        remember(reply, owner!, fresh);
        return asJson(view);
      },
    );

    api.delete(
      '/cart/lines/:variantId',
      {
        ...pre,
        schema: {
          tags,
          summary: 'Take a variant out of your cart (no error when it was not there)',
          params: s.VariantParams,
          response: { 200: s.CartSchema, 400: s.ErrorResponse },
        },
      },
      async (request, reply) => {
        const { owner } = await ownerOf(request, reply, false);
        if (!owner) return asJson(EMPTY);
        await cart.removeLine(owner, request.params.variantId);
        return asJson(await cart.view(owner));
      },
    );

    api.delete(
      '/cart',
      { ...pre, schema: { tags, summary: 'Empty your cart', response: { 204: s.NoContent } } },
      async (request, reply) => {
        const { owner } = await ownerOf(request, reply, false);
        if (owner) await cart.clear(owner);
        return reply.code(204).send(null);
      },
    );
  };
}
