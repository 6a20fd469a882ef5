import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorResponse } from '../platform/http/schemas.ts';
import { isDatabaseUnavailable } from '../platform/postgres/unavailable.ts';
import { isDomainError, type ErrorKind } from '../shared/errors.ts';

/**
 * The one table from errors to HTTP statuses. Clients always get `{ error: { code, message, field? } }`
 * and never a stack trace.
 */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

/** Fastify's own error codes, named for what the client did. */
const FASTIFY_CODES: Readonly<Record<string, { status: number; code: string; message?: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: 'The JSON request body is empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST', message: 'Content-Length does not match the body' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The uploaded file is too large' },
  FST_PARTS_LIMIT: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Too many parts in the upload' },
  FST_FILES_LIMIT: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Too many files in the upload' },
  FST_FIELDS_LIMIT: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Too many fields in the upload' },
  FST_ERR_BAD_URL: { status: 400, code: 'BAD_URL', message: 'The URL does not decode: a percent-encoded sequence is not valid UTF-8' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URI_TOO_LONG', message: 'A path segment of the URL is too long' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Expected multipart/form-data' },
};

/** The body clients get: the shape declared once in platform/http/schemas.ts. */
export type ErrorBody = ErrorResponse;

type AjvError = {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: {
    additionalProperty?: string;
    missingProperty?: string;
    type?: string;
    allowedValue?: unknown;
    allowedValues?: unknown[];
    limit?: number;
  };
};

/** Ajv's type names, as a person sending JSON would say them. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  object: 'a JSON object',
  array: 'a JSON array',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

/** What a JSON route expects, said where Ajv or Fastify would only say what went wrong (issue 13, section 6). */
const JSON_EXPECTED = 'send a JSON object with Content-Type: application/json';

/**
 * The values a field may take, when the failure is a `const` or an `enum`: a union of literals
 * (`Type.Union([Type.Literal('customer'), Type.Literal('seller')])`) fails once per branch, each
 * naming one allowed value, so every failure at the same spot is gathered.
 */
function allowedValues(errors: readonly AjvError[], at: string | undefined): unknown[] {
  return errors
    .filter((e) => e.instancePath === at)
    .flatMap((e) => (e.keyword === 'const' ? [e.params?.allowedValue] : e.keyword === 'enum' ? (e.params?.allowedValues ?? []) : []));
}

/** Turns an Ajv failure into the field a person would look at: `body.variants[0].price`, and what it must be. */
function describeValidation(err: FastifyError): { code: string; message: string; field: string } {
  const errors = (err.validation ?? []) as AjvError[];
  const first = errors[0] ?? {};
  const part = err.validationContext ?? 'body';
  const pointer = (first.instancePath ?? '')
    .split('/')
    .filter(Boolean)
    .map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`))
    .join('');
  if (first.keyword === 'additionalProperties') {
    const extra = String(first.params?.additionalProperty ?? '');
    return { code: 'UNKNOWN_FIELD', message: `Unknown field "${extra}"`, field: `${part}${pointer}.${extra}` };
  }
  if (first.keyword === 'required') {
    const missing = String(first.params?.missingProperty ?? '');
    return { code: 'MISSING_FIELD', message: `Missing required field "${missing}"`, field: `${part}${pointer}.${missing}` };
  }
  const field = `${part}${pointer}`;
  const allowed = allowedValues(errors, first.instancePath);
  if (allowed.length > 0) {
    const list = [...new Set(allowed.map((v) => JSON.stringify(v)))];
    const message = list.length === 1 ? `${field} must be ${list[0]}` : `${field} must be one of ${list.join(', ')}`;
    return { code: 'INVALID_FIELD', message, field };
  }
  if (first.keyword === 'type') {
    const wanted = String(first.params?.type ?? '')
      .split(',')
      .map((type) => TYPE_WORDS[type] ?? type)
      .join(' or ');
    const message =
      field === 'body' ? `The request body must be ${wanted}, sent with Content-Type: application/json` : `${field} must be ${wanted}`;
    return { code: 'INVALID_FIELD', message, field };
  }
  const length = lengthMessage(first);
  if (length) return { code: 'INVALID_FIELD', message: `${field} ${length}`, field };
  return { code: 'INVALID_FIELD', message: `${field} ${first.message ?? 'is invalid'}`, field };
}

/** Ajv's "must NOT have fewer than 12 characters", said the way a person would. */
function lengthMessage(e: AjvError): string | null {
  const limit = Number(e.params?.limit);
  if (!Number.isFinite(limit)) return null;
  const things = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  switch (e.keyword) {
    case 'minLength':
      return `must be at least ${things(limit, 'character')} long`;
    case 'maxLength':
      return `must be at most ${things(limit, 'character')} long`;
    case 'minItems':
      return `must have at least ${things(limit, 'item')}`;
    case 'maxItems':
      return `must have at most ${things(limit, 'item')}`;
    default:
      return null;
  }
}

/** The content type a route takes, for the 415 that names it: multipart where the route declares it. */
function expectedContentType(request: FastifyRequest | undefined): string {
  const consumes = (request?.routeOptions.schema as { consumes?: string[] } | undefined)?.consumes;
  return consumes?.includes('multipart/form-data') ? 'send multipart/form-data' : JSON_EXPECTED;
}

export function toHttpError(err: unknown, request?: FastifyRequest): { status: number; body: ErrorBody } {
  if (isDomainError(err)) {
    const error: ErrorBody['error'] = { code: err.code, message: err.message };
    if (err.field) error.field = err.field;
    if (err.details) error.details = err.details;
    return { status: STATUS_BY_KIND[err.kind], body: { error } };
  }
  const fe = err as FastifyError;
  if (fe?.validation) {
    return { status: 400, body: { error: describeValidation(fe) } };
  }
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const given = request?.headers['content-type'];
    const what = given ? `Unsupported content type "${given.split(';')[0]!.trim()}"` : 'No content type';
    return { status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: `${what}: ${expectedContentType(request)}` } } };
  }
  const known = fe?.code ? FASTIFY_CODES[fe.code] : undefined;
  if (known) {
    return { status: known.status, body: { error: { code: known.code, message: known.message ?? fe.message } } };
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, body: { error: { code: 'BAD_REQUEST', message: fe.message } } };
  }
  // A database that is down, hung or overloaded is not a bug: the client should come back (Retry-After).
  if (isDatabaseUnavailable(err)) {
    return { status: 503, body: { error: { code: 'DATABASE_UNAVAILABLE', message: 'A database is unavailable; try again shortly' } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'Something went wrong on our side' } } };
}

export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toHttpError(err, request);
  if (status >= 500) request.log.error({ err }, 'request failed');
  else request.log.debug({ code: body.error.code }, 'request refused');
  if (status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', '5');
  void reply.code(status).send(body);
}
