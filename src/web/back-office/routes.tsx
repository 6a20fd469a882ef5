import type { FastifyPluginAsync } from 'fastify';
import { consoleRoutes } from '../console/routes.tsx';
import { requireSameOrigin } from '../csrf.ts';
import { acceptForms } from '../forms.ts';
import { pageErrorHandler, sendForbiddenPage } from '../storefront/errors.tsx';
import { studioRoutes } from '../studio/routes.tsx';
import type { BackOfficeDeps } from './deps.ts';

/**
 * The seller studio at `/studio` and the operator console at `/console`: server-rendered pages on
 * the storefront's stack (document, components, styles, islands), behind role checks (guard.tsx).
 * Forms post and redirect, as the storefront's do, and must come from this site (csrf.ts); the
 * richer editors are islands that call the JSON API with the typed client (client/api.ts).
 */
export function backOfficeRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  return async (app) => {
    app.setErrorHandler(pageErrorHandler(deps.site));
    app.addHook(
      'preHandler',
      requireSameOrigin(deps.allowedOrigins, (request, reply) => sendForbiddenPage(deps.site, request, reply)),
    );
    acceptForms(app);
    await app.register(studioRoutes(deps));
    await app.register(consoleRoutes(deps));
  };
}
