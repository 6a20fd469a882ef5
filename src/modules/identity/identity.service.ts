import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import { view } from '../../platform/postgres/database.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { isId, newCustomerId, newShardedId, shardOfId } from '../../shared/ids.ts';
import { identityErrors } from './identity.errors.ts';
import {
  hashPassword,
  makeDummyHash,
  needsRehash,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from './identity.passwords.ts';
import * as repo from './identity.repository.ts';
import type { IdentityCatalogTables, IdentityShardTables } from './identity.repository.ts';
import { createAccountCache } from './identity.account-cache.ts';
import { createSessionCache } from './identity.session-cache.ts';
import { hashToken, newSessionToken, parseSessionToken } from './identity.tokens.ts';
import type { Account, IdentityService, IdentitySettings, Role, SessionInfo } from './identity.types.ts';

export const EMAIL_MAX_LENGTH = 254;
export const NAME_MAX_LENGTH = 100;
/** Enough for a person switching between a few devices, bounded so the list stays one cheap page. */
const SESSIONS_LISTED = 100;
/**
 * An email-index row younger than this may belong to a sign-up still between its two writes, so
 * it is never taken over as an orphan; older and without its account, it is the trace of a crash.
 * Far longer than a sign-up's shard write can take, short enough that a crash costs a few minutes.
 */
export const ORPHAN_GRACE_SECONDS = 300;

// Deliberately loose: the schema checks the format strictly at the HTTP edge; this catches seeders
// and tools passing something that is plainly not an address.
const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** What the routes and guards need beyond the public service. */
export type IdentityInternals = IdentityService &
  Readonly<{
    logIn(email: string, password: string): Promise<{ account: Account; token: string }>;
    /** Issues a new token for an account; every log-in gets its own (rotation). */
    startSession(account: Account): Promise<string>;
    /** The account behind a token, or null for anything not a live session (never throws for bad input). */
    resolveToken(token: string): Promise<{ account: Account; sessionId: string } | null>;
    listSessions(accountId: string): Promise<SessionInfo[]>;
    /** Revokes one of the account's own live sessions; not found otherwise. */
    revokeSession(accountId: string, sessionId: string): Promise<void>;
  }>;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toAccount(row: { id: string; email: string; name: string; role: Role }): Account {
  return Object.freeze({ id: row.id, email: row.email, name: row.name, role: row.role });
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '23505';
}

export function createIdentityService(deps: { stores: Stores; cache: Cache; log: Logger; settings: IdentitySettings }): IdentityInternals {
  const { stores, settings } = deps;
  const log = deps.log.child({ module: 'identity' });
  const sessionCache = createSessionCache(deps.cache, settings.cacheSeconds ?? 0, log);
  // Anything here that changes an account's email, name or role must call accountCache.forget(id).
  const accountCache = createAccountCache();
  const catalog = view<IdentityCatalogTables>(stores.catalog.db);
  const shardOf = (logicalShard: number) => view<IdentityShardTables>(stores.shards.forShard(logicalShard).db);
  const shardForId = (id: string) => shardOf(shardOfId(id));
  /** Ids from outside (URLs) are checked before they route, so a stray id is "not found", not a crash. */
  const routable = (id: string) => isId(id) && shardOfId(id) < settings.logicalShards;

  // Computed once, in the background from start-up, so even the first unknown-email log-in costs one hash.
  let dummy: Promise<string> | null = null;
  const dummyHash = () => (dummy ??= makeDummyHash());
  dummyHash().catch((err: unknown) => {
    dummy = null;
    log.error({ err }, 'could not prepare the dummy password hash');
  });

  function checkInput(input: { email: string; password: string; name: string }): { email: string; name: string } {
    const email = normalizeEmail(input.email);
    if (email.length > EMAIL_MAX_LENGTH || !EMAIL_RE.test(email)) throw identityErrors.invalidEmail();
    const pw = [...input.password].length;
    if (pw < PASSWORD_MIN_LENGTH || pw > PASSWORD_MAX_LENGTH) throw identityErrors.passwordLength(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH);
    const name = input.name.trim();
    if (name.length === 0 || [...name].length > NAME_MAX_LENGTH) throw identityErrors.invalidName(NAME_MAX_LENGTH);
    return { email, name };
  }

  /**
   * Claims the email in the global index for a new account id. A row already there wins unless it
   * is an orphan: older than the grace period and naming an account its shard does not hold.
   */
  async function claimEmail(email: string, accountId: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await repo.claimEmail(catalog, email, accountId)) return;
      const holder = await repo.findEmailIndex(catalog, email);
      if (!holder) continue; // released by a failing sign-up between our insert and our read
      if (holder.age_seconds < ORPHAN_GRACE_SECONDS) throw identityErrors.emailTaken();
      if (routable(holder.account_id) && (await repo.findAccountById(shardForId(holder.account_id), holder.account_id))) {
        throw identityErrors.emailTaken();
      }
      if (await repo.takeOverEmail(catalog, email, holder.account_id, accountId)) {
        log.warn({ orphanAccountId: holder.account_id, accountId }, 'took over an orphaned email-index row');
        return;
      }
    }
    throw identityErrors.emailTaken();
  }

  async function createAccount(input: { email: string; password: string; name: string; role: Role }): Promise<Account> {
    const { email, name } = checkInput(input);
    // Hash before claiming the email, so the window between the two writes stays short.
    const passwordHash = await hashPassword(input.password);
    const id = newCustomerId(settings.logicalShards);
    await claimEmail(email, id);
    try {
      await repo.insertAccount(shardForId(id), { id, email, name, role: input.role, password_hash: passwordHash });
    } catch (err) {
      // Compensation: the claim must not outlive the failed account write. If this also fails, the
      // row is an orphan that the next sign-up with this email takes over after the grace period.
      await repo.releaseEmail(catalog, email, id).catch((releaseErr: unknown) => {
        log.error({ err: releaseErr, accountId: id }, 'could not release the email claim of a failed sign-up');
      });
      // The shard's own unique email: an account left behind without its index row.
      if (isUniqueViolation(err)) throw identityErrors.emailTaken();
      throw err;
    }
    log.info({ accountId: id, role: input.role }, 'account created');
    return toAccount({ id, email, name, role: input.role });
  }

  async function startSession(account: Account): Promise<string> {
    const shard = shardOfId(account.id);
    const token = newSessionToken(shard);
    await repo.insertSession(shardOf(shard), {
      id: newShardedId(shard),
      accountId: account.id,
      tokenHash: hashToken(token),
      absoluteDays: settings.absoluteDays,
    });
    return token;
  }

  return {
    createAccount,
    // Whatever a caller passes, self-service sign-up never makes an admin.
    signUp: (input) => createAccount({ ...input, role: input.role === 'seller' ? 'seller' : 'customer' }),

    async getAccount(id) {
      if (!routable(id)) return null;
      return accountCache.get(id, async () => {
        const row = await repo.findAccountById(shardForId(id), id);
        return row ? toAccount(row) : null;
      });
    },

    async logIn(rawEmail, password) {
      const email = normalizeEmail(rawEmail);
      const entry = email.length <= EMAIL_MAX_LENGTH ? await repo.findEmailIndex(catalog, email) : undefined;
      const found =
        entry && routable(entry.account_id) ? await repo.findAccountById(shardForId(entry.account_id), entry.account_id) : undefined;
      const row = found?.email === email ? found : undefined;
      // Always one argon2 verification, whether or not the account exists.
      const ok = await verifyPassword(row?.password_hash ?? (await dummyHash()), password);
      if (!row || !ok) throw identityErrors.invalidCredentials();
      if (needsRehash(row.password_hash)) {
        // Upgrading an old hash needs the plain password, which only a log-in has; best effort.
        await hashPassword(password)
          .then((h) => repo.updatePasswordHash(shardForId(row.id), row.id, h))
          .catch((err: unknown) => log.warn({ err, accountId: row.id }, 'could not upgrade a password hash'));
      }
      const account = toAccount(row);
      return { account, token: await startSession(account) };
    },

    startSession,

    async resolveToken(token) {
      const parsed = parseSessionToken(token, settings.logicalShards);
      if (!parsed) return null;
      const tokenHash = hashToken(token);
      return sessionCache.resolve(tokenHash, async () => {
        const row = await repo.resolveSession(shardOf(parsed.shard), tokenHash, settings.idleMinutes);
        return row ? { account: toAccount(row), sessionId: row.session_id } : null;
      });
    },

    async listSessions(accountId) {
      const rows = await repo.listLiveSessions(shardForId(accountId), accountId, settings.idleMinutes, SESSIONS_LISTED);
      return rows.map((r) => ({
        id: r.id,
        createdAt: r.created_at.toISOString(),
        lastSeenAt: r.last_seen_at.toISOString(),
        expiresAt: r.expires_at.toISOString(),
      }));
    },

    async revokeSession(accountId, sessionId) {
      // A session lives in its account's shard; an id minted elsewhere cannot be one of the caller's.
      if (!routable(sessionId) || shardOfId(sessionId) !== shardOfId(accountId)) throw identityErrors.sessionNotFound();
      const tokenHash = await repo.revokeSession(shardForId(accountId), accountId, sessionId);
      if (!tokenHash) throw identityErrors.sessionNotFound();
      // Anything else that ends a session or changes what it carries (a role change, a password
      // reset revoking every session) must forget the cached entry the same way.
      await sessionCache.forget(tokenHash);
    },
  };
}
