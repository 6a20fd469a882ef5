import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../shared/errors.ts';

/**
 * Text PostgreSQL refuses to store: the NUL character (`text` and `jsonb` cannot hold it) and a
 * UTF-16 surrogate without its partner (it has no UTF-8 encoding). Either one, sent in a login
 * email or a path segment, made the query fail and the request answer 500 (issue 13, section 1).
 * A well-formed pair (an emoji) is of course fine.
 */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSTORABLE_TEXT = 'INVALID_TEXT';

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * Where in a decoded value (JSON body, params, query, headers) the first unstorable text sits,
 * as the field a person would look at (`body.lines[0].title`), or null. Object keys count too: a
 * `jsonb` column refuses a NUL in a key as well.
 */
export function findUnstorableText(value: unknown, field: string): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? field : null;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${field}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (UNSTORABLE.test(key)) return field;
    const found = findUnstorableText(inner, `${field}.${key}`);
    if (found) return found;
  }
  return null;
}

export function unstorableTextError(field: string): DomainError {
  return new DomainError(
    'invalid',
    UNSTORABLE_TEXT,
    `${field} contains a character that cannot be stored: a NUL (\\u0000) or an unpaired UTF-16 surrogate`,
    field,
  );
}

/** For text read outside the hook below (a multipart field streamed by its handler). */
export function assertStorableText(value: string, field: string): void {
  if (!isStorableText(value)) throw unstorableTextError(field);
}

/**
 * Refuses unstorable text once, at the edge, for every route: a `preValidation` hook walks the
 * decoded params, query string, headers and JSON body before any schema, guard or handler sees
 * them. A hook rather than an Ajv keyword because it needs no schema: it also covers headers
 * that routes read without declaring (`Idempotency-Key`), bodies typed `unknown`, object keys,
 * and routes added later that nobody thinks of. Multipart fields are read by their handler, which
 * calls `assertStorableText` (media.upload.ts). The walk costs a regular-expression test per
 * string, bounded by the body limit.
 */
export function installStorableTextCheck(server: FastifyInstance): void {
  // A callback hook, not an async one: no promise on every request, cached catalog reads included.
  server.addHook('preValidation', (request, _reply, done) => {
    const field =
      findUnstorableText(request.params, 'params') ??
      findUnstorableText(request.query, 'query') ??
      findUnstorableText(request.headers, 'headers') ??
      findUnstorableText(request.body, 'body');
    done(field ? unstorableTextError(field) : undefined);
  });
}
