import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { auditActorOf } from '../../audit/index.ts';
import type { AuthGuards } from '../../identity/index.ts';
import {
  AdvanceBody,
  ErrorResponse,
  MovedAnswer,
  OperatorOrder,
  OperatorOrderList,
  OperatorOrderQuery,
  OrderParams,
  OrderRefundAnswer,
  OrderRefundBody,
  PackingSlipAnswer,
  RefundAnswer,
  RefundBody,
  RefundHeaders,
  SellerOrderList,
  SellerOrderQuery,
  SellerSubOrder,
  SubOrderParams,
} from './schemas.ts';
import type { Fulfilment } from './service.ts';

const conflict = { 409: ErrorResponse } as const;
/** A body that may be left out: Fastify validates a missing body as null. */
const optionalBody = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const keyOf = (v: string | string[] | undefined) => (typeof v === 'string' ? v : null);

/** The seller's sub-orders and the operator's orders, under /api/v1: thin, each a call of the service. */
export function fulfilmentRoutes(deps: { fulfilment: Fulfilment; guards: AuthGuards }): FastifyPluginAsync {
  const { fulfilment: f, guards } = deps;
  const seller = guards.requireRole('seller');
  const admin = guards.requireRole('admin');
  return async (instance) => {
    const api = instance.withTypeProvider<TypeBoxTypeProvider>();

    api.get(
      '/seller/orders',
      {
        preHandler: seller,
        schema: {
          operationId: 'listShopOrders',
          tags: ['orders'],
          summary: 'My paid sub-orders as a seller, newest first, by status and date placed',
          querystring: SellerOrderQuery,
          response: { 200: SellerOrderList },
        },
      },
      async (request) => {
        const { cursor, limit, ...filter } = request.query;
        return f.listSellerOrders(request.account!.id, cursor ?? null, limit, filter);
      },
    );

    api.get(
      '/seller/orders/:subOrderId',
      {
        preHandler: seller,
        schema: {
          operationId: 'getShopOrder',
          tags: ['orders'],
          summary: 'One of my sub-orders: address, lines, shipment and refunds',
          params: SubOrderParams,
          response: { 200: SellerSubOrder },
        },
      },
      async (request) => ({ subOrder: await f.getSellerSubOrder(request.account!.id, request.params.subOrderId) }),
    );

    api.get(
      '/seller/orders/:subOrderId/packing-slip',
      {
        preHandler: seller,
        schema: {
          operationId: 'getShopOrderPackingSlip',
          tags: ['orders'],
          summary: 'The packing slip of one of my sub-orders: address and what goes in the parcel, no prices',
          params: SubOrderParams,
          response: { 200: PackingSlipAnswer },
        },
      },
      async (request) => ({ packingSlip: await f.packingSlip(request.account!.id, request.params.subOrderId) }),
    );

    api.post(
      '/seller/orders/:subOrderId/advance',
      {
        preHandler: seller,
        schema: {
          operationId: 'advanceShopOrder',
          tags: ['orders'],
          summary: 'Move my sub-order on: fulfilled, shipped (with carrier and tracking number), delivered',
          description:
            'paid -> fulfilled -> shipped -> delivered (paid -> shipped too). Shipping and delivery email the buyer, the shipped email with the carrier, tracking number and link. Any other move: 409 ORDERS_ILLEGAL_TRANSITION with details {from, to}.',
          params: SubOrderParams,
          body: AdvanceBody,
          response: { 200: MovedAnswer, ...conflict },
        },
      },
      async (request) => ({
        subOrder: await f.moveSubOrder(auditActorOf(request), request.account!.id, request.params.subOrderId, request.body),
      }),
    );

    api.post(
      '/seller/orders/:subOrderId/refund',
      {
        preHandler: seller,
        schema: {
          operationId: 'refundShopOrder',
          tags: ['orders'],
          summary: 'Refund my sub-order: in full, an amount, or chosen lines (also after shipping)',
          description:
            'Without a body, what is left is refunded in full; with `amount` (minor units) or `lines`, part of it (an Idempotency-Key is then required, and the same key answers the same refund). Never above what was paid less what was already refunded: 409 ORDERS_REFUND_EXCEEDS_PAID or ORDERS_REFUND_QUANTITY_EXCEEDED. The buyer is emailed the amount.',
          headers: RefundHeaders,
          params: SubOrderParams,
          body: optionalBody(RefundBody),
          response: { 200: RefundAnswer, 409: ErrorResponse, 422: ErrorResponse },
        },
      },
      async (request) =>
        f.refundSubOrder(auditActorOf(request), request.account!.id, request.params.subOrderId, {
          ...(request.body ?? {}),
          idempotencyKey: keyOf(request.headers['idempotency-key']),
        }),
    );

    api.get(
      '/admin/orders',
      {
        preHandler: admin,
        schema: {
          operationId: 'searchOrders',
          tags: ['orders'],
          summary: "Search every order: by id or reference, buyer's email, shop and status",
          querystring: OperatorOrderQuery,
          response: { 200: OperatorOrderList },
        },
      },
      async (request) => {
        const { cursor, limit, ...query } = request.query;
        return f.searchOrders(query, cursor ?? null, limit);
      },
    );

    api.get(
      '/admin/orders/:id',
      {
        preHandler: admin,
        schema: {
          operationId: 'getOrderAsOperator',
          tags: ['orders'],
          summary: 'Any order: the buyer, each sub-order with its shipment, lines and refunds',
          params: OrderParams,
          response: { 200: OperatorOrder },
        },
      },
      async (request) => ({ order: await f.getOrderForOperator(request.params.id) }),
    );

    api.post(
      '/admin/orders/:id/refund',
      {
        preHandler: admin,
        schema: {
          operationId: 'refundOrder',
          tags: ['orders'],
          summary: 'Refund any order: fully, or part of one sub-order (an amount or lines)',
          description:
            "The same refund as the seller's. Without subOrderId: lines are refunded shop by shop, an amount needs the order to have one shop (else 400 ORDERS_SUB_ORDER_REQUIRED), and neither refunds what is left of every sub-order.",
          headers: RefundHeaders,
          params: OrderParams,
          body: optionalBody(OrderRefundBody),
          response: { 200: OrderRefundAnswer, 409: ErrorResponse, 422: ErrorResponse },
        },
      },
      async (request) => ({
        refunds: await f.refundOrder(auditActorOf(request), request.params.id, {
          ...(request.body ?? {}),
          idempotencyKey: keyOf(request.headers['idempotency-key']),
        }),
      }),
    );
  };
}
