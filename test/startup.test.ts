import assert from 'node:assert/strict';
import { access, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { processEnv, runAtelier, stopProcess, waitForHttp } from './support/processes.ts';

/** Logs in over HTTP; the status. */
async function login(base: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return res.status;
}

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

test(
  'start on the embedded PostgreSQL seeds on first start, with a password made then, shown once and kept 0600; the second start reuses both',
  { timeout: 300_000 },
  async () => {
    const env = await processEnv('atelier-start-');
    dirs.push(env.ATELIER_DATA_DIR!);
    const base = `http://127.0.0.1:${env.PORT}`;
    const file = path.join(env.ATELIER_DATA_DIR!, 'demo-password.txt');

    const first = runAtelier(['start'], env);
    await waitForHttp(`${base}/ready`, first);
    const firstProducts = (await (await fetch(`${base}/api/v1/products?limit=100`)).json()) as { items?: unknown[] };
    assert.equal((await stat(file)).mode & 0o777, 0o600, 'owner-only');
    const password = (await readFile(file, 'utf8')).trim();
    assert.ok(password.length >= 20, password);
    assert.equal(await login(base, 'admin@atelier.test', password), 200);
    assert.equal(await login(base, 'seller1@atelier.test', password), 200);
    assert.equal(await login(base, 'admin@atelier.test', 'atelier-demo-password'), 401, 'not the README password');
    assert.equal(await stopProcess(first), 0, first.output());
    assert.match(first.output(), /initialising the embedded PostgreSQL data folder/);
    assert.match(first.output(), /applied \d+ migrations/);
    assert.equal(first.output().split(password).length - 1, 1, 'the password is printed once');

    const second = runAtelier(['start'], env);
    await waitForHttp(`${base}/ready`, second);
    const secondProducts = (await (await fetch(`${base}/api/v1/products?limit=100`)).json()) as { items?: unknown[] };
    assert.equal(await login(base, 'admin@atelier.test', password), 200, 'the same password after a restart');
    assert.equal(await stopProcess(second), 0, second.output());
    assert.doesNotMatch(second.output(), /initialising the embedded PostgreSQL/);
    assert.doesNotMatch(second.output(), /applied \d+ migrations/);
    assert.doesNotMatch(second.output(), /seeded demo data/);
    assert.ok(!second.output().includes(password), 'not printed again');
    assert.equal((await readFile(file, 'utf8')).trim(), password, 'the file is kept as it was');
    assert.deepEqual(secondProducts, firstProducts, 'the second start serves the same catalog');
  },
);

test('NODE_ENV=production: start seeds no demo accounts and makes no password, unless DEMO_SEED=true', { timeout: 240_000 }, async () => {
  const env = await processEnv('atelier-prod-', { NODE_ENV: 'production', COOKIE_SECURE: 'false' });
  dirs.push(env.ATELIER_DATA_DIR!);
  const base = `http://127.0.0.1:${env.PORT}`;
  const proc = runAtelier(['start'], env);
  await waitForHttp(`${base}/ready`, proc);
  const products = (await (await fetch(`${base}/api/v1/products?limit=10`)).json()) as { items: unknown[] };
  const status = await login(base, 'admin@atelier.test', 'atelier-demo-password');
  assert.equal(await stopProcess(proc), 0, proc.output());
  assert.deepEqual(products.items, [], 'no demo catalog');
  assert.equal(status, 401, 'no demo admin');
  await assert.rejects(access(path.join(env.ATELIER_DATA_DIR!, 'demo-password.txt')), 'no password file');
  assert.doesNotMatch(proc.output(), /seeded demo data|Demo accounts/);
});
