import type { preHandlerAsyncHookHandler } from 'fastify';

export type Role = 'customer' | 'seller' | 'admin';

/** The signed-in account, as other modules see it. */
export type Account = Readonly<{ id: string; email: string; name: string; role: Role }>;

/** preHandlers other modules put on their routes. They answer 401/403 themselves. */
export type AuthGuards = Readonly<{
  /** 401 unless a valid session (cookie `atelier_session` or `Authorization: Bearer`) is presented. */
  requireAccount: preHandlerAsyncHookHandler;
  /** 401 without a session, 403 when the account has none of the roles. */
  requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
  /** Sets request.account when a valid session is presented; never refuses. */
  optionalAccount: preHandlerAsyncHookHandler;
}>;

export type IdentitySettings = Readonly<{
  idleMinutes: number;
  absoluteDays: number;
  cookieSecure: boolean;
  logicalShards: number;
  /** How long a session lookup is cached (see identity.session-cache.ts); 0 or unset: not cached. */
  cacheSeconds?: number;
}>;

export type IdentityService = Readonly<{
  signUp(input: { email: string; password: string; name: string; role: 'customer' | 'seller' }): Promise<Account>;
  /** For seeding and admin tooling: creates an account with any role. */
  createAccount(input: { email: string; password: string; name: string; role: Role }): Promise<Account>;
  /** The account, or null; may be up to ACCOUNT_CACHE_MS (5 s) old when another process changed it. */
  getAccount(id: string): Promise<Account | null>;
}>;

/** A live session as its owner sees it: never the token or its hash. */
export type SessionInfo = Readonly<{ id: string; createdAt: string; lastSeenAt: string; expiresAt: string }>;
