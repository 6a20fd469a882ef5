import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

function failsNaming(env: Record<string, string>, variable: string): void {
  assert.throws(
    () => loadConfig(env),
    (err: unknown) => err instanceof ConfigError && err.variable === variable && err.message.includes(variable),
  );
}

test('the embedded default needs no settings', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.deepEqual(c.embedded, { port: 54329, shardDatabases: 2 });
  assert.equal(c.shardDatabases.length, 2);
  assert.ok(Object.isFrozen(c));
});

test('a bad value stops start-up naming the variable', () => {
  failsNaming({ PORT: 'eighty' }, 'PORT');
  failsNaming({ PORT: '70000' }, 'PORT');
  failsNaming({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
  failsNaming({ CACHE_ENABLED: 'maybe' }, 'CACHE_ENABLED');
  failsNaming({ LOGICAL_SHARDS: '0' }, 'LOGICAL_SHARDS');
  failsNaming({ PUBLIC_CURRENCY: 'dollars' }, 'PUBLIC_CURRENCY');
  failsNaming({ CATALOG_DATABASE_URL: 'mysql://x' }, 'CATALOG_DATABASE_URL');
});

test('external databases: both URLs together, shard names parsed', () => {
  failsNaming({ CATALOG_DATABASE_URL: 'postgres://h/c' }, 'SHARD_DATABASE_URLS');
  failsNaming({ SHARD_DATABASE_URLS: 'postgres://h/s' }, 'CATALOG_DATABASE_URL');
  failsNaming({ CATALOG_DATABASE_URL: 'postgres://h/c', SHARD_DATABASE_URLS: 'a=postgres://h/1,a=postgres://h/2' }, 'SHARD_DATABASE_URLS');
  failsNaming({ CATALOG_DATABASE_URL: 'postgres://h/c', SHARD_DATABASE_URLS: 'a=http://h/1' }, 'SHARD_DATABASE_URLS');
  const c = loadConfig({ CATALOG_DATABASE_URL: 'postgres://h/c', SHARD_DATABASE_URLS: 'postgres://h/s0, east=postgres://h/s1' });
  assert.equal(c.embedded, null);
  assert.deepEqual(
    c.shardDatabases.map((s) => s.name),
    ['shard0', 'east'],
  );
});
