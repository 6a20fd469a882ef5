import { sql, type Generated, type Kysely } from 'kysely';
import type { Role } from './identity.types.ts';

/** The identity tables in a shard database. */
export type IdentityShardTables = {
  identity_accounts: {
    id: string;
    email: string;
    name: string;
    role: Role;
    password_hash: string;
    email_verified_at: Date | null;
    created_at: Generated<Date>;
  };
  identity_sessions: {
    id: string;
    account_id: string;
    token_hash: Buffer;
    created_at: Generated<Date>;
    last_seen_at: Generated<Date>;
    expires_at: Date;
    revoked_at: Date | null;
    authenticated_at: Generated<Date>;
    idle_minutes: number | null;
  };
  identity_tokens: {
    id: string;
    account_id: string;
    purpose: TokenPurpose;
    token_hash: Buffer;
    created_at: Generated<Date>;
    expires_at: Date;
    used_at: Date | null;
  };
  identity_devices: { token_hash: Buffer; account_id: string; created_at: Generated<Date> };
};

/** What an emailed token is for: each is accepted only for its own purpose. */
export type TokenPurpose = 'verify_email' | 'reset_password';

/** The identity table in the catalog store. */
export type IdentityCatalogTables = {
  identity_email_index: { email: string; account_id: string; created_at: Generated<Date> };
};

type ShardDb = Kysely<IdentityShardTables>;
type CatalogDb = Kysely<IdentityCatalogTables>;

export type AccountRow = Readonly<{
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  email_verified_at: Date | null;
}>;
export type SessionRow = Readonly<{ id: string; created_at: Date; last_seen_at: Date; expires_at: Date }>;
export type ResolvedSessionRow = Readonly<{
  session_id: string;
  id: string;
  email: string;
  name: string;
  role: Role;
  email_verified_at: Date | null;
  authenticated_at: Date;
  expires_at: Date;
}>;

// ---- catalog store: the email index ----

/** Claims an email for an account; false when some row already holds it. */
export async function claimEmail(db: CatalogDb, email: string, accountId: string): Promise<boolean> {
  const row = await db
    .insertInto('identity_email_index')
    .values({ email, account_id: accountId })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning('email')
    .executeTakeFirst();
  return row !== undefined;
}

export async function findEmailIndex(db: CatalogDb, email: string): Promise<{ account_id: string; age_seconds: number } | undefined> {
  return db
    .selectFrom('identity_email_index')
    .select(['account_id', sql<number>`extract(epoch from now() - created_at)::float8`.as('age_seconds')])
    .where('email', '=', email)
    .executeTakeFirst();
}

/**
 * Moves an index row from an orphaned account to a new one. Compare-and-set on the old account id,
 * so of two sign-ups racing to take over the same orphan exactly one wins.
 */
