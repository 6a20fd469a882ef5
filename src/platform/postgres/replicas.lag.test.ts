import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLsn, isConnectionError, isLsn, lsnAtLeast, parseLsn, WalTimeline } from './replicas.lag.ts';

test('WAL positions parse to byte offsets and back', () => {
  assert.equal(parseLsn('0/0'), 0n);
  assert.equal(parseLsn('16/B374D848'), (0x16n << 32n) + 0xb374d848n);
  assert.equal(formatLsn(parseLsn('16/B374D848')), '16/B374D848');
  assert.ok(parseLsn('1/0') > parseLsn('0/FFFFFFFF'), 'the high half orders first');
  for (const bad of ['', '16', '16/', '/1', 'x/1', '123456789/0', '1/0 ', '1/0;drop']) {
    assert.equal(isLsn(bad), false, bad);
    assert.throws(() => parseLsn(bad));
  }
  assert.equal(lsnAtLeast(null, 0n), false, 'a replica that has replayed nothing serves no pinned read');
  assert.equal(lsnAtLeast(5n, 5n), true);
  assert.equal(lsnAtLeast(4n, 5n), false);
});

test('lag is how long ago the primary had written what the replica has not replayed', () => {
  const t = new WalTimeline(60_000);
  assert.equal(t.lagMs(0n, 0, null), null, 'nothing known about the primary yet');
  t.record(100n, 1000);
  t.record(100n, 1500); // an idle primary adds no sample
  t.record(200n, 2000);
  t.record(300n, 3000);
  assert.equal(t.latest, 300n);
  assert.equal(t.lagMs(300n, 10_000, 9000), 0, 'caught up: no lag however old its last commit (idle primary)');
  assert.equal(t.lagMs(400n, 10_000, null), 0);
  assert.equal(t.lagMs(250n, 3500, null), 500, 'missing WAL the primary had by 3000');
  assert.equal(t.lagMs(150n, 3500, null), 1500, 'missing WAL the primary had by 2000');
  assert.equal(t.lagMs(100n, 3500, null), 1500, 'exactly at a sample: the next one is what it lacks');
});

test('a replica behind everything watched is judged by its last replayed commit too', () => {
  const t = new WalTimeline(60_000);
  t.record(1000n, 5000);
  // Watched for 200 ms only, but its last replayed commit is 30 s old by its own clock.
  assert.equal(t.lagMs(10n, 5200, 30_000), 30_000);
  assert.equal(t.lagMs(10n, 5200, null), 200);
  assert.equal(t.lagMs(10n, 5200, 50), 200, 'never less than the time watched');
});

test('old samples are dropped but one anchor older than the window is kept', () => {
  const t = new WalTimeline(1000);
  for (let i = 1; i <= 10; i++) t.record(BigInt(i * 100), i * 1000);
  // Kept: 800 @8000 (the anchor), 900 @9000, 1000 @10000.
  assert.equal(t.lagMs(850n, 10_000, null), 1000, 'placed between the anchor and the next sample');
  assert.equal(t.lagMs(750n, 10_000, null), 2000, 'behind the anchor: the time watched since the anchor');
});

test('connection failures are told apart from query errors', () => {
  assert.equal(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })), true);
  assert.equal(isConnectionError(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isConnectionError(new Error('timeout exceeded when trying to connect')), true);
  assert.equal(isConnectionError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })), true);
  assert.equal(isConnectionError(Object.assign(new Error('the database system is starting up'), { code: '57P03' })), true);
  assert.equal(isConnectionError(Object.assign(new Error('sorry, too many clients already'), { code: '53300' })), true);
  assert.equal(isConnectionError(Object.assign(new Error('canceling statement due to conflict with recovery'), { code: '40001' })), false);
  assert.equal(isConnectionError(Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' })), false);
  assert.equal(isConnectionError(new TypeError('x is not a function')), false);
});
