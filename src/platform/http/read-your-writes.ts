import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLsn } from '../postgres/replicas.lag.ts';
import type { ReplicaSet } from '../postgres/replicas.ts';

/**
 * Read-your-writes across API nodes, by WAL position (see postgres/replicas.ts). After a write
 * the response carries the primary's WAL position in a cookie (browsers) and a header (API
 * clients, which send it back as a request header). While a client holds one, its catalog reads
 * skip the shared caches and run on a replica that has replayed that position, else on the
 * primary. The cookie lives for the read-your-writes window: long enough for every replica in
 * rotation to have the write and for every cache that could hold an older page to have dropped it.
 *
 * The value is not signed. Forging one gains a client nothing but uncached reads of its own,
 * which any client already gets by asking for a page nobody has asked for; rate limits answer
 * both. A value that is not a WAL position is ignored.
 */
export const WRITE_POSITION_COOKIE = 'atelier_catalog_lsn';
export const WRITE_POSITION_HEADER = 'atelier-catalog-lsn';

/** The WAL position this client last wrote at, when replicas are in use and it sent one. */
export function clientWritePosition(request: FastifyRequest, replicas: Pick<ReplicaSet, 'enabled'>): string | null {
  if (!replicas.enabled) return null;
  const header = request.headers[WRITE_POSITION_HEADER];
  const given = typeof header === 'string' ? header : request.cookies?.[WRITE_POSITION_COOKIE];
  return given && isLsn(given) ? given : null;
}

/** Hands the client the primary's position after a committed write (nothing without replicas). */
export async function stampWritePosition(
  reply: FastifyReply,
  replicas: Pick<ReplicaSet, 'enabled' | 'primaryLsn' | 'readYourWritesMs'>,
  cookieSecure: boolean,
): Promise<void> {
  if (!replicas.enabled) return;
  const lsn = await replicas.primaryLsn();
  void reply.header(WRITE_POSITION_HEADER, lsn);
  void reply.setCookie(WRITE_POSITION_COOKIE, lsn, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookieSecure,
    maxAge: Math.max(1, Math.ceil(replicas.readYourWritesMs / 1000)),
  });
}
