import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Cache } from '../../platform/cache/cache.ts';
import { view } from '../../platform/postgres/database.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { isDomainError } from '../../shared/errors.ts';
import { isId, newCustomerId, newShardedId, shardOfId } from '../../shared/ids.ts';
import { identityErrors } from './identity.errors.ts';
import {
  hashPassword,
  makeDummyHash,
  needsRehash,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordWeakness,
  verifyPassword,
} from './identity.passwords.ts';
import * as repo from './identity.repository.ts';
import type { IdentityCatalogTables, IdentityShardTables } from './identity.repository.ts';
import { createAccountCache } from './identity.account-cache.ts';
import { createSessionCache } from './identity.session-cache.ts';
import { hashToken, newDeviceToken, newSessionToken, parseSessionToken } from './identity.tokens.ts';
import type { Account, AccountDetail, IdentityService, IdentitySettings, LiveSession, Role, SessionInfo } from './identity.types.ts';
import type { AccountEmail } from '../notifications/index.ts';
import { enqueue, type JobSpec } from '../../platform/queue/queue.ts';
import type { AuditRecorder } from '../audit/index.ts';

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
    /**
     * Signs in with email and password. A new device token comes back when `device` is not one of
     * this account's known browsers, for the route to set as a cookie (see isKnownDevice).
     */
    logIn(email: string, password: string, device: string | null): Promise<{ account: Account; token: string; newDevice: string | null }>;
    /** True when `device` is a browser that signed in to this email's account before. */
    isKnownDevice(email: string, device: string): Promise<boolean>;
    /** Issues a new token for an account; every log-in gets its own (rotation). */
    startSession(account: Account): Promise<string>;
    /** The live session behind a token, or null for anything else (never throws for bad input). */
    resolveToken(token: string): Promise<LiveSession | null>;
    listSessions(accountId: string): Promise<SessionInfo[]>;
    /** Revokes one of the account's own live sessions; not found otherwise. */
    revokeSession(accountId: string, sessionId: string): Promise<void>;
    /** Revokes every live session of the account but `keepSessionId`, in one statement; how many ended. */
    revokeOtherSessions(accountId: string, keepSessionId: string): Promise<number>;
    /** Checks the password again and marks the session as recently authenticated. */
    reauthenticate(session: LiveSession, password: string): Promise<void>;
    /** Changes the password with the current one; every other session of the account ends. */
    changePassword(session: LiveSession, currentPassword: string, newPassword: string): Promise<void>;
    /** Emails a reset link when the email has an account; does nothing visible otherwise. */
    requestPasswordReset(email: string): Promise<void>;
    /** Spends a reset token: sets the password, verifies the email, ends every session. */
    resetPassword(token: string, newPassword: string): Promise<void>;
    /** Spends a verification token: the account's email is verified. */
    verifyEmail(token: string): Promise<void>;
  }>;

/** What a sign-up did; the route answers the same either way (identity.routes.ts). */
export type SignUpOutcome = Readonly<{ created: Account } | { existing: true }>;

/** The console's account cursor: the last email of a page, as base64url. */
function decodeEmailCursor(cursor: string): string {
  const email = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (email.length === 0 || email.length > EMAIL_MAX_LENGTH || email !== normalizeEmail(email)) throw identityErrors.invalidCursor();
  return email;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toAccount(row: { id: string; email: string; name: string; role: Role; email_verified_at: Date | null }): Account {
  return Object.freeze({ id: row.id, email: row.email, name: row.name, role: row.role, emailVerified: row.email_verified_at !== null });
}

/** Sellers and admins move money: their sessions are short and idle out soon (config.ts). */
const isStaff = (role: Role) => role !== 'customer';

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === '23505';
}

