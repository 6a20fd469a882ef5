/**
 * The OpenAPI document, completed in one place from what each operation is (issue 19): the error
 * answers every route shares are added by rule instead of listed route by route, so a route added
 * tomorrow declares them too, and the document cannot promise less than the edge does.
 *
 * The rules, from what the operation already says about itself:
 * - every operation: 429 (the per-IP limit runs on every route) and 503 (load shedding, a
 *   database that cannot be reached), both with `Retry-After`;
 * - parameters, a request body, or a write method: 400 (the request's shape; a write may carry a
 *   body that is not JSON); a write also 413 (body too large) and 415 (a media type it does not take);
 * - a required session (`security` without the empty alternative, from the route's guard,
 *   openapi-security.ts): 401; a role narrower than "any signed-in account": 403;
 * - a path parameter: 404;
 * - a cacheable read (it answers 304): `ETag` and `Cache-Control` on its 200 and 304;
 * - no session scheme: `security: []` (public, said out loud rather than left out);
 * - a parameter with a default is not required: the server fills it in (TypeBox writes a defaulted
 *   property as required, which is true inside the server, after defaults, and false for a client);
 *   nor is a request body whose schema takes null;
 * - 204 and 304 carry no body.
 * Error bodies a route declared by hand become references to the same shared answers.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorResponseSchema } from '../platform/http/schemas.ts';

type Json = Record<string, unknown>;
type Response = { description?: string; content?: Record<string, { schema?: Json }>; headers?: Json; $ref?: string };
type Operation = Json & {
  operationId?: string;
  tags?: string[];
  parameters?: Array<Json & { in: string; name: string; required?: boolean; schema?: Json }>;
  requestBody?: Json & { content?: Record<string, { schema?: Json }> };
  responses?: Record<string, Response>;
  security?: Array<Record<string, string[]>>;
  'x-required-role'?: string;
};
type Document = Json & { paths?: Record<string, Record<string, Operation>>; components?: Json; tags?: Json[] };

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const WRITES = new Set(['post', 'put', 'patch', 'delete']);

const header = (description: string, schema: Json, required = false) => ({ description, required, schema });
const RETRY_AFTER = header('Seconds to wait before trying again', { type: 'integer', minimum: 0 }, true);

/** The shared answers, by status: name in `components.responses` and what it means. */
const SHARED: Readonly<Record<string, { name: string; description: string; retryAfter?: true }>> = {
  '400': { name: 'BadRequest', description: 'The request is malformed: the error names the field at fault' },
  '401': { name: 'Unauthenticated', description: 'No valid session: sign in and send the cookie or `Authorization: Bearer <token>`' },
  '403': { name: 'Forbidden', description: "The session's account may not do this" },
  '404': { name: 'NotFound', description: 'Nothing here, or nothing this account may see' },
  '409': { name: 'Conflict', description: 'The request conflicts with the current state: the error says which' },
  '413': { name: 'PayloadTooLarge', description: 'The request body is too large' },
  '415': { name: 'UnsupportedMediaType', description: 'The request body is of a media type this operation does not take' },
  '422': { name: 'Unprocessable', description: 'Well-formed, but the rules refuse it: the error says why' },
  '429': { name: 'TooManyRequests', description: 'Rate limited: wait `Retry-After` seconds', retryAfter: true },
  '503': {
    name: 'Unavailable',
    description: 'Overloaded (load shedding) or a store is unreachable: try again after `Retry-After` seconds',
    retryAfter: true,
  },
};

/** Plain JSON of a TypeBox schema (without its symbol keys). */
const plain = (schema: unknown): Json => JSON.parse(JSON.stringify(schema)) as Json;

