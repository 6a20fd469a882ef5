import type { FastifyPluginAsync } from 'fastify';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { officePage } from '../../back-office/guard.tsx';
import { sendPrivatePage } from '../../html.ts';

/** The studio's shop side: onboarding (/studio/start), overview, shop, products, stock. */
export function listingRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/studio',
      { schema: { hide: true } },
      officePage(deps, 'studio', (session, request, reply) =>
        sendPrivatePage(
          request,
          reply,
          <OfficeLayout site={deps.site} office="studio" title="Overview" path="/studio" who={session.account.name}>
            <p>Your shop at a glance.</p>
          </OfficeLayout>,
        ),
      ),
    );
  };
}
