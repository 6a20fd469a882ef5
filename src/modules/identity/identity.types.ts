import type { preHandlerAsyncHookHandler } from 'fastify';
import type { AuditActor } from '../audit/index.ts';

export type Role = 'customer' | 'seller' | 'admin';

/** The signed-in account, as other modules see it. */
export type Account = Readonly<{
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Whether the owner opened the link sent to the email (sign-up) or reset the password by email. */
  emailVerified: boolean;
}>;

/** preHandlers other modules put on their routes. They answer 401/403 themselves. */
export type AuthGuards = Readonly<{
  /** 401 unless a valid session (cookie `atelier_session` or `Authorization: Bearer`) is presented. */
  requireAccount: preHandlerAsyncHookHandler;
  /** 401 without a session, 403 when the account has none of the roles. */
  requireRole(...roles: Role[]): preHandlerAsyncHookHandler;
  /** Sets request.account when a valid session is presented; never refuses. */
  optionalAccount: preHandlerAsyncHookHandler;
  /**
   * For sensitive changes (webhook endpoints, password change): 401 without a session; a seller or
   * admin whose session last proved the password more than SESSION_REAUTH_MINUTES ago gets 403
   * IDENTITY_REAUTHENTICATION_REQUIRED. Customers are not asked again.
   */
  requireRecentAuth: preHandlerAsyncHookHandler;
}>;

export type IdentitySettings = Readonly<{
  /** Customers' idle and absolute limits. */
  idleMinutes: number;
  absoluteDays: number;
  /** Sellers' and admins' (capped by the customers' limits too). */
  staffIdleMinutes: number;
  staffAbsoluteHours: number;
  /** How long a seller's or admin's password entry counts as recent (requireRecentAuth). */
  reauthMinutes: number;
  passwordResetMinutes: number;
  emailVerifyHours: number;
  /** Links in account emails start with this (no trailing slash). */
  publicUrl: string;
  cookieSecure: boolean;
  logicalShards: number;
  /** How long a session lookup is cached (see identity.session-cache.ts); 0 or unset: not cached. */
  cacheSeconds?: number;
}>;

export type IdentityService = Readonly<{
  /**
   * A new, unverified account (a verification email is queued), or, for an email that has an
   * account, nothing but an email to its owner. Callers must answer both alike.
   */
  signUp(input: {
    email: string;
    password: string;
    name: string;
    role: 'customer' | 'seller';
  }): Promise<Readonly<{ created: Account } | { existing: true }>>;
  /** For seeding and admin tooling: creates an account with any role, its email taken as verified. */
  createAccount(input: { email: string; password: string; name: string; role: Role }): Promise<Account>;
  /** The account, or null; may be up to ACCOUNT_CACHE_MS (5 s) old when another process changed it. */
  getAccount(id: string): Promise<Account | null>;
  /**
   * A customer becomes a seller (issue 15's onboarding), audited in the same transaction; the
   * account's cached sessions are forgotten on every node, so its next request carries the role.
   * A seller or admin gets IDENTITY_ALREADY_SELLER (conflict).
   */
  becomeSeller(actor: AuditActor): Promise<Account>;
  /** For the console: the account with when it was made, or null. Uncached. */
  accountDetail(id: string): Promise<AccountDetail | null>;
  /**
   * For the console: accounts whose email starts with `q` or whose name contains it, by email, a
   * page at a time from every shard database (`cursor`: the last email of the page before).
   */
  searchAccounts(query: AccountQuery): Promise<Readonly<{ items: AccountDetail[]; nextCursor: string | null }>>;
  /** The account of an email (any case, surrounding spaces ignored), or null: the operator's look-ups. */
  findAccountByEmail(email: string): Promise<Account | null>;
}>;

export type AccountDetail = Account & Readonly<{ createdAt: string }>;
export type AccountQuery = Readonly<{ q?: string; role?: Role; cursor?: string; limit: number }>;

/** A live session as its owner sees it: never the token or its hash. */
export type SessionInfo = Readonly<{ id: string; createdAt: string; lastSeenAt: string; expiresAt: string }>;

/** A session as the guards see it: whose it is, and when its holder last proved the password. */
export type LiveSession = Readonly<{
  account: Account;
  sessionId: string;
  /** When the holder last entered the password (log-in, re-authentication, password change). */
  authenticatedAt: string;
  /** The absolute expiry: checked on every use, also when the lookup is served from the cache. */
  expiresAt: string;
}>;
