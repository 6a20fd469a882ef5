import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { NotModifiedResponse } from '../../platform/http/schemas.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sendPublicJson, type PublicCachePolicy } from '../../platform/http/cached-json.ts';
import { DomainError } from '../../shared/errors.ts';
import { auditActorOf } from '../audit/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import { STOCK_PAGE_TTL_MS, type InventoryUseCases } from './inventory.service.ts';
import { inventoryErrors } from './inventory.errors.ts';
import * as s from './inventory.schemas.ts';

const tags = ['inventory'];
/** What the public stock read answers for a null value (an unknown or unpublished product). */
const PRODUCT_NOT_FOUND = (({ code, message }: DomainError) => ({ code, message }))(inventoryErrors.productNotFound());
const errors = { 400: s.ErrorSchema, 401: s.ErrorSchema, 403: s.ErrorSchema, 404: s.ErrorSchema };

function accountId(request: FastifyRequest): string {
  if (!request.account) throw new DomainError('unauthenticated', 'AUTH_REQUIRED', 'Sign in first');
  return request.account.id;
}

/** Thin HTTP edge of the inventory: public coarse stock (briefly cached), owner-only exact numbers and writes. */
export function inventoryRoutes(deps: {
  inventory: InventoryUseCases;
  guards: AuthGuards;
  httpCache: PublicCachePolicy;
}): FastifyPluginAsync {
  const { inventory, guards } = deps;
  // Stock moves constantly: a CDN may hold it for seconds, not for the catalog's minutes.
  const ttlSeconds = Math.ceil(STOCK_PAGE_TTL_MS / 1000);
  const stockPolicy: PublicCachePolicy = {
    sMaxAge: Math.min(deps.httpCache.sMaxAge, ttlSeconds),
    staleWhileRevalidate: Math.min(deps.httpCache.staleWhileRevalidate, ttlSeconds),
  };
  return async (app) => {
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    const seller = { preHandler: guards.requireRole('seller') };

    api.get(
      '/products/:id/stock',
      {
        schema: {
          operationId: 'getProductStock',
          tags,
          summary: "A published product's stock per variant, coarse (in stock, few left, sold out)",
          params: s.ProductParams,
          response: { 200: s.PublicStockSchema, ...NotModifiedResponse, 404: s.ErrorSchema },
        },
      },
      async (request, reply) =>
        sendPublicJson(request, reply, await inventory.pages.productStock(request.params.id), stockPolicy, PRODUCT_NOT_FOUND),
    );

    api.post(
      '/inventory/variants/:variantId/restock',
      {
        ...seller,
        schema: {
          operationId: 'restockVariant',
          tags,
          summary: 'Add stock to one of your variants',
          params: s.VariantParams,
          body: s.RestockBody,
          response: { 200: s.StockLevelSchema, ...errors },
        },
      },
      async (request) => inventory.restockOwned(auditActorOf(request), request.params.variantId, request.body.quantity),
    );

    api.put(
      '/inventory/variants/:variantId',
      {
        ...seller,
        schema: {
          operationId: 'setVariantStock',
          tags,
          summary: 'Set the on-hand count of one of your variants (not below what is sold or reserved)',
          params: s.VariantParams,
          body: s.SetOnHandBody,
          response: { 200: s.StockLevelSchema, ...errors, 409: s.ErrorSchema },
        },
      },
      async (request) => inventory.setOnHandOwned(auditActorOf(request), request.params.variantId, request.body.onHand),
    );

    api.get(
      '/seller/inventory',
      {
        ...seller,
        schema: {
          operationId: 'getMyInventory',
          tags,
          summary: 'Exact stock of every variant of one of your products',
          querystring: s.SellerInventoryQuery,
          response: { 200: s.SellerInventorySchema, ...errors },
        },
      },
      async (request) => inventory.sellerInventory(accountId(request), request.query.productId),
    );
  };
}
