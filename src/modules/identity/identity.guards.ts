import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type {} from '@fastify/cookie';
import { identityErrors } from './identity.errors.ts';
import type { IdentityInternals } from './identity.service.ts';
import type { Account, AuthGuards, Role } from './identity.types.ts';

export const SESSION_COOKIE = 'atelier_session';

type Presented = Readonly<{ account: Account; sessionId: string }> | null;

/** The token a request presents: `Authorization: Bearer` first (explicit), else the cookie. */
export function presentedToken(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer[ ]+([^\s]{1,200})[ ]*$/i.exec(auth);
    if (m) return m[1]!;
  }
  const cookie = request.cookies?.[SESSION_COOKIE];
  return cookie && cookie.length <= 200 ? cookie : null;
}

export type SessionResolver = Readonly<{
  /** The live session the request presents, resolved at most once per request. */
  current(request: FastifyRequest): Promise<Presented>;
  guards: AuthGuards;
}>;

export function createGuards(service: Pick<IdentityInternals, 'resolveToken'>): SessionResolver {
  // Several guards (or a guard and a route) may ask about the same request: one lookup serves all.
  const seen = new WeakMap<FastifyRequest, Promise<Presented>>();

  function current(request: FastifyRequest): Promise<Presented> {
    let pending = seen.get(request);
    if (!pending) {
      const token = presentedToken(request);
      pending = token ? service.resolveToken(token) : Promise.resolve(null);
      seen.set(request, pending);
    }
    return pending.then((found) => {
      if (found) request.account = found.account;
      return found;
    });
  }

  const requireAccount: preHandlerAsyncHookHandler = async (request) => {
    if (!(await current(request))) throw identityErrors.unauthenticated();
  };

  return {
    current,
    guards: {
      requireAccount,
      requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
        const allowed = new Set(roles);
        return async (request) => {
          const found = await current(request);
          if (!found) throw identityErrors.unauthenticated();
          if (!allowed.has(found.account.role)) throw identityErrors.forbidden();
        };
      },
      // A shard that cannot be reached must not take down pages that merely personalise: the
      // request carries on anonymous.
      optionalAccount: async (request) => {
        await current(request).catch((err: unknown) => {
          request.log.warn({ err }, 'could not resolve the session; serving anonymously');
        });
      },
    },
  };
}
