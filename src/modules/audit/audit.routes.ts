import type { FastifyPluginAsync, preHandlerAsyncHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AuditPageSchema, ChainVerdictSchema, SearchQuery } from './audit.schemas.ts';
import type { AuditService } from './audit.service.ts';

const tags = ['audit'];

/** The operator's view of the audit log (admins only): search it, and check its chain. */
export function auditRoutes(deps: { service: AuditService; requireAdmin: preHandlerAsyncHookHandler }): FastifyPluginAsync {
  const { service, requireAdmin } = deps;
  return async (instance) => {
    const api = instance.withTypeProvider<TypeBoxTypeProvider>();
    const admin = { preHandler: requireAdmin };

    api.get(
      '/admin/audit',
      {
        ...admin,
        schema: {
          operationId: 'searchAuditLog',
          tags,
          summary: 'Search the audit log by actor, action, target and time range, newest first',
          querystring: SearchQuery,
          response: { 200: AuditPageSchema },
        },
      },
      async (request) => service.search(request.query),
    );

    api.get(
      '/admin/audit/verify',
      {
        ...admin,
        schema: {
          operationId: 'verifyAuditLog',
          tags,
          summary: "Walk the audit log's hash chain and name the first entry that does not verify",
          response: { 200: ChainVerdictSchema },
        },
      },
      async () => service.verify(),
    );
  };
}
