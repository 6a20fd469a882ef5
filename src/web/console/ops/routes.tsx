import type { FastifyPluginAsync } from 'fastify';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { officePage } from '../../back-office/guard.tsx';
import { sendPrivatePage } from '../../html.ts';

/** The console's running side: Now, jobs, data, the audit log. */
export function opsRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/console',
      { schema: { hide: true } },
      officePage(deps, 'console', (session, request, reply) =>
        sendPrivatePage(
          request,
          reply,
          <OfficeLayout site={deps.site} office="console" title="Now" path="/console" who={session.account.name}>
            <p>The marketplace right now.</p>
          </OfficeLayout>,
        ),
      ),
    );
  };
}
