// STUB: the identity helper replaces this file. The exported names and types below are the contract
// other modules and app/container.ts rely on; keep them.
import type { preHandlerAsyncHookHandler } from 'fastify';
import type { Logger } from 'pino';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { ModuleMigrations } from '../../platform/postgres/migrations.ts';
import type { Stores } from '../../platform/postgres/stores.ts';

export type Role = 'customer' | 'seller' | 'admin';

/** The signed-in account, as other modules see it. */
export type Account = Readonly<{ id: string; email: string; name: string; role: Role }>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the identity guards on routes that use them. */
    account?: Account;
  }
}

/** preHandlers other modules put on their routes. They answer 401/403 themselves. */
export type AuthGuards = Readonly<{
  /** 401 unless a valid session (cookie `atelier_session` or `Authorization: Bearer`) is presented. */
  requireAccount: preHandlerAsyncHookHandler;
  /** 401 without a session, 403 when the account has none of the roles. */
  requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
  /** Sets request.account when a valid session is presented; never refuses. */
  optionalAccount: preHandlerAsyncHookHandler;
}>;

export type IdentitySettings = Readonly<{ idleMinutes: number; absoluteDays: number; cookieSecure: boolean; logicalShards: number }>;

export type IdentityService = Readonly<{
  signUp(input: { email: string; password: string; name: string; role: 'customer' | 'seller' }): Promise<Account>;
  /** For seeding and admin tooling: creates an account with any role. */
  createAccount(input: { email: string; password: string; name: string; role: Role }): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
}>;

export type IdentityModule = ModuleDefinition & Readonly<{ service: IdentityService; guards: AuthGuards }>;

export const identityMigrations: ModuleMigrations = { module: 'identity' };

export function createIdentity(_deps: { stores: Stores; log: Logger; settings: IdentitySettings }): IdentityModule {
  const pass: preHandlerAsyncHookHandler = async () => {};
  const notYet = async (): Promise<never> => {
    throw new Error('identity not built yet');
  };
  return {
    name: 'identity',
    migrations: identityMigrations,
    guards: { requireAccount: pass, requireRole: () => pass, optionalAccount: pass },
    service: { signUp: notYet, createAccount: notYet, getAccount: notYet },
  };
}
