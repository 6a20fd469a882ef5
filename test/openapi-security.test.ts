/**
 * Issue 13, section 4: the OpenAPI document declares security, with its role, on every route that
 * needs a session, and on no other. The test does not read how the document is made: it asks each
 * route, anonymous and then as each role, with a request that passes validation, and compares
 * what the route does (401, 403, served) with what the document says.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { signUpAndLogIn } from './support/accounts.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';
import { sample, type Schema } from './support/openapi-samples.ts';

type Role = 'customer' | 'seller' | 'admin';
let t: TestApp;
const tokens: Record<Role, string> = { customer: '', seller: '', admin: '' };

before(async () => {
  t = await createTestApp();
  const password = `Sec-${randomUUID()}`;
  for (const role of ['customer', 'seller'] as const) {
    const res = await signUpAndLogIn(t.server, { email: `${role}-${randomUUID()}@example.test`, password, name: 'Ada', role });
    assert.equal(res.statusCode, 200, res.body);
    tokens[role] = res.json<{ token: string }>().token;
  }
  const email = `admin-${randomUUID()}@example.test`;
  await t.app.identity.service.createAccount({ email, password, name: 'Root', role: 'admin' });
  const login = await t.server.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  assert.equal(login.statusCode, 200, login.body);
  tokens.admin = login.json<{ token: string }>().token;
});
after(() => t?.close());

type Operation = {
  security?: Array<Record<string, string[]>>;
  'x-required-role'?: string;
  description?: string;
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
type Doc = { paths: Record<string, Record<string, Operation>>; components?: { securitySchemes?: Record<string, unknown> } };

/** The answer's status, with the guards' own refusals told apart from a route's (a wrong password is 401 too). */
async function ask(
  method: string,
  template: string,
  op: Operation,
  token: string | null,
): Promise<number | 'guard-401' | 'guard-403' | 'handled-400'> {
  const params = op.parameters ?? [];
  const url = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const p = params.find((x) => x.in === 'path' && x.name === name);
    return encodeURIComponent(String(sample(p?.schema ?? { format: 'uuid' })));
  });
  const query = params
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => `${p.name}=${encodeURIComponent(String(sample(p.schema ?? {})))}`);
  const headers: Record<string, string> = Object.fromEntries(
    params.filter((p) => p.in === 'header' && p.required).map((p) => [p.name, String(sample(p.schema ?? {}))]),
  );
  if (token) headers.authorization = `Bearer ${token}`;
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  const res = await t.server.inject({
    method: method.toUpperCase() as 'GET',
    url: query.length ? `${url}?${query.join('&')}` : url,
    headers,
    ...(bodySchema ? { payload: JSON.stringify(sample(bodySchema)), headers: { ...headers, 'content-type': 'application/json' } } : {}),
  });
  const code = res.statusCode >= 400 ? res.json<{ error?: { code?: string } }>().error?.code : undefined;
  if (code === 'IDENTITY_UNAUTHENTICATED') return 'guard-401';
  if (code === 'IDENTITY_FORBIDDEN') return 'guard-403';
  // A 400 from the route's own rules (a one-time token that is not valid) came after any guard.
  if (res.statusCode === 400 && code !== undefined && !INPUT_REFUSED.has(code)) return 'handled-400';
  return res.statusCode;
}

/** What the edge answers before any guard runs: the request's shape, not the route's rules. */
const INPUT_REFUSED = new Set([
  'INVALID_FIELD',
  'MISSING_FIELD',
  'UNKNOWN_FIELD',
  'INVALID_TEXT',
  'MALFORMED_JSON',
  'BAD_REQUEST',
  'BAD_URL',
]);

const ROLES: readonly Role[] = ['customer', 'seller', 'admin'];

test('every route that needs a session declares it with its role, and no other route does', async () => {
  const doc = t.server.swagger() as unknown as Doc;
  assert.deepEqual(Object.keys(doc.components?.securitySchemes ?? {}).sort(), ['bearer', 'session']);
  const wrong: string[] = [];
  let guarded = 0;
  let open = 0;
  // Becoming a seller turns the customer into one, and signing out revokes the token used: last.
  const last = (path: string) => (path.endsWith('/logout') ? 2 : path.endsWith('/become-seller') ? 1 : 0);
  const paths = Object.entries(doc.paths).sort(([a], [b]) => last(a) - last(b));
  for (const [template, methods] of paths) {
    for (const [method, op] of Object.entries(methods)) {
      const route = `${method.toUpperCase()} ${template}`;
      const anonymous = await ask(method, template, op, null);
      // A request that fails validation never reaches the guard: the sample must be good enough.
      if (anonymous === 400) wrong.push(`${route}: 400 to a sample request; cannot tell whether it needs a session`);
      const declared = op.security ?? [];
      const optional = declared.some((r) => Object.keys(r).length === 0);
      const required = declared.length > 0 && !optional;
      if (anonymous === 'guard-401') {
        guarded++;
        if (!required) wrong.push(`${route}: answers 401 without a session but declares ${JSON.stringify(op.security ?? null)}`);
        const role = op['x-required-role'];
        if (!role) wrong.push(`${route}: needs a session but declares no x-required-role`);
        if (!op.description?.includes('Requires a session')) wrong.push(`${route}: the description does not say a session is required`);
        for (const who of ROLES) {
          const status = await ask(method, template, op, tokens[who]);
          const allowed = role === 'any' || (role ?? '').split(' or ').includes(who);
          if (status === 'guard-401') wrong.push(`${route}: 401 as ${who}`);
          if (allowed && status === 'guard-403') wrong.push(`${route}: x-required-role ${role} but ${who} is refused`);
          if (!allowed && status !== 'guard-403') wrong.push(`${route}: x-required-role ${role} but ${who} gets ${status}`);
        }
      } else {
        open++;
        if (required || op['x-required-role'])
          wrong.push(`${route}: serves anonymous callers (${anonymous}) but declares a required session`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(guarded > 25 && open > 8, `guarded ${guarded}, open ${open}`);
});

test('the admin routes the issue names declare an admin session', () => {
  const doc = t.server.swagger() as unknown as Doc;
  for (const [path, method] of [
    ['/api/v1/admin/categories', 'post'],
    ['/api/v1/admin/accounts/{id}', 'get'],
  ] as const) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path} is documented`);
    assert.deepEqual(op.security, [{ session: [] }, { bearer: [] }], path);
    assert.equal(op['x-required-role'], 'admin', path);
  }
});