export function createIdentityService(deps: {
  stores: Stores;
  cache: Cache;
  log: Logger;
  settings: IdentitySettings;
  /** The send job for an account email (the notifications module's emailJob). */
  emailJob: (email: AccountEmail) => JobSpec;
  audit: AuditRecorder;
}): IdentityInternals {
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

  function checkNewPassword(password: string, personal: readonly string[], field: string): void {
    const n = [...password].length;
    if (n < PASSWORD_MIN_LENGTH || n > PASSWORD_MAX_LENGTH)
      throw identityErrors.passwordLength(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, field);
    const weakness = passwordWeakness(password, personal);
    if (weakness) throw identityErrors.weakPassword(weakness, field);
  }

  function checkInput(input: { email: string; password: string; name: string }): { email: string; name: string } {
    const email = normalizeEmail(input.email);
    if (email.length > EMAIL_MAX_LENGTH || !EMAIL_RE.test(email)) throw identityErrors.invalidEmail();
    const name = input.name.trim();
    if (name.length === 0 || [...name].length > NAME_MAX_LENGTH) throw identityErrors.invalidName(NAME_MAX_LENGTH);
    checkNewPassword(input.password, [email, name], 'body.password');
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

  const db = (id: string) => shardForId(id) as unknown as Kysely<unknown>;
  const link = (page: string, token?: string) => `${settings.publicUrl}/${page}${token ? `#token=${token}` : ''}`;

  /**
   * A new emailed token for the account and the email that carries it, in one transaction of the
   * account's shard (with whatever `also` writes): the email exists if and only if the token does.
   */
  async function sendToken(
    account: Account,
    purpose: repo.TokenPurpose,
    also?: (trx: Kysely<IdentityShardTables>) => Promise<void>,
  ): Promise<void> {
    const shard = shardOfId(account.id);
    const token = newSessionToken(shard);
    const tokenId = newShardedId(shard);
    const lifetimeSeconds = purpose === 'reset_password' ? settings.passwordResetMinutes * 60 : settings.emailVerifyHours * 3600;
    const kind = purpose === 'reset_password' ? 'account-password-reset' : 'account-verify-email';
    const page = purpose === 'reset_password' ? 'reset-password' : 'verify-email';
    await shardForId(account.id)
      .transaction()
      .execute(async (trx) => {
        await also?.(trx);
        await repo.replaceToken(trx, { id: tokenId, accountId: account.id, purpose, tokenHash: hashToken(token), lifetimeSeconds });
        await enqueue(
          trx as unknown as Kysely<unknown>,
          deps.emailJob({
            messageKey: `${kind}:${tokenId}`,
            to: account.email,
            kind,
            accountId: account.id,
            name: account.name,
            link: link(page, token),
          }),
        );
      });
  }

  async function createAccount(input: { email: string; password: string; name: string; role: Role }, verified = true): Promise<Account> {
    const { email, name } = checkInput(input);
    // Hash before claiming the email, so the window between the two writes stays short.
    const passwordHash = await hashPassword(input.password);
    const id = newCustomerId(settings.logicalShards);
    await claimEmail(email, id);
    const account = toAccount({ id, email, name, role: input.role, email_verified_at: verified ? new Date() : null });
    const row = { id, email, name, role: input.role, password_hash: passwordHash, email_verified_at: verified ? new Date() : null };
    try {
      if (verified) await repo.insertAccount(shardForId(id), row);
      else await sendToken(account, 'verify_email', (trx) => repo.insertAccount(trx, row));
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
    return account;
  }

  /** The account an email belongs to, found through the index; undefined for anything else. */
  async function accountByEmail(rawEmail: string): Promise<repo.AccountRow | undefined> {
    const email = normalizeEmail(rawEmail);
    const entry = email.length <= EMAIL_MAX_LENGTH ? await repo.findEmailIndex(catalog, email) : undefined;
    const found =
      entry && routable(entry.account_id) ? await repo.findAccountById(shardForId(entry.account_id), entry.account_id) : undefined;
    return found?.email === email ? found : undefined;
  }

  /**
   * A sign-up with an email that has an account: the owner is told, and can sign in or reset the
   * password from the email. At most one such email an hour per account (the message key: the
   * send log sends a key once), so a stranger cannot flood an owner's inbox.
   */
  async function tellOwner(email: string): Promise<void> {
    const row = await accountByEmail(email);
    if (!row) return;
    const hour = Math.floor(Date.now() / 3_600_000);
    await enqueue(
      db(row.id),
      deps.emailJob({
        messageKey: `account-exists:${row.id}:${hour}`,
        to: row.email,
        kind: 'account-exists',
        accountId: row.id,
        name: row.name,
        link: link('reset-password'),
      }),
    );
  }

  async function startSession(account: Account): Promise<string> {
    const shard = shardOfId(account.id);
    const token = newSessionToken(shard);
    const staff = isStaff(account.role);
    await repo.insertSession(shardOf(shard), {
      id: newShardedId(shard),
      accountId: account.id,
      tokenHash: hashToken(token),
      absoluteSeconds: staff
        ? Math.min(settings.staffAbsoluteHours * 3600, settings.absoluteDays * 86_400)
        : settings.absoluteDays * 86_400,
      idleMinutes: staff ? Math.min(settings.staffIdleMinutes, settings.idleMinutes) : settings.idleMinutes,
    });
    return token;
  }

  /** Ends sessions in the database and in every node's session cache. */
  async function forgetAll(hashes: readonly Buffer[]): Promise<void> {
    await Promise.all(hashes.map((h) => sessionCache.forget(h)));
  }

  async function passwordChangedEmail(account: { id: string; email: string; name: string }): Promise<void> {
    await enqueue(
      db(account.id),
      deps.emailJob({
        messageKey: `account-password-changed:${newShardedId(shardOfId(account.id))}`,
        to: account.email,
        kind: 'account-password-changed',
        accountId: account.id,
        name: account.name,
        link: link('reset-password'),
      }),
    );
  }

  /** The account behind an emailed token of this purpose, spent; invalid otherwise. */
  async function spend(token: string, purpose: repo.TokenPurpose): Promise<repo.AccountRow> {
    const parsed = parseSessionToken(token, settings.logicalShards);
    const accountId = parsed ? await repo.spendToken(shardOf(parsed.shard), hashToken(token), purpose) : undefined;
    const row = accountId ? await repo.findAccountById(shardForId(accountId), accountId) : undefined;
    if (!row) throw identityErrors.invalidToken();
    return row;
  }

  const toDetail = (row: repo.AccountListRow): AccountDetail =>
    Object.freeze({ ...toAccount(row), createdAt: row.created_at.toISOString() });

  return {
    createAccount: (input) => createAccount(input),

    async becomeSeller(actor) {
      const id = actor.accountId;
      const row = await shardForId(id)
        .transaction()
        .execute(async (trx) => {
          // Compare-and-set: of two requests at once, one changes the role and records it, the other is told.
          const changed = await repo.changeRole(trx, id, 'customer', 'seller');
          if (!changed) throw identityErrors.alreadySeller();
          await deps.audit.record(trx as unknown as Kysely<unknown>, actor, {
            action: 'account.became_seller',
            targetType: 'account',
            targetId: id,
            before: { role: 'customer' },
            after: { role: 'seller' },
          });
          return changed;
        });
      // The guards read the role from the session lookup: every cached copy of it must go.
      accountCache.forget(id);
      await forgetAll(await repo.sessionHashesOf(shardForId(id), id));
      log.info({ accountId: id }, 'customer became a seller');
      return toAccount(row);
    },

    async accountDetail(id) {
      if (!routable(id)) return null;
      const row = await repo.accountDetail(shardForId(id), id);
      return row ? toDetail(row) : null;
    },

    async searchAccounts(query) {
      const after = query.cursor === undefined ? null : decodeEmailCursor(query.cursor);
      const q = query.q?.trim() || null;
      const filter = { q, role: query.role ?? null, after, limit: query.limit + 1 };
      // Every shard database answers its first page by email; merged, the first `limit` are the page.
      const found = (
        await Promise.all(stores.shards.databases.map((d) => repo.searchAccounts(view<IdentityShardTables>(d.db), filter)))
      ).flat();
      found.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
      const more = found.length > query.limit;
      const page = found.slice(0, query.limit);
      const last = page[page.length - 1];
      return { items: page.map(toDetail), nextCursor: more && last ? Buffer.from(last.email).toString('base64url') : null };
    },
    /**
     * Self-service: never an admin, and the email is unverified until its link is opened. An email
     * that has an account creates nothing and tells its owner; the caller cannot tell the two apart.
     */
    async signUp(input) {
      try {
        const created = await createAccount({ ...input, role: input.role === 'seller' ? 'seller' : 'customer' }, false);
        return { created };
      } catch (err) {
        if (!(isDomainError(err) && err.code === 'IDENTITY_EMAIL_TAKEN')) throw err;
        await tellOwner(input.email);
        return { existing: true };
      }
    },

    async getAccount(id) {
      if (!routable(id)) return null;
      return accountCache.get(id, async () => {
        const row = await repo.findAccountById(shardForId(id), id);
        return row ? toAccount(row) : null;
      });
    },

    async findAccountByEmail(rawEmail) {
      const row = await accountByEmail(rawEmail);
      return row ? toAccount(row) : null;
    },

    async logIn(rawEmail, password, device) {
      const row = await accountByEmail(rawEmail);
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
      let newDevice: string | null = null;
      if (!device || !(await repo.isDeviceOf(shardForId(row.id), row.id, hashToken(device)))) {
        newDevice = newDeviceToken();
        await repo.insertDevice(shardForId(row.id), row.id, hashToken(newDevice));
      }
      return { account, token: await startSession(account), newDevice };
    },

    async isKnownDevice(rawEmail, device) {
      const email = normalizeEmail(rawEmail);
      const entry = email.length <= EMAIL_MAX_LENGTH ? await repo.findEmailIndex(catalog, email) : undefined;
      if (!entry || !routable(entry.account_id)) return false;
      return repo.isDeviceOf(shardForId(entry.account_id), entry.account_id, hashToken(device));
    },

    startSession,

    async resolveToken(token) {
      const parsed = parseSessionToken(token, settings.logicalShards);
      if (!parsed) return null;
      const tokenHash = hashToken(token);
      const load = async (): Promise<LiveSession | null> => {
        const row = await repo.resolveSession(shardOf(parsed.shard), tokenHash, settings.idleMinutes);
        return row
          ? {
              account: toAccount(row),
              sessionId: row.session_id,
              authenticatedAt: row.authenticated_at.toISOString(),
              expiresAt: row.expires_at.toISOString(),
            }
          : null;
      };
      const found = await sessionCache.resolve(tokenHash, load);
      // A cached lookup outlives nothing: past its absolute expiry the session is over on every node
      // (the idle limit needs no such check: each load refreshes last-seen, and the cache TTL is far
      // below any idle limit). An entry without the expiry was cached by an older version: reload.
      if (found && !(Date.parse(found.expiresAt) > Date.now())) {
        await sessionCache.forget(tokenHash);
        return load();
      }
      return found;
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

    async revokeOtherSessions(accountId, keepSessionId) {
      const ended = await repo.revokeSessionsOf(shardForId(accountId), accountId, keepSessionId);
      await forgetAll(ended);
      return ended.length;
    },

    async reauthenticate(session, password) {
      const row = await repo.findAccountById(shardForId(session.account.id), session.account.id);
      if (!row || !(await verifyPassword(row.password_hash, password))) throw identityErrors.invalidCredentials('body.password');
      const tokenHash = await repo.markAuthenticated(shardForId(row.id), session.sessionId);
      if (tokenHash) await sessionCache.forget(tokenHash);
    },

    async changePassword(session, currentPassword, newPassword) {
      const id = session.account.id;
      const row = await repo.findAccountById(shardForId(id), id);
      if (!row || !(await verifyPassword(row.password_hash, currentPassword)))
        throw identityErrors.invalidCredentials('body.currentPassword');
      checkNewPassword(newPassword, [row.email, row.name], 'body.newPassword');
      const passwordHash = await hashPassword(newPassword);
      const { ended, own } = await shardForId(id)
        .transaction()
        .execute(async (trx) => {
          await repo.updatePasswordHash(trx, id, passwordHash);
          // Whoever else knew the old password is signed out; this session has just proved it.
          return {
            own: await repo.markAuthenticated(trx, session.sessionId),
            ended: await repo.revokeSessionsOf(trx, id, session.sessionId),
          };
        });
      await forgetAll(own ? [...ended, own] : ended);
      await passwordChangedEmail(row).catch((err: unknown) =>
        log.error({ err, accountId: id }, 'could not queue the password-changed email'),
      );
      log.info({ accountId: id, sessionsEnded: ended.length }, 'password changed');
    },

    async requestPasswordReset(email) {
      const row = await accountByEmail(email);
      if (!row) return;
      await sendToken(toAccount(row), 'reset_password');
      log.info({ accountId: row.id }, 'password reset requested');
    },

    async resetPassword(token, newPassword) {
      // The token is checked before the password, so a stranger learns nothing about the account
      // from the password rules; a weak password after a good token spends nothing.
      const parsed = parseSessionToken(token, settings.logicalShards);
      if (!parsed) throw identityErrors.invalidToken();
      const holder = await shardOf(parsed.shard)
        .selectFrom('identity_tokens')
        .innerJoin('identity_accounts', 'identity_accounts.id', 'identity_tokens.account_id')
        .select(['identity_accounts.email', 'identity_accounts.name'])
        .where('identity_tokens.token_hash', '=', hashToken(token))
        .executeTakeFirst();
      if (holder) checkNewPassword(newPassword, [holder.email, holder.name], 'body.newPassword');
      const passwordHash = await hashPassword(newPassword);
      const row = await spend(token, 'reset_password');
      const ended = await shardForId(row.id)
        .transaction()
        .execute(async (trx) => {
          await repo.updatePasswordHash(trx, row.id, passwordHash);
          // Opening the emailed link proved the address, as verification does.
          await repo.markEmailVerified(trx, row.id);
          return repo.revokeSessionsOf(trx, row.id, null);
        });
      await forgetAll(ended);
      accountCache.forget(row.id);
      await passwordChangedEmail(row).catch((err: unknown) =>
        log.error({ err, accountId: row.id }, 'could not queue the password-changed email'),
      );
      log.info({ accountId: row.id }, 'password reset');
    },

    async verifyEmail(token) {
      const row = await spend(token, 'verify_email');
      await repo.markEmailVerified(shardForId(row.id), row.id);
      accountCache.forget(row.id);
      // Cached sessions carry the account as it was: they show the address verified at once too.
      await forgetAll(await repo.sessionHashesOf(shardForId(row.id), row.id));
      log.info({ accountId: row.id }, 'email verified');
    },
  };
}
