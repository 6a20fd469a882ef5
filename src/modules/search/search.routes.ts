import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sendPublicJson, type PublicCachePolicy } from '../../platform/http/cached-json.ts';
import { ErrorSchema, SearchQuerystring, SearchResultSchema } from './search.schemas.ts';
import type { SearchUseCases } from './search.service.ts';

/** GET /search: public, anonymous, cached briefly; no session lookup on the way. */
export function searchRoutes(deps: { search: SearchUseCases; httpCache: PublicCachePolicy }): FastifyPluginAsync {
  return async (app) => {
    app.withTypeProvider<TypeBoxTypeProvider>().get(
      '/search',
      {
        schema: {
          operationId: 'searchProducts',
          tags: ['search'],
          summary: 'Full-text search over published products, best matches first',
          querystring: SearchQuerystring,
          response: { 200: SearchResultSchema, 304: Type.Null({ description: 'Not modified (ETag matched)' }), 400: ErrorSchema },
        },
      },
      async (request, reply) => {
        const { q, limit, cursor } = request.query;
        return sendPublicJson(request, reply, await deps.search.searchPage(q, limit, cursor), deps.httpCache);
      },
    );
  };
}
