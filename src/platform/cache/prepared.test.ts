import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { prepare } from './prepared.ts';

test('prepare keeps the value, its JSON text, and the SHA-1 of that text (base64url) as its version', () => {
  const value = { items: [{ id: 'a', title: 'Mug «blue»' }], nextCursor: null };
  const prepared = prepare(value);
  assert.equal(prepared.value, value, 'the value itself, not a copy');
  assert.equal(prepared.json, '{"items":[{"id":"a","title":"Mug «blue»"}],"nextCursor":null}');
  assert.equal(prepared.version, createHash('sha1').update(prepared.json).digest('base64url'));
  assert.match(prepared.version, /^[A-Za-z0-9_-]{27}$/);
  assert.equal(prepared.stale, undefined);
  assert.equal(prepared.degraded, undefined);
});

test('the version follows the text: equal values share it, any change replaces it', () => {
  assert.equal(prepare({ a: 1, b: [2] }).version, prepare({ a: 1, b: [2] }).version);
  assert.notEqual(prepare({ a: 1 }).version, prepare({ a: 2 }).version);
  assert.notEqual(prepare({ a: 1, b: 2 }).version, prepare({ b: 2, a: 1 }).version, 'key order is part of the text');
});

test('a not-found is a null value with a text and a version like any other', () => {
  const none = prepare(null);
  assert.equal(none.value, null);
  assert.equal(none.json, 'null');
  assert.equal(none.version, createHash('sha1').update('null').digest('base64url'));
});
