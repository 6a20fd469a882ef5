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
import { createIdentityPages, createSessionCookies, type IdentityPages } from './identity.web-sessions.ts';
import type { Account, AuthGuards, IdentityService, IdentitySettings } from './identity.types.ts';
import type { AccountEmail } from '../notifications/index.ts';
import type { JobSpec } from '../../platform/queue/queue.ts';
import type { AuditRecorder } from '../audit/index.ts';

export type {
  Account,
  AccountDetail,
  AccountQuery,
  AuthGuards,
  IdentityService,
  IdentitySettings,
  LiveSession,
  Role,
  SessionInfo,
} from './identity.types.ts';
export { identityMigrations };
/** How stale getAccount may be after another process changed an account (see identity.account-cache.ts). */
export { ACCOUNT_CACHE_MS } from './identity.account-cache.ts';
/** The session and device cookies' names (`__Host-` prefixed when Secure: cookieName), for clients and tests. */
export { cookieName, DEVICE_COOKIE, SESSION_COOKIE } from './identity.guards.ts';
/** What a route's guard requires, for the OpenAPI document's security (app/http.ts). */
export { guardRequirement, type GuardRequirement } from './identity.guards.ts';
export type { IdentityPages } from './identity.web-sessions.ts';
/** The request schemas, so a page's form is checked by the same rules as the API (sign-up, reset). */
export { SignUpBody, ResetConfirmBody } from './identity.schemas.ts';
export { PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH } from './identity.passwords.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the identity guards on routes that use them. */
    account?: Account;
    /** Set on log-in when the browser signed in to the account before (the rate limits read it). */
    knownDevice?: boolean;
  }
}

export type IdentityModule = ModuleDefinition &
  Readonly<{
    service: IdentityService;
    guards: AuthGuards;
    /** Sign-in, sign-out and sessions for the storefront's pages: the JSON routes' own code and cookies. */
    pages: IdentityPages;
  }>;

export function createIdentity(deps: {
  stores: Stores;
  cache: Cache;
  log: Logger;
  settings: IdentitySettings;
  /** The notifications module's send job, for account emails (verification, reset, notices). */
  emailJob: (email: AccountEmail) => JobSpec;
  /** Records the account changes people make (becoming a seller). */
  audit: AuditRecorder;
}): IdentityModule {
  const service = createIdentityService(deps);
  const sessions = createGuards(service, deps.settings);
  const cookies = createSessionCookies(deps.settings);
  const pages = createIdentityPages(service, sessions, cookies);
  return {
    name: 'identity',
    migrations: identityMigrations,
    routes: identityRoutes({ service, sessions, settings: deps.settings, cookies, pages }),
    guards: sessions.guards,
    pages,
    // Only the public surface: log-in and session handling stay behind the routes.
    service: {
      signUp: service.signUp,
      createAccount: service.createAccount,
      getAccount: service.getAccount,
      becomeSeller: service.becomeSeller,
      accountDetail: service.accountDetail,
      searchAccounts: service.searchAccounts,
      findAccountByEmail: service.findAccountByEmail,
    },
  };
}
