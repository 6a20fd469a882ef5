import { createHash } from 'node:crypto';
import { isId } from '../../shared/ids.ts';
import { MAX_AMOUNT } from '../../shared/money.ts';
import { catalogErrors } from './catalog.errors.ts';

/**
 * Keyset cursors: the last row's sort key and id, as opaque base64url text. Clients must not build
 * or edit them, so each carries a short digest of its content; an edited cursor is refused rather
 * than silently walking from a made-up position. (The digest catches tampering and truncation; it
 * is not a secret, because a forged but well-formed cursor can only reveal public rows anyway.)
 */
export type ProductSort = 'newest' | 'price_asc' | 'price_desc';

/** `k` is the created_at text PostgreSQL gave (microsecond exact) for newest, price_min otherwise. */
export type ProductCursor = Readonly<{ s: ProductSort; k: string | number; id: string }>;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/;

function digest(body: string): string {
  return createHash('sha256').update('atelier-cursor:').update(body).digest('base64url').slice(0, 12);
}

/** Encodes any JSON value as `<base64url body>.<digest>`. */
export function sealCursor(value: unknown): string {
  const body = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${body}.${digest(body)}`;
}

/** The JSON value inside a cursor, or throws CATALOG_INVALID_CURSOR (or the error given). */
export function openCursor(cursor: string, invalid: () => Error = catalogErrors.invalidCursor): unknown {
  const dot = cursor.indexOf('.');
  if (dot <= 0 || cursor.length > 512) throw invalid();
  const body = cursor.slice(0, dot);
  if (!/^[A-Za-z0-9_-]+$/.test(body) || digest(body) !== cursor.slice(dot + 1)) throw invalid();
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw invalid();
  }
}

export function encodeProductCursor(c: ProductCursor): string {
  return sealCursor(c);
}

/** Decodes a product-list cursor made for this sort order, or throws CATALOG_INVALID_CURSOR. */
export function decodeProductCursor(cursor: string, sort: ProductSort): ProductCursor {
  const v = openCursor(cursor) as Partial<ProductCursor> | null;
  if (typeof v !== 'object' || v === null || v.s !== sort || typeof v.id !== 'string' || !isId(v.id)) {
    throw catalogErrors.invalidCursor();
  }
  if (sort === 'newest') {
    // The pattern alone would let "2026-13-45" through to PostgreSQL, which would refuse it with a 500.
    if (
      typeof v.k !== 'string' ||
      !TIMESTAMP.test(v.k) ||
      Number.isNaN(Date.parse(v.k.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00')))
    ) {
      throw catalogErrors.invalidCursor();
    }
  } else if (typeof v.k !== 'number' || !Number.isSafeInteger(v.k) || v.k < 0 || v.k > MAX_AMOUNT) {
    throw catalogErrors.invalidCursor();
  }
  return { s: sort, k: v.k, id: v.id };
}
