import type { FastifyInstance, RouteOptions } from 'fastify';
import { cookieName, guardRequirement, SESSION_COOKIE, type GuardRequirement } from '../modules/identity/index.ts';

/** The two ways a session is presented (identity.guards.ts `presentedToken`): the cookie, or a bearer token. */
export function securitySchemes(cookieSecure: boolean) {
  return {
    session: { type: 'apiKey', in: 'cookie', name: cookieName(SESSION_COOKIE, cookieSecure) },
    bearer: { type: 'http', scheme: 'bearer' },
  } as const;
}

type SecurityRequirement = Readonly<Record<string, readonly string[]>>;
const REQUIRED: readonly SecurityRequirement[] = [{ session: [] }, { bearer: [] }];
/** OpenAPI's empty requirement `{}`: the route also serves anonymous callers. */
const OPTIONAL: readonly SecurityRequirement[] = [...REQUIRED, {}];

function requirementOf(route: RouteOptions): GuardRequirement | null {
  const handlers = [route.preHandler].flat();
  const found = handlers.map(guardRequirement).filter((r): r is GuardRequirement => r !== null);
  return found.find((r) => r.session === 'required') ?? found[0] ?? null;
}

/**
 * Declares each route's security in the OpenAPI document from the identity guard it runs, at the
 * moment the route is added (issue 13, section 4): a route guarded by `requireRole('admin')`
 * declares the session schemes and `x-required-role: admin`, one guarded by `requireAccount`
 * declares them with `x-required-role: any`, one with `optionalAccount` declares them as optional
 * (`{}` among the alternatives), and a route with no guard declares none. Whatever a route wrote
 * by hand is replaced: the document cannot claim a protection the route does not run, nor miss
 * one it does. Added before @fastify/swagger, which reads the routes' options when the document
 * is built.
 */
export function declareSecurityFromGuards(server: FastifyInstance): void {
  server.addHook('onRoute', (route) => {
    const requirement = requirementOf(route);
    const { security: _handWritten, 'x-required-role': _role, ...schema } = (route.schema ?? {}) as Record<string, unknown>;
    if (!requirement) {
      if (route.schema && ('security' in route.schema || 'x-required-role' in route.schema)) route.schema = schema;
      return;
    }
    if (requirement.session === 'optional') {
      route.schema = { ...schema, security: OPTIONAL };
      return;
    }
    const role = requirement.roles === 'any' ? 'any' : requirement.roles.join(' or ');
    const who = role === 'any' ? 'any signed-in account' : `an account with the role ${role}`;
    const note = `Requires a session of ${who}: the \`${SESSION_COOKIE}\` cookie or \`Authorization: Bearer <token>\`.`;
    const description = typeof schema.description === 'string' ? `${schema.description}\n\n${note}` : note;
    // An OpenAPI extension (`x-`): @fastify/swagger copies it onto the operation as it is.
    route.schema = { ...schema, description, security: REQUIRED, ['x-required-role' as string]: role };
  });
}
