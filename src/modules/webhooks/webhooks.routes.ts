import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { auditActorOf } from '../audit/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import {
  DeliveryList,
  DeliveryParams,
  RedeliverResponse,
  EndpointList,
  EndpointParams,
  EndpointResponse,
  ErrorResponse,
  RegisterBody,
  RegisterResponse,
} from './webhooks.schemas.ts';
import type { WebhooksService } from './webhooks.service.ts';
import { jsonWithHeaders, RESPONSE_HEADERS } from '../../platform/http/schemas.ts';

function errors<C extends number>(...codes: C[]): Record<C, typeof ErrorResponse> {
  return Object.fromEntries(codes.map((c) => [c, ErrorResponse])) as Record<C, typeof ErrorResponse>;
}

/** A seller's webhook endpoints, under /api/v1/seller/webhooks. A seller only ever sees its own. */
export function webhooksRoutes(deps: { service: WebhooksService; guards: AuthGuards }): FastifyPluginAsync {
  const { service, guards } = deps;
  return async (instance) => {
    const api = instance.withTypeProvider<TypeBoxTypeProvider>();
    const seller = guards.requireRole('seller');
    // Registering an endpoint sends order data (names, addresses) wherever it points, and hands out
    // a signing secret: a seller re-enters the password for it if it was entered long ago.
    const sensitive = [seller, guards.requireRecentAuth];

    api.post(
      '/seller/webhooks',
      {
        preHandler: sensitive,
        schema: {
          operationId: 'createWebhook',
          tags: ['webhooks'],
          summary: 'Register a webhook endpoint for order events; answers with its signing secret (shown once)',
          body: RegisterBody,
          response: { 201: jsonWithHeaders(RegisterResponse, { Location: RESPONSE_HEADERS.location }), ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) => {
        const created = await service.register(auditActorOf(request), request.body);
        return reply.code(201).header('location', `/api/v1/seller/webhooks/${created.endpoint.id}`).send(created);
      },
    );

    api.get(
      '/seller/webhooks',
      {
        preHandler: seller,
        schema: {
          operationId: 'listWebhooks',
          tags: ['webhooks'],
          summary: 'My webhook endpoints (without their secrets); a disabled one carries a notice',
          response: { 200: EndpointList, ...errors(401, 403) },
        },
      },
      async (request) => ({ endpoints: await service.list(request.account!.id) }),
    );

    api.delete(
      '/seller/webhooks/:id',
      {
        preHandler: seller,
        schema: {
          operationId: 'deleteWebhook',
          tags: ['webhooks'],
          summary: 'Delete one of my webhook endpoints and its delivery history',
          params: EndpointParams,
          response: { 204: { type: 'null', description: 'Deleted' }, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await service.remove(auditActorOf(request), request.params.id);
        return reply.code(204).send();
      },
    );

    api.post(
      '/seller/webhooks/:id/enable',
      {
        preHandler: sensitive,
        schema: {
          operationId: 'enableWebhook',
          tags: ['webhooks'],
          summary: 'Enable an endpoint again after it was disabled; the events held meanwhile are sent',
          params: EndpointParams,
          response: { 200: EndpointResponse, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({ endpoint: await service.enable(auditActorOf(request), request.params.id) }),
    );

    api.post(
      '/seller/webhooks/:id/deliveries/:deliveryId/redeliver',
      {
        preHandler: seller,
        schema: {
          operationId: 'redeliverWebhook',
          tags: ['webhooks'],
          summary:
            'Send one of my deliveries again now, as it was first sent (delivered, failed, or pending: without waiting for its retry)',
          description:
            'The same body and delivery id (receivers deduplicate by it), signed afresh, with a new retry window. 409 WEBHOOKS_NOT_REDELIVERABLE while the endpoint is disabled (enable it: that sends what it missed).',
          params: DeliveryParams,
          response: { 202: RedeliverResponse, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(202).send({ delivery: await service.redeliver(auditActorOf(request), request.params.id, request.params.deliveryId) }),
    );

    api.get(
      '/seller/webhooks/:id/deliveries',
      {
        preHandler: seller,
        schema: {
          operationId: 'listWebhookDeliveries',
          tags: ['webhooks'],
          summary: "An endpoint's latest deliveries and their attempts (status code, error, time), for debugging",
          params: EndpointParams,
          response: { 200: DeliveryList, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => ({ deliveries: await service.deliveries(request.account!.id, request.params.id) }),
    );
  };
}
