import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifySchemaCompiler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { clientHolds } from '../../platform/http/cached-json.ts';
import { validatorCompiler } from '../../platform/http/validation.ts';
import { auditActorOf } from '../audit/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import { mediaErrors } from './media.errors.ts';
import {
  ErrorResponse,
  ImageAccepted,
  ImageList,
  MediaFile,
  MediaFileParams,
  ProductImageParams,
  ProductParams,
  ShopImageParams,
  UpdateImageBody,
  UploadBody,
} from './media.schemas.ts';
import type { MediaService } from './media.service.ts';
import { isVariantKey, type MediaStorage } from './media.storage.ts';
import { readImageUpload } from './media.upload.ts';

export type MediaSettings = Readonly<{ maxBytes: number; dir: string }>;

/** The multipart body is streamed by the handler, so the body schema documents it and checks nothing. */
const documentOnlyBody: FastifySchemaCompiler<unknown> = (route) => (route.httpPart === 'body' ? () => true : validatorCompiler(route));

/** Seller routes under /api/v1: upload an image to a product, list a product's images. */
export function mediaRoutes(deps: { service: MediaService; guards: AuthGuards; settings: MediaSettings }): FastifyPluginAsync {
  const { service, guards, settings } = deps;
  const stagingDir = path.join(settings.dir, '.staging');
  return async (instance) => {
    const api = instance.withTypeProvider<TypeBoxTypeProvider>();
    // Registered here, so only these routes accept multipart, with limits sized for one image.
    await api.register(multipart, {
      limits: { fileSize: settings.maxBytes, files: 1, fields: 2, parts: 3, fieldSize: 1024, fieldNameSize: 100, headerPairs: 20 },
    });

    api.post(
      '/products/:id/images',
      {
        preHandler: guards.requireRole('seller'),
        validatorCompiler: documentOnlyBody,
        schema: {
          operationId: 'uploadProductImage',
          tags: ['media'],
          summary: 'Upload a product image',
          description: `Resized in the background; the product shows the image once its status is "ready". At most ${settings.maxBytes} bytes.`,
          consumes: ['multipart/form-data'],
          params: ProductParams,
          body: UploadBody,
          response: {
            202: ImageAccepted,
            400: ErrorResponse,
            401: ErrorResponse,
            403: ErrorResponse,
            404: ErrorResponse,
            409: ErrorResponse,
            413: ErrorResponse,
            415: ErrorResponse,
            422: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        const image = await service.addProductImage(auditActorOf(request), request.params.id, () =>
          readImageUpload(request.parts(), { stagingDir, maxBytes: settings.maxBytes }),
        );
        return reply.code(202).send({ image });
      },
    );

    api.post(
      '/seller/shop/images/:slot',
      {
        preHandler: guards.requireRole('seller'),
        validatorCompiler: documentOnlyBody,
        schema: {
          operationId: 'uploadShopImage',
          tags: ['media'],
          summary: "Upload your shop's logo or banner",
          description: `Resized in the background like a product image; the shop shows it once it is ready. At most ${settings.maxBytes} bytes.`,
          consumes: ['multipart/form-data'],
          params: ShopImageParams,
          body: UploadBody,
          response: { 202: ImageAccepted, 413: ErrorResponse, 415: ErrorResponse, 422: ErrorResponse },
        },
      },
      async (request, reply) => {
        const image = await service.addShopImage(auditActorOf(request), request.params.slot, () =>
          readImageUpload(request.parts(), { stagingDir, maxBytes: settings.maxBytes }),
        );
        return reply.code(202).send({ image });
      },
    );

    api.get(
      '/products/:id/images',
      {
        preHandler: guards.requireRole('seller'),
        schema: {
          operationId: 'listProductImages',
          tags: ['media'],
          summary: "A product's images with their processing status (owner only)",
          params: ProductParams,
          response: { 200: ImageList, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => ({ images: await service.listProductImages(request.account!.id, request.params.id) }),
    );

    api.patch(
      '/products/:id/images/:imageId',
      {
        preHandler: guards.requireRole('seller'),
        schema: {
          operationId: 'updateProductImage',
          tags: ['media'],
          summary: "Change an image's alt text or its place in the product's order (owner only)",
          params: ProductImageParams,
          body: UpdateImageBody,
          response: { 200: ImageList, 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
        },
      },
      async (request) => ({
        images: await service.updateProductImage(auditActorOf(request), request.params.id, request.params.imageId, request.body),
      }),
    );

    api.delete(
      '/products/:id/images/:imageId',
      {
        preHandler: guards.requireRole('seller'),
        schema: {
          operationId: 'deleteProductImage',
          tags: ['media'],
          summary: 'Remove an image from a product (owner only)',
          params: ProductImageParams,
          response: {
            204: { type: 'null', description: 'Removed' },
            400: ErrorResponse,
            401: ErrorResponse,
            403: ErrorResponse,
            404: ErrorResponse,
          },
        },
      },
      async (request, reply) => {
        await service.removeProductImage(auditActorOf(request), request.params.id, request.params.imageId);
        return reply.code(204).send();
      },
    );
  };
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Public image variants at the server root: `/media/<sha256>.webp`, cacheable forever. */
export function mediaRootRoutes(deps: { storage: MediaStorage }): FastifyPluginAsync {
  const { storage } = deps;
  return async (instance) => {
    const api = instance.withTypeProvider<TypeBoxTypeProvider>();
    api.get(
      '/media/:file',
      {
        schema: {
          operationId: 'getMediaFile',
          tags: ['media'],
          summary: 'An image variant (content-addressed, immutable)',
          params: MediaFileParams,
          response: { 200: MediaFile, 304: { type: 'null', description: 'Not modified' }, 404: ErrorResponse },
        },
      },
      async (request, reply) => {
        const key = request.params.file;
        // The key shape is checked before it comes near the file system: no traversal, no originals.
        if (!isVariantKey(key)) throw mediaErrors.fileNotFound();
        const etag = `"${key.slice(0, 64)}"`;
        const found = await storage.stream(key);
        if (!found) throw mediaErrors.fileNotFound();
        reply.header('cache-control', IMMUTABLE).header('etag', etag);
        if (clientHolds(request, etag)) {
          found.body.destroy();
          return reply.code(304).send();
        }
        return reply.type('image/webp').header('content-length', found.size).header('x-content-type-options', 'nosniff').send(found.body);
      },
    );
  };
}
