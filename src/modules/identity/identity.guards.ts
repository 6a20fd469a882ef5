import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type {} from '@fastify/cookie';
import { identityErrors } from './identity.errors.ts';
import type { IdentityInternals } from './identity.service.ts';
import type { AuthGuards, LiveSession, Role } from './identity.types.ts';

export const SESSION_COOKIE = 'atelier_session';
export const DEVICE_COOKIE = 'atelier_device';

/**
 * A Secure cookie's name carries the `__Host-` prefix: browsers then accept it only when it is
 * Secure, has Path=/ and no Domain, so a sibling subdomain or a plain-http page cannot plant a
 * session cookie for us (session fixation). Without Secure (local http) the prefix would make
 * browsers drop the cookie, so the plain name is used.
 */
export const cookieName = (name: string, secure: boolean) => (secure ? `__Host-${name}` : name);

type Presented = LiveSession | null;

/** The token a request presents: `Authorization: Bearer` first (explicit), else the cookie. */
export function presentedToken(request: FastifyRequest, sessionCookie: string): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer[ ]+([^\s]{1,200})[ ]*$/i.exec(auth);
    if (m) return m[1]!;
  }
  const cookie = request.cookies?.[sessionCookie];
  return cookie && cookie.length <= 200 ? cookie : null;
}

/**
 * What a guard asks of a request, read from the guard itself (`guardRequirement`) so that the
 * OpenAPI document declares each route's security from the guard it really runs, in one place
 * (app/http.ts), instead of a `security` line copied into every route that can drift from it.
 */
export type GuardRequirement = Readonly<{ session: 'required'; roles: readonly Role[] | 'any' }> | Readonly<{ session: 'optional' }>;

const requirements = new WeakMap<object, GuardRequirement>();

function declare<T extends object>(guard: T, requirement: GuardRequirement): T {
  requirements.set(guard, requirement);
  return guard;
}

/** The session a preHandler requires, if it is one of these guards; null for any other function. */
export function guardRequirement(handler: unknown): GuardRequirement | null {
  return (typeof handler === 'function' && requirements.get(handler)) || null;
}

export type SessionResolver = Readonly<{
  /** The live session the request presents, resolved at most once per request. */
  current(request: FastifyRequest): Promise<Presented>;
  guards: AuthGuards;
}>;

export function createGuards(
  service: Pick<IdentityInternals, 'resolveToken'>,
  settings: Readonly<{ cookieSecure: boolean; reauthMinutes: number }>,
): SessionResolver {
  const sessionCookie = cookieName(SESSION_COOKIE, settings.cookieSecure);
  // Several guards (or a guard and a route) may ask about the same request: one lookup serves all.
  const seen = new WeakMap<FastifyRequest, Promise<Presented>>();

  function current(request: FastifyRequest): Promise<Presented> {
    let pending = seen.get(request);
    if (!pending) {
      const token = presentedToken(request, sessionCookie);
      pending = token ? service.resolveToken(token) : Promise.resolve(null);
      seen.set(request, pending);
    }
    return pending.then((found) => {
      if (found) request.account = found.account;
      return found;
    });
  }

  const requireAccount: preHandlerAsyncHookHandler = declare(
    async (request) => {
      if (!(await current(request))) throw identityErrors.unauthenticated();
    },
    { session: 'required', roles: 'any' },
  );

  return {
    current,
    guards: {
      requireAccount,
      requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
        const allowed = new Set(roles);
        return declare(
          async (request) => {
            const found = await current(request);
            if (!found) throw identityErrors.unauthenticated();
            if (!allowed.has(found.account.role)) throw identityErrors.forbidden();
          },
          { session: 'required', roles },
        );
      },
      requireRecentAuth: async (request) => {
        const found = await current(request);
        if (!found) throw identityErrors.unauthenticated();
        if (found.account.role === 'customer') return;
        const age = Date.now() - Date.parse(found.authenticatedAt);
        if (!(age <= settings.reauthMinutes * 60_000)) throw identityErrors.reauthenticationRequired(settings.reauthMinutes);
      },
      // A shard that cannot be reached must not take down pages that merely personalise: the
      // request carries on anonymous.
      optionalAccount: declare(
        async (request) => {
          await current(request).catch((err: unknown) => {
            request.log.warn({ err }, 'could not resolve the session; serving anonymously');
          });
        },
        { session: 'optional' },
      ),
    },
  };
}
