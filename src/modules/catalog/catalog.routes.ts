import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { NotModifiedResponse } from '../../platform/http/schemas.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import { sendPublicJson, type PublicCachePolicy } from '../../platform/http/cached-json.ts';
import { clientWritePosition, stampWritePosition } from '../../platform/http/read-your-writes.ts';
import type { ReplicaSet } from '../../platform/postgres/replicas.ts';
import { DomainError } from '../../shared/errors.ts';
import type { AuthGuards } from '../identity/index.ts';
import { auditActorOf } from '../audit/index.ts';
import { catalogErrors } from './catalog.errors.ts';
import type { CatalogUseCases } from './catalog.service.ts';
import type { Product } from './index.ts';
import * as s from './catalog.schemas.ts';

const tags = ['catalog'];
/** The 404s a public read answers for a null value: the same codes as the writes' not-founds. */
const notFoundOf = ({ code, message }: DomainError) => ({ code, message });
const PRODUCT_NOT_FOUND = notFoundOf(catalogErrors.productNotFound());
const SHOP_NOT_FOUND = notFoundOf(catalogErrors.shopNotFound());
/** Products are deeply readonly; the schema types are not. Same shape, so the assertion is safe. */
const asJson = (p: Product) => p as Static<typeof s.ProductSchema>;

/** The signed-in account's id; the guards have already answered 401/403 when there is none. */
function accountId(request: FastifyRequest): string {
  if (!request.account) throw new DomainError('unauthenticated', 'AUTH_REQUIRED', 'Sign in first');
  return request.account.id;
}

/**
 * Thin HTTP edge of the catalog. Public reads carry no guard at all: a warm anonymous read is a
 * cache lookup and a write of prepared bytes, with no session lookup and no database.
 */