export async function takeOverEmail(db: CatalogDb, email: string, fromAccountId: string, toAccountId: string): Promise<boolean> {
  const r = await db
    .updateTable('identity_email_index')
    .set({ account_id: toAccountId, created_at: sql<Date>`now()` })
    .where('email', '=', email)
    .where('account_id', '=', fromAccountId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Compensation for a sign-up whose shard write failed; touches only the row that sign-up claimed. */
export async function releaseEmail(db: CatalogDb, email: string, accountId: string): Promise<void> {
  await db.deleteFrom('identity_email_index').where('email', '=', email).where('account_id', '=', accountId).execute();
}

// ---- shard: accounts ----

export async function insertAccount(db: ShardDb, row: AccountRow): Promise<void> {
  await db.insertInto('identity_accounts').values(row).execute();
}

export async function findAccountById(db: ShardDb, id: string): Promise<AccountRow | undefined> {
  return db
    .selectFrom('identity_accounts')
    .select(['id', 'email', 'name', 'role', 'password_hash', 'email_verified_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updatePasswordHash(db: ShardDb, id: string, passwordHash: string): Promise<void> {
  await db.updateTable('identity_accounts').set({ password_hash: passwordHash }).where('id', '=', id).execute();
}

// ---- shard: sessions ----

export async function insertSession(
  db: ShardDb,
  row: { id: string; accountId: string; tokenHash: Buffer; absoluteSeconds: number; idleMinutes: number },
): Promise<SessionRow> {
  return db
    .insertInto('identity_sessions')
    .values({
      id: row.id,
      account_id: row.accountId,
      token_hash: row.tokenHash,
      // The database clock decides every expiry, so nodes with skewed clocks agree.
      expires_at: sql<Date>`now() + make_interval(secs => ${row.absoluteSeconds})`,
      idle_minutes: row.idleMinutes,
    })
    .returning(['id', 'created_at', 'last_seen_at', 'expires_at'])
    .executeTakeFirstOrThrow();
}

/**
 * Resolves a live session and its account in one round trip. The data-modifying CTE refreshes
 * `last_seen_at` only when it is more than a minute old, so a busy client does not write a row
 * version on every request; the select still sees the value from before the refresh.
 */
export async function resolveSession(db: ShardDb, tokenHash: Buffer, idleMinutes: number): Promise<ResolvedSessionRow | undefined> {
  const { rows } = await sql<ResolvedSessionRow>`
    with live as (
      select s.id as session_id, a.id, a.email, a.name, a.role, a.email_verified_at, s.authenticated_at, s.expires_at, s.last_seen_at
      from identity_sessions s
      join identity_accounts a on a.id = s.account_id
      where s.token_hash = ${tokenHash}
        and s.revoked_at is null
        and s.expires_at > now()
        and s.last_seen_at > now() - make_interval(mins => coalesce(s.idle_minutes, ${idleMinutes}))
    ), touched as (
      update identity_sessions set last_seen_at = now()
      where id = (select session_id from live) and last_seen_at < now() - interval '1 minute'
    )
    select session_id, id, email, name, role, email_verified_at, authenticated_at, expires_at from live
  `.execute(db);
  return rows[0];
}

export async function listLiveSessions(db: ShardDb, accountId: string, idleMinutes: number, limit: number): Promise<SessionRow[]> {
  return db
    .selectFrom('identity_sessions')
    .select(['id', 'created_at', 'last_seen_at', 'expires_at'])
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .where('last_seen_at', '>', sql<Date>`now() - make_interval(mins => coalesce(idle_minutes, ${idleMinutes}))`)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

/**
 * Revokes a live session, only if it belongs to the account (someone else's session id changes
 * nothing). Answers its token hash, to drop it from the session cache, or null when there was none.
 */
export async function revokeSession(db: ShardDb, accountId: string, sessionId: string): Promise<Buffer | null> {
  const r = await db
    .updateTable('identity_sessions')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', sessionId)
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .returning('token_hash')
    .executeTakeFirst();
  return r?.token_hash ?? null;
}

/**
 * Revokes every live session of the account but `keepSessionId` (null: all of them), after a
 * password change or reset. Answers their token hashes, to drop them from the session cache.
 */
export async function revokeSessionsOf(db: ShardDb, accountId: string, keepSessionId: string | null): Promise<Buffer[]> {
  let q = db
    .updateTable('identity_sessions')
    .set({ revoked_at: sql<Date>`now()` })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null);
  if (keepSessionId) q = q.where('id', '!=', keepSessionId);
  const rows = await q.returning('token_hash').execute();
  return rows.map((r) => r.token_hash);
}

/** Records that the session's holder just proved the password; answers its token hash (for the cache). */
export async function markAuthenticated(db: ShardDb, sessionId: string): Promise<Buffer | null> {
  const r = await db
    .updateTable('identity_sessions')
    .set({ authenticated_at: sql<Date>`now()` })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .returning('token_hash')
    .executeTakeFirst();
  return r?.token_hash ?? null;
}

// ---- shard: emailed tokens and known devices ----

/** A new emailed token; the account's earlier unused tokens of the same purpose stop working. */
export async function replaceToken(
  db: ShardDb,
  row: { id: string; accountId: string; purpose: TokenPurpose; tokenHash: Buffer; lifetimeSeconds: number },
): Promise<void> {
  await db
    .updateTable('identity_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('account_id', '=', row.accountId)
    .where('purpose', '=', row.purpose)
    .where('used_at', 'is', null)
    .execute();
  await db
    .insertInto('identity_tokens')
    .values({
      id: row.id,
      account_id: row.accountId,
      purpose: row.purpose,
      token_hash: row.tokenHash,
      expires_at: sql<Date>`now() + make_interval(secs => ${row.lifetimeSeconds})`,
    })
    .execute();
}

/**
 * Spends a live token: one update, so of two requests racing with the same token exactly one
 * gets the account id. Unknown, used, expired and other-purpose tokens all answer undefined.
 */
export async function spendToken(db: ShardDb, tokenHash: Buffer, purpose: TokenPurpose): Promise<string | undefined> {
  const r = await db
    .updateTable('identity_tokens')
    .set({ used_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('account_id')
    .executeTakeFirst();
  return r?.account_id;
}

export async function markEmailVerified(db: ShardDb, accountId: string): Promise<void> {
  await db
    .updateTable('identity_accounts')
    .set({ email_verified_at: sql<Date>`now()` })
    .where('id', '=', accountId)
    .where('email_verified_at', 'is', null)
    .execute();
}

export async function insertDevice(db: ShardDb, accountId: string, tokenHash: Buffer): Promise<void> {
  await db.insertInto('identity_devices').values({ account_id: accountId, token_hash: tokenHash }).execute();
}

export async function isDeviceOf(db: ShardDb, accountId: string, tokenHash: Buffer): Promise<boolean> {
  const r = await db
    .selectFrom('identity_devices')
    .select('account_id')
    .where('token_hash', '=', tokenHash)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return r !== undefined;
}

/** The token hashes of the account's unrevoked sessions: to drop them from the session cache after the account changed. */
export async function sessionHashesOf(db: ShardDb, accountId: string): Promise<Buffer[]> {
  const rows = await db
    .selectFrom('identity_sessions')
    .select('token_hash')
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .execute();
  return rows.map((r) => r.token_hash);
}

// ---- shard: roles and the console's look-ups

export type AccountListRow = Readonly<{
  id: string;
  email: string;
  name: string;
  role: Role;
  email_verified_at: Date | null;
  created_at: Date;
}>;

/** Moves the account from one role to another; undefined when it does not have `from` (compare-and-set). */
export async function changeRole(db: ShardDb, id: string, from: Role, to: Role): Promise<AccountListRow | undefined> {
  return db
    .updateTable('identity_accounts')
    .set({ role: to })
    .where('id', '=', id)
    .where('role', '=', from)
    .returning(['id', 'email', 'name', 'role', 'email_verified_at', 'created_at'])
    .executeTakeFirst();
}

export async function accountDetail(db: ShardDb, id: string): Promise<AccountListRow | undefined> {
  return db
    .selectFrom('identity_accounts')
    .select(['id', 'email', 'name', 'role', 'email_verified_at', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** `%`, `_` and `\\` in what a person typed match themselves. */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One shard's accounts for the console, by email after `after`: email by prefix, name anywhere in it, any case. */
export async function searchAccounts(
  db: ShardDb,
  f: { q: string | null; role: Role | null; after: string | null; limit: number },
): Promise<AccountListRow[]> {
  let query = db.selectFrom('identity_accounts').select(['id', 'email', 'name', 'role', 'email_verified_at', 'created_at']);
  if (f.q !== null) {
    const q = likeEscaped(f.q);
    query = query.where((eb) => eb.or([eb('email', 'like', `${q.toLowerCase()}%`), eb('name', 'ilike', `%${q}%`)]));
  }
  if (f.role !== null) query = query.where('role', '=', f.role);
  // Byte order ("C"), not the database's collation: the pages of every shard are merged in
  // JavaScript, and a cursor must mean the same position in each database and in the merge.
  if (f.after !== null) query = query.where(sql`email collate "C"`, '>', f.after);
  return query
    .orderBy(sql`email collate "C"`)
    .limit(f.limit)
    .execute();
}
