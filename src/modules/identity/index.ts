/**
 * The identity module: accounts (customers, sellers, admins), argon2id credentials, and opaque
 * session tokens that route to their shard. Other modules use only what this file exports: the
 * account types, the guards for their routes, and the service.
 */
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { createGuards } from './identity.guards.ts';
import { identityRoutes } from './identity.routes.ts';
import { identityMigrations } from './identity.migrations.ts';
import { createIdentityService } from './identity.service.ts';
import type { Account, AuthGuards, IdentityService, IdentitySettings } from './identity.types.ts';

export type { Account, AuthGuards, IdentityService, IdentitySettings, Role, SessionInfo } from './identity.types.ts';
export { identityMigrations };
/** How stale getAccount may be after another process changed an account (see identity.account-cache.ts). */
export { ACCOUNT_CACHE_MS } from './identity.account-cache.ts';
/** The name of the session cookie, for clients and tests that set it by hand. */
export { SESSION_COOKIE } from './identity.guards.ts';
/** What a route's guard requires, for the OpenAPI document's security (app/http.ts). */
export { guardRequirement, type GuardRequirement } from './identity.guards.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the identity guards on routes that use them. */
    account?: Account;
  }
}

export type IdentityModule = ModuleDefinition & Readonly<{ service: IdentityService; guards: AuthGuards }>;

export function createIdentity(deps: { stores: Stores; cache: Cache; log: Logger; settings: IdentitySettings }): IdentityModule {
  const service = createIdentityService(deps);
  const sessions = createGuards(service);
  return {
    name: 'identity',
    migrations: identityMigrations,
    routes: identityRoutes({ service, sessions, settings: deps.settings }),
    guards: sessions.guards,
    // Only the public surface: log-in and session handling stay behind the routes.
    service: { signUp: service.signUp, createAccount: service.createAccount, getAccount: service.getAccount },
  };
}
