import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { AuthGuards } from '../identity/index.ts';
import type { CartOwners } from './cart.owner.ts';
import * as s from './cart.schemas.ts';
import type { CartUseCases } from './cart.service.ts';
import { EMPTY_CART, type CartView } from './cart.types.ts';
import { jsonWithHeaders, RESPONSE_HEADERS } from '../../platform/http/schemas.ts';

export { CART_COOKIE } from './cart.owner.ts';

const tags = ['cart'];
const errors = { 400: s.ErrorResponse, 404: s.ErrorResponse, 409: s.ErrorResponse, 422: s.ErrorResponse };

/** The service's read-only view as the (mutable) response type. */
export function asJson(view: CartView): Static<typeof s.CartSchema> {
  return {
    lines: view.lines.map((l) => ({ ...l, options: l.options ? { ...l.options } : null })),
    itemCount: view.itemCount,
    totals: view.totals.map((m) => ({ ...m })),
    limits: { ...view.limits },
  };
}

/**
 * Thin HTTP edge of the cart. The cart is always the caller's own (no cart id in any URL): the
 * signed-in account's, else the guest cart named by the cookie. A request that arrives signed in
 * AND with a guest cookie merges the guest cart into the account's and clears the cookie, so
 * log-in needs no change in identity.
 */
export function cartRoutes(deps: { cart: CartUseCases; guards: AuthGuards; owners: CartOwners }): FastifyPluginAsync {
  const { cart, guards, owners } = deps;
  const ownerOf = owners.ownerOf;

  return async (app) => {
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    const pre = { preHandler: guards.optionalAccount };

    api.get(
      '/cart',
      {
        ...pre,
        schema: {
          operationId: 'getCart',
          tags,
          summary: 'Your cart, with current prices and stock; unbuyable lines are flagged, not dropped',
          response: { 200: jsonWithHeaders(s.CartSchema, { 'Set-Cookie': RESPONSE_HEADERS.setCookie }) },
        },
      },
      async (request, reply) => {
        const { owner } = await ownerOf(request, reply, false);
        return asJson(owner ? await cart.view(owner) : EMPTY_CART);
      },
    );

    api.put(
      '/cart/lines/:variantId',
      {
        ...pre,
        bodyLimit: 1024,
        schema: {
          operationId: 'setCartLine',
          tags,
          summary: 'Put a variant in your cart, or change its quantity',
          params: s.VariantParams,
          body: s.SetQuantityBody,
          response: { 200: jsonWithHeaders(s.CartSchema, { 'Set-Cookie': RESPONSE_HEADERS.setCookie }), ...errors },
        },
      },
      async (request, reply) => {
        const owned = await ownerOf(request, reply, true);
        const view = await cart.setQuantity(owned.owner!, request.params.variantId, request.body.quantity);
        owners.remember(reply, owned);
        return asJson(view);
      },
    );

    api.delete(
      '/cart/lines/:variantId',
      {
        ...pre,
        schema: {
          operationId: 'removeCartLine',
          tags,
          summary: 'Take a variant out of your cart (no error when it was not there)',
          params: s.VariantParams,
          response: { 200: jsonWithHeaders(s.CartSchema, { 'Set-Cookie': RESPONSE_HEADERS.setCookie }), 400: s.ErrorResponse },
        },
      },
      async (request, reply) => {
        const { owner } = await ownerOf(request, reply, false);
        if (!owner) return asJson(EMPTY_CART);
        await cart.removeLine(owner, request.params.variantId);
        return asJson(await cart.view(owner));
      },
    );

    api.delete(
      '/cart',
      {
        ...pre,
        schema: {
          operationId: 'clearCart',
          tags,
          summary: 'Empty your cart',
          response: { 204: { description: 'Emptied', headers: { 'Set-Cookie': RESPONSE_HEADERS.setCookie } } },
        },
      },
      async (request, reply) => {
        const { owner } = await ownerOf(request, reply, false);
        if (owner) await cart.clear(owner);
        return reply.code(204).send(null);
      },
    );
  };
}
