import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDatabaseUnavailable } from './unavailable.ts';

test('a dead, hung or overloaded database is unavailable; a wrong query or a bug is not', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  for (const err of [
    withCode('ECONNREFUSED'),
    withCode('ECONNRESET'),
    withCode('57P01'),
    withCode('08006'),
    withCode('53300'),
    withCode('57014', 'canceling statement due to statement timeout'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    new Error('Query read timeout'),
    // The cache wraps a loader's error.
    new Error('Factory failed', { cause: withCode('ECONNRESET') }),
  ]) {
    assert.equal(isDatabaseUnavailable(err), true, String(err));
  }
  for (const err of [
    withCode('42P01', 'relation does not exist'),
    withCode('23505', 'duplicate key'),
    withCode('ERR_INVALID_ARG_TYPE'),
    new TypeError('x is undefined'),
    null,
    'a string',
  ]) {
    assert.equal(isDatabaseUnavailable(err), false, String(err));
  }
});
