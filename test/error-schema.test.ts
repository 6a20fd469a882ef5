import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

type Response = { $ref?: string; content?: Record<string, { schema?: unknown }> };
type Doc = { paths: Record<string, Record<string, { responses?: Record<string, Response> }>> };

/** Follows a local `$ref` (`#/components/...`) to what it names; anything else is returned as it is. */
function resolve<T>(doc: unknown, value: T): T {
  const ref = (value as { $ref?: string } | undefined)?.$ref;
  if (!ref?.startsWith('#/')) return value;
  const found = ref
    .slice(2)
    .split('/')
    .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], doc);
  assert.ok(found, `${ref} names nothing in the document`);
  return resolve(doc, found as T);
}

test('every declared error response is the one shared error body, details included', () => {
  const doc = t.server.swagger() as unknown as Doc;
  let checked = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!/^[45]\d\d$/.test(status)) continue;
        const schema = resolve(doc, resolve(doc, response).content?.['application/json']?.schema) as
          { properties?: { error?: { properties?: Record<string, unknown> } } } | undefined;
        const fields = Object.keys(schema?.properties?.error?.properties ?? {}).sort();
        assert.deepEqual(fields, ['code', 'details', 'field', 'message'], `${method.toUpperCase()} ${path} ${status}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 50, `only ${checked} error responses declared`);
});
