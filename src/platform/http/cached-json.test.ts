import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { prepare, type Prepared } from '../cache/prepared.ts';
import { sendPublicJson } from './cached-json.ts';

const policy = { sMaxAge: 60, staleWhileRevalidate: 300 };
const product = prepare({ id: 'p1', title: 'Mug' });
const answers: Record<string, Prepared<{ id: string; title: string } | null>> = {
  fresh: product,
  stale: { ...product, stale: true },
  degraded: { ...product, degraded: true },
  missing: prepare(null),
  'missing-stale': { ...prepare(null), stale: true },
};

let app: FastifyInstance;
before(async () => {
  app = Fastify();
  app.get<{ Params: { which: string } }>('/:which', async (request, reply) =>
    sendPublicJson(request, reply, answers[request.params.which]!, policy, { code: 'THING_NOT_FOUND', message: 'No such thing' }),
  );
  await app.ready();
});
after(async () => {
  await app.close();
});

const etagOf = (body: string) => `"${createHash('sha1').update(body).digest('base64url')}"`;

test('a value is sent as its prepared text with its version as a strong ETag, and the CDN policy', async () => {
  const res = await app.inject({ method: 'GET', url: '/fresh' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.body, '{"id":"p1","title":"Mug"}');
  assert.equal(res.headers.etag, etagOf(res.body), 'the ETag is the hash of the body, as before values');
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(res.headers['cache-control'], 'public, max-age=0, s-maxage=60, stale-while-revalidate=300');
  assert.equal(res.headers['atelier-stale'], undefined);

  for (const inm of [res.headers.etag, `W/${res.headers.etag}`, `"other", ${res.headers.etag}`]) {
    const again = await app.inject({ method: 'GET', url: '/fresh', headers: { 'if-none-match': inm } });
    assert.equal(again.statusCode, 304, inm);
    assert.equal(again.body, '');
  }
});

test('a stale or degraded value says so and may be kept by a CDN only briefly', async () => {
  const stale = await app.inject({ method: 'GET', url: '/stale' });
  assert.equal(stale.statusCode, 200);
  assert.equal(stale.headers['atelier-stale'], 'true');
  assert.equal(stale.headers['cache-control'], 'public, max-age=0, s-maxage=5');
  const degraded = await app.inject({ method: 'GET', url: '/degraded' });
  assert.equal(degraded.headers['atelier-degraded'], 'true');
  assert.equal(degraded.headers['cache-control'], 'public, max-age=0, s-maxage=5');
});

test('a null value is the coded 404 body, with no ETag and a short CDN lifetime', async () => {
  const res = await app.inject({ method: 'GET', url: '/missing' });
  assert.equal(res.statusCode, 404);
  assert.equal(res.body, '{"error":{"code":"THING_NOT_FOUND","message":"No such thing"}}');
  assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(res.headers['cache-control'], 'public, max-age=0, s-maxage=10');
  assert.equal(res.headers.etag, undefined);
  const stale = await app.inject({ method: 'GET', url: '/missing-stale' });
  assert.equal(stale.statusCode, 404);
  assert.equal(stale.headers['cache-control'], 'public, max-age=0, s-maxage=5');
  assert.equal(stale.headers['atelier-stale'], 'true');
});
