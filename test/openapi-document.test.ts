/**
 * Issue 19: the OpenAPI document, judged by a linter nobody here wrote (@redocly/openapi-core with
 * the recommended rules, redocly.yaml), and the rules src/app/openapi-document.ts promises: no
 * parameter the server defaults is required, the shared answers are on every operation, each
 * cacheable read declares its ETag, a route without its document is refused when it is added.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { lintFromString, loadConfig } from '@redocly/openapi-core';
import Fastify from 'fastify';
import { requireDocumentedRoutes } from '../src/app/openapi-document.ts';
import { createTestApp, type TestApp } from './support/test-app.ts';

type Parameter = { in: string; name: string; required?: boolean; schema?: { default?: unknown } };
type Operation = {
  operationId?: string;
  parameters?: Parameter[];
  responses: Record<string, { $ref?: string; headers?: Record<string, unknown> }>;
};
type Doc = { paths: Record<string, Record<string, Operation>> };

let t: TestApp;
let doc: Doc;
before(async () => {
  t = await createTestApp();
  const res = await t.server.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  assert.equal(res.statusCode, 200);
  doc = res.json<Doc>();
});
after(() => t?.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${p}`, method, path: p, op })),
  );

test('the linter (recommended rules, redocly.yaml) finds no error in the document', async () => {
  const config = await loadConfig({ configPath: path.resolve(import.meta.dirname, '../redocly.yaml') });
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
  const says = (p: (typeof problems)[number]) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`;
  const warnings = problems.filter((p) => p.severity === 'warn');
  if (warnings.length > 0) console.log(`lint warnings:\n${warnings.map(says).join('\n')}`);
  assert.deepEqual(problems.filter((p) => p.severity === 'error').map(says), []);
  assert.ok(operations().length > 50, 'the document lists the API');
});

test('no parameter the server defaults is required of the client', () => {
  const products = doc.paths['/api/v1/products']!.get!;
  assert.equal(
    products.parameters!.find((p) => p.name === 'limit')?.required,
    false,
    'the README calls GET /products?limit=5 without sort',
  );
  for (const { name, op } of operations()) {
    for (const p of op.parameters ?? []) if (p.schema && 'default' in p.schema) assert.notEqual(p.required, true, `${name}: ${p.name}`);
  }
  // "No body: refund everything left": a body the schema lets be null is not required.
  const refund = doc.paths['/api/v1/seller/orders/{subOrderId}/refund']!.post! as Operation & { requestBody?: { required?: boolean } };
  assert.equal(refund.requestBody?.required, false);
});

test('the shared answers: 429 and 503 everywhere, 401 where a session is required, 404 where the path names something', () => {
  for (const { name, path: p, op } of operations()) {
    assert.ok(op.operationId, `${name} has an operationId`);
    for (const status of ['429', '503']) assert.ok(op.responses[status], `${name} declares ${status}`);
    if (p.includes('{')) assert.ok(op.responses['404'], `${name} declares 404`);
  }
  assert.ok(doc.paths['/api/v1/admin/jobs/failed']!.get!.responses['401']);
  assert.ok(doc.paths['/api/v1/admin/jobs/failed']!.get!.responses['403']);
  assert.equal(doc.paths['/api/v1/products']!.get!.responses['401'], undefined, 'a public read does not say it needs a session');
});

test('each cacheable read declares ETag and Cache-Control; the image route declares image/webp', () => {
  const product = doc.paths['/api/v1/products/{id}']!.get!;
  for (const status of ['200', '304']) assert.ok(product.responses[status]!.headers?.ETag, `${status} ETag`);
  const media = doc.paths['/media/{file}']!.get!.responses['200'] as { content?: Record<string, unknown> };
  assert.deepEqual(Object.keys(media.content ?? {}), ['image/webp']);
  assert.ok(doc.paths['/api/v1/auth/login']!.post!.responses['200']!.headers?.['Set-Cookie']);
});

test('an API route without its operationId, tags or success response is refused when it is added', async () => {
  const server = Fastify();
  requireDocumentedRoutes(server);
  assert.throws(() => server.get('/api/v1/undocumented', async () => ({})), /operationId, tags, a 2xx response/);
  assert.throws(
    () =>
      server.get(
        '/api/v1/half',
        { schema: { operationId: 'half', tags: ['x'], response: { 404: { type: 'null' } } } as object },
        async () => ({}),
      ),
    /a 2xx response/,
  );
  server.get('/api/v1/hidden', { schema: { hide: true } }, async () => ({}));
  server.get(
    '/api/v1/whole',
    { schema: { operationId: 'whole', tags: ['x'], response: { 200: { type: 'null' } } } as object },
    async () => null,
  );
  await server.close();
});
