import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import { processEnv, runAtelier, stopProcess, waitForHttp } from './support/processes.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('a bad variable stops start-up with a message naming it', async () => {
  for (const [name, value] of [
    ['PORT', 'not-a-port'],
    ['LOGICAL_SHARDS', '-3'],
    ['CACHE_ENABLED', 'perhaps'],
  ] as const) {
    const proc = runAtelier(['start'], { [name]: value });
    const code = await proc.exited;
    assert.equal(code, 78, proc.output());
    assert.match(proc.output(), new RegExp(`Invalid configuration: ${name} `));
  }
});

test('start on the embedded PostgreSQL seeds on first start and reuses the data on the second', { timeout: 240_000 }, async () => {
  const env = await processEnv('atelier-start-');
  dirs.push(env.ATELIER_DATA_DIR!);
  const base = `http://127.0.0.1:${env.PORT}`;

  const first = runAtelier(['start'], env);
  await waitForHttp(`${base}/ready`, first);
  const firstProducts = (await (await fetch(`${base}/api/v1/products?limit=100`)).json()) as { items?: unknown[] };
  assert.equal(await stopProcess(first), 0, first.output());
  assert.match(first.output(), /initialising the embedded PostgreSQL data folder/);
  assert.match(first.output(), /applied \d+ migrations/);

  const second = runAtelier(['start'], env);
  await waitForHttp(`${base}/ready`, second);
  const secondProducts = (await (await fetch(`${base}/api/v1/products?limit=100`)).json()) as { items?: unknown[] };
  assert.equal(await stopProcess(second), 0, second.output());
  assert.doesNotMatch(second.output(), /initialising the embedded PostgreSQL/);
  assert.doesNotMatch(second.output(), /applied \d+ migrations/);
  assert.doesNotMatch(second.output(), /seeded demo data/);
  assert.deepEqual(secondProducts, firstProducts, 'the second start serves the same catalog');
});