export function catalogRoutes(deps: {
  catalog: CatalogUseCases;
  guards: AuthGuards;
  httpCache: PublicCachePolicy;
  replicas: ReplicaSet;
  cookieSecure: boolean;
}): FastifyPluginAsync {
  const { catalog, guards, httpCache, replicas } = deps;
  /** A client that has just written reads its own writes (platform/http/read-your-writes.ts). */
  const readOf = (request: FastifyRequest) => ({ minLsn: clientWritePosition(request, replicas) });
  return async (app) => {
    const api = app.withTypeProvider<TypeBoxTypeProvider>();
    const seller = { preHandler: guards.requireRole('seller') };

    if (replicas.enabled) {
      // Every successful catalog write has committed by the time its reply is sent.
      app.addHook('onSend', async (request, reply, payload) => {
        if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) {
          // The write stands either way; without the position this client may briefly read an older page.
          await stampWritePosition(reply, replicas, deps.cookieSecure).catch((err: unknown) =>
            request.log.warn({ err }, 'could not read the primary WAL position after a write'),
          );
        }
        return payload;
      });
    }

    // ---- public reads (cached, prepared JSON)

    api.get(
      '/categories',
      {
        schema: {
          operationId: 'listCategories',
          tags,
          summary: 'The category tree',
          response: { 200: s.CategoryTreeSchema, ...NotModifiedResponse },
        },
      },
      async (request, reply) => sendPublicJson(request, reply, await catalog.pages.categories(readOf(request)), httpCache),
    );

    api.get(
      '/products',
      {
        schema: {
          operationId: 'listProducts',
          tags,
          summary: 'Published products, filtered and sorted, a keyset page at a time',
          querystring: s.ListQuerystring,
          response: { 200: s.ProductPageSchema, ...NotModifiedResponse, 400: s.ErrorSchema },
        },
      },
      async (request, reply) => sendPublicJson(request, reply, await catalog.pages.list(request.query, readOf(request)), httpCache),
    );

    api.get(
      '/products/:id',
      {
        schema: {
          operationId: 'getProduct',
          tags,
          summary: 'A published product',
          params: s.IdParams,
          response: { 200: s.PublicProductSchema, ...NotModifiedResponse, 404: s.ErrorSchema },
        },
      },
      async (request, reply) =>
        sendPublicJson(request, reply, await catalog.pages.product(request.params.id, readOf(request)), httpCache, PRODUCT_NOT_FOUND),
    );

    api.get(
      '/shops/:slug',
      {
        schema: {
          operationId: 'getShop',
          tags,
          summary: 'A shop and its first page of published products',
          params: s.SlugParams,
          response: { 200: s.ShopPageSchema, ...NotModifiedResponse, 404: s.ErrorSchema },
        },
      },
      async (request, reply) =>
        sendPublicJson(request, reply, await catalog.pages.shop(request.params.slug, readOf(request)), httpCache, SHOP_NOT_FOUND),
    );

    // ---- admin

    api.post(
      '/admin/categories',
      {
        preHandler: guards.requireRole('admin'),
        schema: {
          operationId: 'createCategory',
          tags,
          summary: 'Create a category',
          body: s.CreateCategoryBody,
          response: { 201: s.CategorySchema, 409: s.ErrorSchema },
        },
      },
      async (request, reply) => reply.code(201).send(await catalog.createCategory(request.body)),
    );

    // ---- the operator's moderation and look-ups (catalog.moderation.ts)

    const admin = { preHandler: guards.requireRole('admin') };
    const moderation = catalog.moderation;

    api.get(
      '/admin/shops',
      {
        ...admin,
        schema: {
          operationId: 'listShops',
          tags,
          summary: 'Shops, newest first, by name or slug and status, a keyset page at a time',
          querystring: s.ShopListQuerystring,
          response: { 200: s.ShopListSchema },
        },
      },
      async (request) => {
        const { q, status, cursor, limit } = request.query;
        return moderation.listShops({ limit, ...(q ? { q } : {}), ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
      },
    );

    api.get(
      '/admin/shops/:id',
      {
        ...admin,
        schema: {
          operationId: 'getShopDetail',
          tags,
          summary: 'A shop, with its status and how many products it has',
          params: s.IdParams,
          response: { 200: s.ShopDetailSchema },
        },
      },
      async (request) => {
        const detail = await moderation.shopDetail(request.params.id);
        if (!detail) throw catalogErrors.shopNotFound();
        return detail;
      },
    );

    api.post(
      '/admin/shops/:id/approve',
      {
        ...admin,
        schema: {
          operationId: 'approveShop',
          tags,
          summary: 'Approve a pending shop: its published products go on the storefront',
          params: s.IdParams,
          response: { 200: s.ShopSchema, 409: s.ErrorSchema },
        },
      },
      async (request) => moderation.approveShop(auditActorOf(request), request.params.id),
    );

    api.post(
      '/admin/shops/:id/suspend',
      {
        ...admin,
        schema: {
          operationId: 'suspendShop',
          tags,
          summary: 'Suspend a shop, with the reason its seller reads: its products leave the storefront, search and checkout at once',
          params: s.IdParams,
          body: s.ReasonBody,
          response: { 200: s.ShopSchema, 409: s.ErrorSchema },
        },
      },
      async (request) => moderation.suspendShop(auditActorOf(request), request.params.id, request.body.reason),
    );

    api.post(
      '/admin/shops/:id/reinstate',
      {
        ...admin,
        schema: {
          operationId: 'reinstateShop',
          tags,
          summary: 'Reinstate a suspended shop: its published products come back',
          params: s.IdParams,
          response: { 200: s.ShopSchema, 409: s.ErrorSchema },
        },
      },
      async (request) => moderation.reinstateShop(auditActorOf(request), request.params.id),
    );

    api.post(
      '/admin/products/:id/unpublish',
      {
        ...admin,
        schema: {
          operationId: 'unpublishProduct',
          tags,
          summary:
            'Take a product off the storefront, with the reason its seller reads; the seller cannot publish it until the hold is lifted',
          params: s.IdParams,
          body: s.ReasonBody,
          response: { 200: s.ProductSchema },
        },
      },
      async (request) => asJson(await moderation.unpublishProduct(auditActorOf(request), request.params.id, request.body.reason)),
    );

    api.post(
      '/admin/products/:id/release',
      {
        ...admin,
        schema: {
          operationId: 'releaseProduct',
          tags,
          summary: 'Lift the hold on a product: it stays a draft, which its seller may publish again',
          params: s.IdParams,
          response: { 200: s.ProductSchema, 409: s.ErrorSchema },
        },
      },
      async (request) => asJson(await moderation.releaseProduct(auditActorOf(request), request.params.id)),
    );

    // ---- sellers

    api.post(
      '/shops',
      {
        ...seller,
        schema: {
          operationId: 'createShop',
          tags,
          summary: 'Open your shop (pending until an admin approves it when ATELIER_SHOP_APPROVAL=required)',
          body: s.CreateShopBody,
          response: { 201: s.ShopSchema, 409: s.ErrorSchema },
        },
      },
      async (request, reply) => reply.code(201).send(await catalog.createShop(accountId(request), request.body, auditActorOf(request))),
    );

    api.get(
      '/seller/shop',
      {
        ...seller,
        schema: {
          operationId: 'getMyShop',
          tags,
          summary: 'Your shop and where it stands: pending approval, active, or suspended with the reason',
          response: { 200: s.ShopSchema, 404: s.ErrorSchema },
        },
      },
      async (request, reply) => {
        const shop = await catalog.ownShop(accountId(request));
        if (!shop) throw catalogErrors.shopNotFound();
        void reply.header('cache-control', 'private, no-store');
        return shop;
      },
    );

    api.patch(
      '/shops/:slug',
      {
        ...seller,
        schema: {
          operationId: 'updateShop',
          tags,
          summary: 'Edit your shop',
          params: s.SlugParams,
          body: s.UpdateShopBody,
          response: { 200: s.ShopSchema },
        },
      },
      async (request) => catalog.updateShop(auditActorOf(request), request.params.slug, request.body),
    );

    api.post(
      '/products',
      {
        ...seller,
        schema: {
          operationId: 'createProduct',
          tags,
          summary: 'List a product in your shop',
          body: s.CreateProductBody,
          response: { 201: s.ProductSchema },
        },
      },
      async (request, reply) => reply.code(201).send(asJson(await catalog.createProduct(accountId(request), request.body))),
    );

    api.patch(
      '/products/:id',
      {
        ...seller,
        schema: {
          operationId: 'updateProduct',
          tags,
          summary: 'Edit, publish or unpublish your product (a product the operator holds cannot be published: 409)',
          params: s.IdParams,
          body: s.UpdateProductBody,
          response: { 200: s.ProductSchema, 409: s.ErrorSchema },
        },
      },
      async (request) => asJson(await catalog.updateProduct(accountId(request), request.params.id, request.body)),
    );

    api.post(
      '/products/:id/variants',
      {
        ...seller,
        schema: {
          operationId: 'addVariant',
          tags,
          summary: 'Add a variant to your product',
          params: s.IdParams,
          body: s.NewVariantBody,
          response: { 201: s.ProductSchema },
        },
      },
      async (request, reply) => reply.code(201).send(asJson(await catalog.addVariant(accountId(request), request.params.id, request.body))),
    );

    api.patch(
      '/products/:id/variants/:variantId',
      {
        ...seller,
        schema: {
          operationId: 'updateVariant',
          tags,
          summary: 'Edit a variant of your product',
          params: s.VariantParams,
          body: s.UpdateVariantBody,
          response: { 200: s.ProductSchema },
        },
      },
      async (request) => asJson(await catalog.updateVariant(accountId(request), request.params.id, request.params.variantId, request.body)),
    );

    api.get(
      '/seller/products',
      {
        ...seller,
        schema: {
          operationId: 'listMyProducts',
          tags,
          summary: 'Your own products, drafts included, newest first',
          querystring: s.SellerListQuerystring,
          response: { 200: s.SellerProductPageSchema },
        },
      },
      async (request, reply) => {
        // Private and changing: never stored by a shared cache.
        const { cursor, limit, q, status } = request.query;
        const page = await catalog.sellerProducts(accountId(request), cursor, limit, {
          ...(q ? { q } : {}),
          ...(status ? { status } : {}),
        });
        void reply.header('cache-control', 'private, no-store');
        return { items: page.items.map(asJson), nextCursor: page.nextCursor };
      },
    );
  };
}
