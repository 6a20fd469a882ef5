/**
 * Issue 13, section 6: an error says what was expected, not only what went wrong. Ajv's
 * `must be equal to constant`, `body must be object` and Fastify's `Unsupported content type` left
 * a newcomer guessing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestApp, type TestApp } from './support/test-app.ts';
import { signUpAndLogIn } from './support/accounts.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t?.close());

type ErrorBody = { error: { code: string; message: string; field?: string } };

async function post(url: string, payload: string | undefined, contentType?: string, token?: string) {
  const res = await t.server.inject({
    method: 'POST',
    url,
    ...(payload !== undefined ? { payload } : {}),
    headers: { ...(contentType ? { 'content-type': contentType } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return { status: res.statusCode, error: res.json<ErrorBody>().error };
}

const signUp = (fields: Record<string, unknown>) =>
  post(
    '/api/v1/auth/signup',
    JSON.stringify({ email: `m-${randomUUID()}@example.test`, password: `Msg-${randomUUID()}`, name: 'Ada', ...fields }),
    'application/json',
  );

test('a value outside a set of constants names the allowed values', async () => {
  const { status, error } = await signUp({ role: 'admin' });
  assert.equal(status, 400);
  assert.equal(error.field, 'body.role');
  assert.equal(error.message, 'body.role must be one of "customer", "seller"');
});

test('a body that is not an object says a JSON object is expected, and how to send it', async () => {
  for (const [payload, type] of [
    ['[1, 2]', 'application/json'],
    ['"text"', 'application/json'],
    ['email=a@b.c', 'text/plain'],
    [undefined, undefined],
  ] as const) {
    const { status, error } = await post('/api/v1/auth/login', payload, type);
    assert.equal(status, 400, `${type} ${payload}`);
    assert.equal(error.field, 'body');
    assert.equal(error.message, 'The request body must be a JSON object, sent with Content-Type: application/json');
  }
});

test('a field of the wrong type names the type in plain words', async () => {
  const { status, error } = await signUp({ name: 42 });
  assert.equal(status, 400);
  assert.deepEqual([error.field, error.message], ['body.name', 'body.name must be a string']);
});

test('a length limit is said as a person would: at least 12 characters, not "must NOT have fewer than"', async () => {
  const { status, error } = await signUp({ password: 'password12' });
  assert.equal(status, 400);
  assert.deepEqual([error.field, error.message], ['body.password', 'body.password must be at least 12 characters long']);
});

test('an unsupported content type says what the route takes: JSON, or multipart for an upload', async () => {
  const json = await post('/api/v1/auth/login', '<login/>', 'application/xml');
  assert.equal(json.status, 415);
  assert.deepEqual(
    [json.error.code, json.error.message],
    ['UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type "application/xml": send a JSON object with Content-Type: application/json'],
  );

  const signedUp = await signUpAndLogIn(t.server, {
    email: `s-${randomUUID()}@example.test`,
    password: `Msg-${randomUUID()}`,
    name: 'Sel',
    role: 'seller',
  });
  assert.equal(signedUp.statusCode, 200, signedUp.body);
  const token = signedUp.json<{ token: string }>().token;
  const upload = await post(`/api/v1/products/${randomUUID()}/images`, '<img/>', 'application/xml', token);
  assert.equal(upload.status, 415);
  assert.equal(upload.error.message, 'Unsupported content type "application/xml": send multipart/form-data');
});
