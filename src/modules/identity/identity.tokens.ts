import { createHash, randomBytes } from 'node:crypto';

/**
 * Session tokens (and the single-use tokens sent by email, which route the same way) are `<logical shard, base 36>.<32 random bytes, base64url>`. The prefix routes the
 * lookup to one shard with no directory; the random part is the secret. Only its SHA-256 is stored,
 * so a leaked database does not hand out live sessions (no salt is needed: 256 random bits cannot be
 * guessed from their hash).
 */
const TOKEN_RE = /^([0-9a-z]{1,3})\.([A-Za-z0-9_-]{43})$/;

export function newSessionToken(logicalShard: number): string {
  return `${logicalShard.toString(36)}.${randomBytes(32).toString('base64url')}`;
}

/** The logical shard a token belongs to, or null when it is not a token we could have issued. */
export function parseSessionToken(token: string, logicalShards: number): { shard: number } | null {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const shard = parseInt(m[1]!, 36);
  if (!Number.isInteger(shard) || shard >= logicalShards) return null;
  return { shard };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * A browser's device token: set as a cookie at log-in, stored hashed with the account. Not a
 * credential; it only exempts a browser that signed in before from the account's hourly cap on
 * password guesses (app/http.ts), so an attacker spending the cap cannot lock the owner out.
 */
export function newDeviceToken(): string {
  return randomBytes(32).toString('base64url');
}
