import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jitteredBackoffMs } from '../../platform/queue/backoff.ts';
import { newSecret, signatureHeader, verifySignature } from './webhooks.signing.ts';
import { checkEndpointUrl, checkUrlShape, guardedLookup, isPublicAddress } from './webhooks.urls.ts';
import { isDomainError } from '../../shared/errors.ts';

test('a signature verifies with the secret and the exact body, and not otherwise', () => {
  const secret = newSecret();
  const body = JSON.stringify({ id: 'e1', type: 'order.paid' });
  const header = signatureHeader(secret, body, 1_700_000_000);
  assert.match(header, /^t=1700000000,v1=[0-9a-f]{64}$/);
  const now = 1_700_000_010;
  assert.equal(verifySignature(header, body, secret, { now }), true);
  assert.equal(verifySignature(header, `${body} `, secret, { now }), false);
  assert.equal(verifySignature(header, body, newSecret(), { now }), false);
  // An old signature is refused (replay), as is one with the timestamp changed.
  assert.equal(verifySignature(header, body, secret, { now: now + 3600 }), false);
  assert.equal(verifySignature(header.replace('t=1700000000', 't=1700000005'), body, secret, { now }), false);
  assert.equal(verifySignature(undefined, body, secret, { now }), false);
  assert.equal(verifySignature('garbage', body, secret, { now }), false);
});

test('retry delays grow exponentially with jitter and stop growing at the cap', () => {
  for (let i = 0; i < 50; i++) {
    const first = jitteredBackoffMs(1, 1000, 60_000);
    assert.ok(first >= 500 && first <= 1000, String(first));
    const fourth = jitteredBackoffMs(4, 1000, 60_000);
    assert.ok(fourth >= 4000 && fourth <= 8000, String(fourth));
    const late = jitteredBackoffMs(40, 1000, 60_000);
    assert.ok(late >= 30_000 && late <= 60_000, String(late));
  }
  // The defaults (30 s doubling to 1 h, each delay between half and all of it) fit 30 attempts in
  // a day with every delay at its ceiling, 54 with every one at its floor, about 38 on average.
  const attemptsInADay = (): number => {
    let at = 0;
    let attempts = 1;
    while ((at += jitteredBackoffMs(attempts, 30_000, 3_600_000)) < 86_400_000) attempts++;
    return attempts;
  };
  const days = Array.from({ length: 200 }, attemptsInADay);
  assert.ok(
    days.every((n) => n >= 30 && n <= 54),
    days.join(', '),
  );
  const mean = days.reduce((a, b) => a + b, 0) / days.length;
  assert.ok(mean > 36 && mean < 40, String(mean));
});

test('public and non-public addresses', () => {
  for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPublicAddress(ip), true, ip);
  for (const ip of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not-an-ip',
  ]) {
    assert.equal(isPublicAddress(ip), false, ip);
  }
});

function refusal(fn: () => unknown): { code: string; field?: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(isDomainError(err), String(err));
    return { code: err.code, ...(err.field ? { field: err.field } : {}) };
  }
  assert.fail('expected a refusal');
}

test('URL rules in production (insecure off): https only, public hosts only', () => {
  const strict = { allowInsecure: false };
  assert.equal(checkUrlShape('https://hooks.example.com/atelier?x=1', strict).host, 'hooks.example.com');
  assert.deepEqual(
    refusal(() => checkUrlShape('http://hooks.example.com/', strict)),
    { code: 'WEBHOOKS_BAD_URL', field: 'body.url' },
  );
  assert.deepEqual(
    refusal(() => checkUrlShape('ftp://hooks.example.com/', strict)),
    { code: 'WEBHOOKS_BAD_URL', field: 'body.url' },
  );
  assert.deepEqual(
    refusal(() => checkUrlShape('hooks.example.com', strict)),
    { code: 'WEBHOOKS_BAD_URL', field: 'body.url' },
  );
  assert.deepEqual(
    refusal(() => checkUrlShape('https://u:p@hooks.example.com/', strict)),
    { code: 'WEBHOOKS_BAD_URL', field: 'body.url' },
  );
  for (const url of [
    'https://127.0.0.1/',
    'https://[::1]/',
    'https://10.0.0.8/',
    'https://169.254.169.254/latest',
    'https://localhost/',
    'https://intranet/',
  ]) {
    assert.deepEqual(
      refusal(() => checkUrlShape(url, strict)),
      { code: 'WEBHOOKS_ADDRESS_NOT_ALLOWED', field: 'body.url' },
      url,
    );
  }
  // Insecure (tests, local development): http and loopback are fine.
  assert.equal(checkUrlShape('http://127.0.0.1:8080/hooks', { allowInsecure: true }).port, '8080');
  assert.equal(checkUrlShape('http://localhost:8080/hooks', { allowInsecure: true }).hostname, 'localhost');
});

test('at registration the host must resolve, and only to public addresses', async () => {
  const strict = { allowInsecure: false };
  const resolvingTo =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const ok = await checkEndpointUrl('https://hooks.example.com/', strict, resolvingTo('93.184.215.14'));
  assert.equal(ok.hostname, 'hooks.example.com');
  const refusedWith = async (resolve: () => Promise<Array<{ address: string; family: number }>>) => {
    try {
      await checkEndpointUrl('https://hooks.example.com/', strict, resolve);
    } catch (err) {
      assert.ok(isDomainError(err));
      return err.code;
    }
    return 'accepted';
  };
  assert.equal(await refusedWith(resolvingTo('93.184.215.14', '10.0.0.5')), 'WEBHOOKS_ADDRESS_NOT_ALLOWED');
  assert.equal(await refusedWith(resolvingTo('127.0.0.1')), 'WEBHOOKS_ADDRESS_NOT_ALLOWED');
  assert.equal(await refusedWith(resolvingTo()), 'WEBHOOKS_URL_UNRESOLVABLE');
  assert.equal(await refusedWith(() => Promise.reject(new Error('ENOTFOUND'))), 'WEBHOOKS_URL_UNRESOLVABLE');
});

test('the connection-time lookup refuses a host that resolves to a private address', async () => {
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup('localhost', {}, (e) => resolve(e)));
  assert.ok(err);
  assert.equal(err.code, 'EADDRNOTALLOWED');
  assert.match(err.message, /not a public address/);
});
