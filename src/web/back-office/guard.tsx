import type { FastifyReply, FastifyRequest, RouteGenericInterface } from 'fastify';
import { auditActorFor, type AuditActor } from '../../modules/audit/index.ts';
import type { LiveSession } from '../../modules/identity/index.ts';
import { signedInOrRedirect } from '../account/account-routes.tsx';
import { seeOther } from '../html.ts';
import { sendProblem } from '../storefront/errors.tsx';
import type { BackOfficeDeps } from './deps.ts';
import type { OfficeName } from './frame.tsx';

export type OfficeHandler<R extends RouteGenericInterface> = (
  session: LiveSession,
  request: FastifyRequest<R>,
  reply: FastifyReply,
) => Promise<FastifyReply> | FastifyReply;

/**
 * A studio or console page's handler behind its role check, the pages' form of the API's
 * `requireRole`: without a session the browser is sent to sign in and brought back; the console
 * is for admins (anyone else gets 403); the studio is for sellers (a customer is sent to open a
 * shop at /studio/start, an admin gets 403). What a seller may see inside the studio (their own
 * shop's products and orders only) is the modules' check, as in the API: another shop's order is
 * not found (404).
 */
export function officePage<R extends RouteGenericInterface = RouteGenericInterface>(
  deps: BackOfficeDeps,
  office: OfficeName,
  handler: OfficeHandler<R>,
) {
  return async (request: FastifyRequest<R>, reply: FastifyReply): Promise<FastifyReply> => {
    const session = await signedInOrRedirect(deps, request as FastifyRequest, reply);
    if (!session) return reply;
    const role = session.account.role;
    if (office === 'console' && role !== 'admin') {
      return sendProblem(
        deps.site,
        request as FastifyRequest,
        reply,
        403,
        'The console is for operators',
        'Your account cannot open the marketplace console.',
      );
    }
    if (office === 'studio' && role !== 'seller') {
      if (role === 'customer') return seeOther(reply, '/studio/start');
      return sendProblem(
        deps.site,
        request as FastifyRequest,
        reply,
        403,
        'The studio is for sellers',
        'Operators run the marketplace from the console at /console.',
      );
    }
    return handler(session, request, reply);
  };
}

/**
 * Who made a page's move, for its audit entry: the session's account (or the role it is taking as
 * it acts, when a customer opens a shop) and where the request came from; the pages' form of the
 * API's `auditActorOf`.
 */
export function pageActor(session: LiveSession, request: FastifyRequest, role: string = session.account.role): AuditActor {
  return auditActorFor({ id: session.account.id, role }, request);
}

/** How the frame names the person signed in ("Signed in as …"): their name, or their email without one. */
export const whoOf = (session: LiveSession): string => session.account.name || session.account.email;
