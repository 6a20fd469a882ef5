import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hash } from '@node-rs/argon2';
import { hashPassword, needsRehash, verifyPassword } from './identity.passwords.ts';
import { hashToken, newSessionToken, parseSessionToken } from './identity.tokens.ts';

describe('identity tokens', () => {
  test('a token carries its logical shard in base 36 and 32 random bytes', () => {
    for (const shard of [0, 1, 15, 35, 36, 4095]) {
      const token = newSessionToken(shard);
      assert.match(token, /^[0-9a-z]{1,3}\.[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(parseSessionToken(token, 4096), { shard });
      assert.equal(Buffer.from(token.split('.')[1]!, 'base64url').length, 32);
    }
    assert.notEqual(newSessionToken(3), newSessionToken(3));
  });

  test('anything else does not parse (and so never reaches a database)', () => {
    const secret = 'A'.repeat(43);
    for (const bad of [
      '',
      '.',
      secret,
      `.${secret}`,
      `1.${secret}A`,
      `1.${secret.slice(1)}`,
      `1.${secret.slice(1)}=`,
      `1.${secret.slice(1)}+`,
      `1..${secret}`,
      `1.${secret}.x`,
      `A.${secret}`,
      `-1.${secret}`,
      `1234.${secret}`,
      ` 1.${secret}`,
      `1.${secret}\n`,
      `g.${secret}`, // shard 16 with 16 logical shards
    ]) {
      assert.equal(parseSessionToken(bad, 16), null, JSON.stringify(bad));
    }
    assert.deepEqual(parseSessionToken(`f.${secret}`, 16), { shard: 15 });
  });

  test('the stored hash is the SHA-256 of the whole token', () => {
    const token = newSessionToken(2);
    assert.equal(hashToken(token).length, 32);
    assert.deepEqual(hashToken(token), hashToken(token));
    assert.notDeepEqual(hashToken(token), hashToken(token.replace(/^2\./, '3.')));
  });
});

describe('identity passwords', () => {
  test('argon2id with the OWASP parameters (m=19456 KiB, t=2, p=1)', async () => {
    const stored = await hashPassword('correct horse battery');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(stored, 'correct horse battery'), true);
    assert.equal(await verifyPassword(stored, 'correct horse batterY'), false);
    assert.equal(await verifyPassword('not a hash', 'anything'), false);
    assert.equal(needsRehash(stored), false);
  });

  test('a hash made with weaker parameters is flagged for upgrade', async () => {
    const weak = await hash('correct horse battery', { memoryCost: 4096, timeCost: 1, parallelism: 1 });
    assert.equal(needsRehash(weak), true);
  });
});
