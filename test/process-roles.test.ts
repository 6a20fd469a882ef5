import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import { after, test } from 'node:test';
import { eventually, postgresAnswers, processEnv, runAtelier, stopProcess, waitForHttp, type RunningProcess } from './support/processes.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function env(): Promise<Record<string, string>> {
  const e = await processEnv('atelier-roles-', { DEMO_SEED: 'false', BENCH_ROUTES: 'true' });
  dirs.push(e.ATELIER_DATA_DIR!);
  return e;
}

/** A `worker` process started with `e`, once it owns a running embedded server. */
async function startWorker(e: Record<string, string>): Promise<RunningProcess> {
  const worker = runAtelier(['worker'], e);
  const answers = async () => (await postgresAnswers(Number(e.EMBEDDED_PG_PORT))) || undefined;
  await eventually('the embedded PostgreSQL the worker starts', answers, 60_000, worker).catch(async (err: unknown) => {
    await stopProcess(worker);
    throw err;
  });
  return worker;
}

test('SIGTERM finishes in-flight requests, refuses new ones, then stops the embedded server', { timeout: 120_000 }, async () => {
  const e = await env();
  const base = `http://127.0.0.1:${e.PORT}`;
  const proc = runAtelier(['start'], e);
  await waitForHttp(`${base}/ready`, proc);

  const inFlight = Promise.all(
    [1, 2, 3].map(() => fetch(`${base}/bench/sleep/1500`).then(async (r) => [r.status, await r.json()] as const)),
  );
  await new Promise((r) => setTimeout(r, 300));
  proc.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  // A new connection: fetch would reuse one of its idle keep-alive connections, which a draining
  // process still serves for a moment (with Connection: close; platform/http/graceful-drain.ts).
  const fresh = new Promise((resolve, reject) => http.get(`${base}/health`, { agent: false }, resolve).on('error', reject));
  await assert.rejects(fresh, 'a new connection is refused once shutdown began');

  for (const [status, body] of await inFlight) {
    assert.equal(status, 200);
    assert.deepEqual(body, { slept: 1500 });
  }
  assert.equal(await proc.exited, 0, proc.output());
  assert.equal(await postgresAnswers(Number(e.EMBEDDED_PG_PORT)), false, 'the embedded server stopped with its owner');
});

test('api and worker run as separate processes against the same embedded databases', { timeout: 120_000 }, async () => {
  const e = await env();
  // The worker starts and owns the embedded server.
  const worker = await startWorker(e);
  const api = runAtelier(['api'], e);
  try {
    await waitForHttp(`http://127.0.0.1:${e.PORT}/ready`, api);
    assert.match(api.output(), /attached to the embedded PostgreSQL already running/);
  } finally {
    assert.equal(await stopProcess(api), 0, api.output());
  }
  assert.equal(await postgresAnswers(Number(e.EMBEDDED_PG_PORT)), true, 'the api did not own the server, so it is still up');
  assert.equal(await stopProcess(worker), 0, worker.output());
  assert.equal(await postgresAnswers(Number(e.EMBEDDED_PG_PORT)), false);
});

test('a shutdown that cannot finish exits anyway after SHUTDOWN_TIMEOUT_SECONDS', { timeout: 120_000 }, async () => {
  const e = await env();
  // The worker owns the embedded server, so the api's forced exit leaves nothing of its own behind.
  const worker = await startWorker(e);
  const api = runAtelier(['api'], { ...e, SHUTDOWN_TIMEOUT_SECONDS: '2' });
  try {
    const base = `http://127.0.0.1:${e.PORT}`;
    await waitForHttp(`${base}/ready`, api);
    // A request the drain would wait 30 s for (what a handler stuck on a dependency looks like).
    const stuck = fetch(`${base}/bench/sleep/30000`).catch((err: unknown) => err);
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    api.child.kill('SIGTERM');
    const code = await api.exited;
    const tookMs = Date.now() - signalled;
    assert.equal(code, 1, api.output());
    assert.ok(tookMs >= 1_900 && tookMs < 15_000, `exited ${tookMs} ms after SIGTERM, with a 2 s deadline`);
    assert.match(api.output(), /shutdown did not finish in time; exiting now/);
    assert.ok((await stuck) instanceof Error, 'the stuck request was cut off, not answered');
  } finally {
    await stopProcess(api, 'SIGKILL');
    assert.equal(await stopProcess(worker), 0, worker.output());
  }
});