function sharedComponents(): { schemas: Json; responses: Json } {
  const responses: Json = {};
  for (const { name, description, retryAfter } of Object.values(SHARED)) {
    responses[name] = {
      description,
      ...(retryAfter ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  const { description: _d, ...error } = plain(ErrorResponseSchema);
  return {
    schemas: { Error: { ...error, description: 'Every error answer: a stable code, a message for people, and the field at fault' } },
    responses,
  };
}

const isErrorBody = (response: Response): boolean => {
  const schema = response.content?.['application/json']?.schema;
  return Object.keys(response.content ?? {}).length === 1 && schema?.description === 'Error';
};

/** The statuses this operation shares with others, by the rules in the header comment. */
function sharedStatuses(method: string, path: string, op: Operation): string[] {
  const statuses = ['429', '503'];
  const write = WRITES.has(method);
  if (write || op.requestBody || (op.parameters?.length ?? 0) > 0) statuses.push('400');
  if (write) statuses.push('413', '415');
  const security = op.security ?? [];
  const sessionRequired = security.length > 0 && !security.some((s) => Object.keys(s).length === 0);
  if (sessionRequired) statuses.push('401');
  if (sessionRequired && op['x-required-role'] !== 'any') statuses.push('403');
  if (/\{[^}]+\}/.test(path)) statuses.push('404');
  return statuses;
}

/** Required in the document means "the client must send it": not so for what the server defaults. */
function unrequireDefaults(op: Operation): void {
  for (const p of op.parameters ?? []) if (p.required && p.in !== 'path' && p.schema && 'default' in p.schema) p.required = false;
  for (const media of Object.values(op.requestBody?.content ?? {})) {
    const schema = media.schema;
    const props = schema?.properties as Record<string, Json> | undefined;
    if (!schema || !props || !Array.isArray(schema.required)) continue;
    schema.required = (schema.required as string[]).filter((name) => !(props[name] && 'default' in props[name]));
    if ((schema.required as string[]).length === 0) delete schema.required;
  }
}

/** A body schema that takes null (`Type.Union([Body, Type.Null()])`): the body may be left out. */
function unrequireNullableBody(op: Operation): void {
  const bodies = Object.values(op.requestBody?.content ?? {});
  const takesNull = (schema: Json | undefined) => ((schema?.anyOf ?? schema?.oneOf) as Json[] | undefined)?.some((b) => b.type === 'null');
  if (op.requestBody && bodies.length > 0 && bodies.every((media) => takesNull(media.schema))) op.requestBody.required = false;
}

const CACHE_HEADERS = {
  ETag: header('The version of this answer: send it back as `If-None-Match` to get a 304', { type: 'string' }, true),
  'Cache-Control': header('How long shared caches and the client may keep the answer', { type: 'string' }, true),
};

function completeOperation(method: string, path: string, op: Operation): void {
  const responses = (op.responses ??= {});
  for (const [status, response] of Object.entries(responses)) {
    const shared = SHARED[status];
    if (shared && isErrorBody(response)) responses[status] = { $ref: `#/components/responses/${shared.name}` };
    else if (status === '204' || status === '304') delete response.content;
  }
  for (const status of sharedStatuses(method, path, op)) responses[status] ??= { $ref: `#/components/responses/${SHARED[status]!.name}` };
  if (responses['304']) {
    for (const status of ['200', '304']) {
      const response = responses[status];
      if (response && !response.$ref) response.headers = { ...CACHE_HEADERS, ...response.headers };
    }
  }
  if (!op.security) op.security = [];
  unrequireDefaults(op);
  unrequireNullableBody(op);
}

/** What each tag (a module, mostly) is about, for the reference's sections; a tag not listed here is described by its name. */
const TAG_DESCRIPTIONS: Readonly<Record<string, string>> = {
  identity: 'Accounts, sign-in, sessions and one-time tokens',
  catalog: 'Shops, products, variants and categories',
  search: 'Full-text search over published products',
  media: 'Product images: uploads, their processing, and the image files',
  inventory: 'Stock per variant',
  cart: "The shopper's cart (a guest cart by cookie, or the account's)",
  orders: "Checkout, orders and the sellers' sub-orders",
  reporting: 'Sales figures and CSV exports',
  webhooks: "Sellers' webhook endpoints and their deliveries",
  ops: "The operator's views of jobs and replicas",
};

export type DocumentSettings = Readonly<{ publicUrl: string }>;

/** `@fastify/swagger`'s `transformObject`: the finished document, completed by the rules above. */
export function completeDocument<D extends object>(document: D, settings: DocumentSettings): D {
  const doc = document as Document;
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) if (METHODS.has(method)) completeOperation(method, path, op);
  }
  const shared = sharedComponents();
  const components = (doc.components ??= {}) as { schemas?: Json; responses?: Json };
  components.schemas = { ...shared.schemas, ...components.schemas };
  components.responses = { ...shared.responses, ...components.responses };
  doc.servers = [{ url: new URL(settings.publicUrl).origin, description: 'This Atelier' }];
  const used = new Set(Object.values(doc.paths ?? {}).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? [])));
  doc.tags = [...used].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
  return document;
}

/**
 * Refuses, when it is added, an API route the document would describe badly: under `/api/` or
 * `/media/` and not hidden, it must name its operation (`operationId`, which generated clients
 * use as the method name), its `tags`, and at least one success response. So a route added
 * without its document stops every test, not just the contract test.
 */
export function requireDocumentedRoutes(server: FastifyInstance): void {
  server.addHook('onRoute', (route) => {
    if (!/^\/(api|media)\//.test(route.url)) return;
    const schema = (route.schema ?? {}) as { hide?: boolean; operationId?: string; tags?: string[]; response?: Record<string, unknown> };
    if (schema.hide) return;
    const missing = [
      !schema.operationId && 'operationId',
      !schema.tags?.length && 'tags',
      !Object.keys(schema.response ?? {}).some((status) => /^2\d\d$/.test(status)) && 'a 2xx response',
    ].filter(Boolean);
    if (missing.length > 0) {
      const method = [route.method].flat().join(',');
      throw new Error(`${method} ${route.url}: an API route declares ${missing.join(', ')} in its schema (docs/api.md, "The document")`);
    }
  });
}
