import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuthGuards } from '../identity/index.ts';
import { countStrictLimits } from '../../platform/http/rate-limit.ts';
import {
  CheckoutAccepted,
  CheckoutBody,
  CheckoutHeaders,
  ErrorResponse,
  OrderDetail,
  OrderList,
  OrderParams,
  PageQuery,
  StatusAnswer,
} from './orders.schemas.ts';
import type { OrdersInternal } from './orders.service.ts';
import { ordersErrors } from './orders.errors.ts';
import { recordOf } from './orders.checkout-record.ts';
import type { CheckoutOutcome } from './orders.types.ts';
import { jsonWithHeaders, RESPONSE_HEADERS } from '../../platform/http/schemas.ts';

/**
 * The JSON API's answer to a checkout outcome: 202 with the order and its statusUrl, 409 naming
 * the lines that cannot be sold, or 429 ORDERS_CHECKOUT_QUEUED with the buyer's place and
 * Retry-After. The stored outcomes are answered with the very text the first version stored
 * (orders.checkout-record.ts), so a replay of a key answered before this change, or by a process
 * still running the old code, is byte-identical to its first answer. 429 rather than 202 (that is
 * an accepted order) or 503 (the service is not failing, and 5xx would spend the checkout
 * availability budget during every flash sale).
 */
export function presentCheckout(outcome: CheckoutOutcome): { statusCode: number; body: string; retryAfterSeconds?: number } {
  if (outcome.kind === 'queued') {
    const err = ordersErrors.queued({ status: 'queued', ...outcome.place });
    return {
      statusCode: 429,
      body: JSON.stringify({ error: { code: err.code, message: err.message, details: err.details } }),
      // Retry-After takes whole seconds (at least 1, as HTTP wants).
      retryAfterSeconds: Math.max(1, Math.ceil(outcome.place.retryAfterMs / 1000)),
    };
  }
  const record = recordOf(outcome);
  return { statusCode: record.statusCode, body: record.response };
}

/** The error schema for each 4xx/5xx status a route can answer. */
function errors<C extends number>(...codes: C[]): Record<C, typeof ErrorResponse> {
  return Object.fromEntries(codes.map((c) => [c, ErrorResponse])) as Record<C, typeof ErrorResponse>;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  // A repeated header is ambiguous: treat it as no valid key rather than pick one.
  return typeof v === 'string' ? v : undefined;
}

/** Checkout, the customer's orders and the seller's sub-orders, under /api/v1. */
export function ordersRoutes(deps: { service: OrdersInternal; guards: AuthGuards }): FastifyPluginAsync {
  const { service, guards } = deps;
  return async (instance) => {
    const api = instance.withTypeProvider<TypeBoxTypeProvider>();

    api.post(
      '/checkout',
      {
        preHandler: guards.requireAccount,
        schema: {
          operationId: 'checkout',
          tags: ['orders'],
          summary: 'Place an order (idempotent by the Idempotency-Key header)',
          description:
            'Prices and totals come from the catalog; a client-sent price or total is ignored. Stock is reserved, the order is written as pending_payment and paid in the background. The same key with the same body returns the first answer byte for byte; with a different body, 422. When many buyers check out one variant at once, 429 ORDERS_CHECKOUT_QUEUED gives a place in line (details: position, estimatedWaitSeconds, retryAfterMs) and Retry-After: send the same request with the same key again then, to keep the place.',
          headers: CheckoutHeaders,
          body: CheckoutBody,
          response: {
            202: jsonWithHeaders(CheckoutAccepted, { Location: RESPONSE_HEADERS.location, 'Set-Cookie': RESPONSE_HEADERS.setCookie }),
            ...errors(400, 401, 409, 422, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const outcome = await service.checkout(request.account!.id, headerValue(request.headers['idempotency-key']), request.body, {
          countAttempt: () => countStrictLimits(request),
        });
        const answer = presentCheckout(outcome);
        if (answer.retryAfterSeconds !== undefined) void reply.header('retry-after', String(answer.retryAfterSeconds));
        if (answer.statusCode === 202) void reply.header('location', `/api/v1/orders/${(outcome as { order: { id: string } }).order.id}`);
        // Sent as text, not re-serialised by the response schema: a replay must be byte-identical
        // to the first answer (the typed reply wants an object; the text is that object's JSON).
        return reply
          .code(answer.statusCode as 202)
          .type('application/json; charset=utf-8')
          .send(answer.body as never);
      },
    );

    api.get(
      '/orders',
      {
        preHandler: guards.requireAccount,
        schema: {
          operationId: 'listMyOrders',
          tags: ['orders'],
          summary: 'My orders, newest first',
          querystring: PageQuery,
          response: { 200: OrderList, ...errors(400, 401) },
        },
      },
      async (request) => service.listOrders(request.account!.id, request.query.cursor ?? null, request.query.limit),
    );

    api.get(
      '/orders/:id',
      {
        preHandler: guards.requireAccount,
        schema: {
          operationId: 'getMyOrder',
          tags: ['orders'],
          summary: 'One of my orders',
          params: OrderParams,
          response: { 200: OrderDetail, ...errors(400, 401, 404) },
        },
      },
      async (request) => ({ order: await service.getOrder(request.account!.id, request.params.id) }),
    );

    api.post(
      '/orders/:id/cancel',
      {
        preHandler: guards.requireAccount,
        schema: {
          operationId: 'cancelMyOrder',
          tags: ['orders'],
          summary: 'Cancel one of my orders before it is paid (the stock goes back on sale)',
          params: OrderParams,
          response: { 200: StatusAnswer, ...errors(400, 401, 404, 409) },
        },
      },
      async (request) => ({ order: { id: request.params.id, status: await service.cancelOrder(request.account!.id, request.params.id) } }),
    );
  };
}
