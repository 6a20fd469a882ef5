/**
 * Stateless nodes (issue 4): several API processes serve one shop, and any of them can serve any
 * request. Real processes, as an operator runs them: `atelier start --api-processes 2`, and two
 * `atelier api` processes behind nginx with the sample configuration in ops/nginx/.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { nginxBinary, nginxConfig, NGINX_MISSING } from './support/nginx.ts';
import { call, type Answer, type Call } from './support/shop-over-http.ts';
import {
  freePort,
  metricsUrl,
  postgresAnswers,
  processEnv,
  runAtelier,
  stopProcess,
  waitForHttp,
  type RunningProcess,
} from './support/processes.ts';

/** Start-up takes seconds on a quiet machine and over a minute on a saturated one (tsx compiles every module). */
const STARTUP_MS = 180_000;

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function env(): Promise<Record<string, string>> {
  const e = await processEnv('atelier-scale-', {
    DEMO_SEED: 'false',
    BENCH_ROUTES: 'true',
    COOKIE_SECURE: 'false',
    // These tests count requests per process; the per-IP limit is not what they are about.
    RATE_LIMIT_ENABLED: 'false',
  });
  cleanups.push(() => rm(e.ATELIER_DATA_DIR!, { recursive: true, force: true }));
  return e;
}

/**
 * One request on a new TCP connection (no keep-alive agent): the cluster hands out connections,
 * not requests, round-robin, so only fresh connections show how they are spread.
 */
function request(url: string, opts: Omit<Call, 'agent' | 'timeoutMs'> = {}): Promise<Answer> {
  return call(url, '', { ...opts, agent: false, timeoutMs: 10_000 });
}

async function servedBy(base: string, n: number): Promise<number[]> {
  const pids: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = await request(`${base}/bench/process`);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    pids.push((a.body as { pid: number }).pid);
  }
  return pids;
}

/** Sign-up never signs in (it answers 202 either way, revealing nothing): a sign-up, then a log-in. */
async function signUp(base: string): Promise<string> {
  const credentials = {
    email: `scale-${Date.now()}-${Math.random().toString(36).slice(2)}@example.test`,
    password: 'correct horse battery',
  };
  const s = await request(`${base}/api/v1/auth/signup`, { method: 'POST', body: { ...credentials, name: 'Scale' } });
  assert.equal(s.status, 202, JSON.stringify(s.body));
  const a = await request(`${base}/api/v1/auth/login`, { method: 'POST', body: credentials });
  assert.equal(a.status, 200, JSON.stringify(a.body));
  return (a.body as { token: string }).token;
}

/** The pids of a process's children, from /proc (Linux): the API processes of a cluster. */
async function childPids(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `atelier <command> --api-processes 2`, once both of its API processes listen. */
async function startCluster(command: 'start' | 'api', e: Record<string, string>) {
  const base = `http://127.0.0.1:${e.PORT}`;
  const proc = runAtelier([command, '--api-processes', '2'], e);
  cleanups.push(() => stopProcess(proc, 'SIGKILL'));
  await waitForHttp(`${base}/ready`, proc, STARTUP_MS);
  // The port answers as soon as the first API process listens; the primary says when all do.
  await until(
    'both API processes to listen',
    async () => (proc.output().includes('2 API processes listening') ? true : undefined),
    120_000,
  );
  return { proc, base, primary: proc.child.pid! };
}

test(
  'start --api-processes 2: one port, two processes, one session valid on both, a dead one replaced, SIGTERM drains all',
  { timeout: 300_000 },
  async () => {
    const e = await env();
    const { proc, base, primary } = await startCluster('start', e);

    // Round-robin over connections: 8 fresh connections reach both processes, neither of them the primary.
    const pids = new Set(await servedBy(base, 8));
    assert.equal(pids.size, 2, `answers came from ${[...pids].join(', ')}`);
    assert.ok(!pids.has(primary), 'the primary serves no requests itself');
    assert.deepEqual([...pids].sort(), (await childPids(primary)).sort(), 'the two API processes are children of the primary');

    // Metrics: not on the API port; the primary's metrics listener answers for both API processes
    // (each served some of the 8 requests; only their sum is 8) and for itself (its job workers).
    const onApiPort = await request(`${base}/metrics`);
    assert.equal(onApiPort.status, 404, JSON.stringify(onApiPort.body));
    const exposition = await (await fetch(await metricsUrl(proc))).text();
    const served = [...exposition.matchAll(/^atelier_http_requests_total\{([^}]*)\} (\d+)$/gm)]
      .filter(([, labels]) => labels!.includes('route="/bench/process"') && labels!.includes('status_class="2xx"'))
      .reduce((n, m) => n + Number(m[2]), 0);
    assert.equal(
      served,
      8,
      exposition
        .split('\n')
        .filter((l) => l.includes('/bench/process'))
        .join('\n'),
    );
    assert.match(exposition, /^atelier_queue_depth\{database="catalog"\} \d+$/m);

    // A session made through one process is valid on every one: 6 more connections alternate between both.
    const token = await signUp(base);
    for (let i = 0; i < 6; i++) {
      const me = await request(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200, `request ${i}: ${JSON.stringify(me.body)}`);
    }

    // A crashed API process is replaced; requests keep being served meanwhile by its sibling.
    const [victim] = [...pids];
    process.kill(victim!, 'SIGKILL');
    for (let i = 0; i < 6; i++) {
      // The primary hands no connection to a dead process (it left the cluster when it exited),
      // though a connection handed to it in the instant it died may be lost: allow a retry.
      const a = await request(`${base}/health`).catch(() => request(`${base}/health`));
      assert.equal(a.status, 200);
    }
    const replaced = await until('a replacement API process', async () => {
      const now = await childPids(primary);
      return now.length === 2 && !now.includes(victim!) ? now : undefined;
    });
    await until('the replacement to serve', async () => {
      const seen = new Set(await servedBy(base, 4));
      return seen.size === 2 && replaced.every((p) => seen.has(p)) ? true : undefined;
    });
    assert.match(proc.output(), /an API process died; starting a replacement/);

    // Graceful stop: in-flight requests on both processes finish, new connections are refused.
    const inFlight = Promise.all([1, 2, 3, 4].map(() => request(`${base}/bench/sleep/2500`)));
    await new Promise((r) => setTimeout(r, 300));
    proc.child.kill('SIGTERM');
    // Long enough for the signal to reach both API processes on a busy machine, well within the sleeps.
    await new Promise((r) => setTimeout(r, 800));
    await assert.rejects(request(`${base}/health`), 'a new connection is refused once shutdown began');
    for (const a of await inFlight) assert.deepEqual([a.status, a.body], [200, { slept: 2500 }]);
    assert.equal(await proc.exited, 0, proc.output());
    for (const pid of replaced) assert.throws(() => process.kill(pid, 0), 'every API process exited with the primary');
    assert.equal(await postgresAnswers(Number(e.EMBEDDED_PG_PORT)), false, 'the primary stopped the embedded server last');
  },
);

test(
  'API processes that keep dying before they listen make the primary give up with exit 1, not fork forever',
  { timeout: 300_000 },
  async () => {
    const e = await env();
    const { proc, primary } = await startCluster('api', e);

    // Kill every API process the moment it appears: the two running ones are replaced, and each
    // replacement dies before it listens, as one would that cannot reach its database.
    let exited = false;
    void proc.exited.then(() => (exited = true));
    const killed = new Set<number>();
    const deadline = Date.now() + 120_000;
    while (!exited && Date.now() < deadline) {
      for (const pid of await childPids(primary)) {
        if (killed.has(pid)) continue;
        // API processes only: node:cluster puts NODE_UNIQUE_ID in its workers' environment. The
        // primary's own tsx helper (esbuild) stays, and so does its pg_ctl: a child the primary has
        // forked but not yet exec'd still shows the primary's command line (atelier.js), and killing
        // that one, the pg_ctl that stops the embedded server, made this test fail under load.
        const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
        if (!environ.split('\0').some((v) => v.startsWith('NODE_UNIQUE_ID='))) continue;
        killed.add(pid);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await proc.exited, 1, proc.output());
    assert.match(proc.output(), /API processes keep failing to start; giving up/);
    // 2 running + 5 that never listened (a sixth may have been forked by then).
    assert.ok(killed.size >= 7, `killed ${killed.size}`);
    assert.equal(
      await postgresAnswers(Number(e.EMBEDDED_PG_PORT)),
      false,
      `the primary still stopped the embedded server; its output ended:\n${proc.output().slice(-4000)}`,
    );
  },
);

test('--api-processes rejects a bad value by name, and worker refuses it', { timeout: 120_000 }, async () => {
  const e = await env();
  const cases: Array<{ args: string[]; env: Record<string, string>; pattern: RegExp }> = [
    { args: ['start', '--api-processes', '0'], env: {}, pattern: /--api-processes must be a whole number from 1 to 64/ },
    { args: ['worker', '--api-processes', '2'], env: {}, pattern: /--api-processes applies to start and api/ },
    { args: ['start'], env: { API_PROCESSES: 'many' }, pattern: /API_PROCESSES must be a whole number/ },
  ];
  await Promise.all(
    cases.map(async (c) => {
      const proc = runAtelier(c.args, { ...e, ...c.env });
      assert.equal(await proc.exited, 78, proc.output());
      assert.match(proc.output(), c.pattern);
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// nginx in front of two `atelier api` processes

const nginx = nginxBinary();

test(
  'nginx (ops/nginx/atelier.conf) in front of two atelier api processes: both serve, a killed one costs no request, public pages are cached',
  { timeout: 300_000, skip: nginx ? false : NGINX_MISSING },
  async () => {
    const e = await env();
    const portA = await freePort();
    const portB = await freePort();
    const proxyPort = await freePort();
    // The first API process owns the embedded PostgreSQL (and migrates); the second attaches.
    const apiA = runAtelier(['api'], { ...e, PORT: String(portA) });
    cleanups.push(() => stopProcess(apiA, 'SIGKILL'));
    await waitForHttp(`http://127.0.0.1:${portA}/ready`, apiA, STARTUP_MS);
    const apiB = runAtelier(['api'], { ...e, PORT: String(portB) });
    cleanups.push(() => stopProcess(apiB, 'SIGKILL'));
    await waitForHttp(`http://127.0.0.1:${portB}/ready`, apiB, STARTUP_MS);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'atelier-nginx-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const conf = await nginxConfig(dir, proxyPort, [portA, portB]);
    const check = spawnSync(nginx!, ['-t', '-p', dir, '-e', 'stderr', '-c', conf], { encoding: 'utf8' });
    assert.equal(check.status, 0, `nginx -t: ${check.stderr}`);
    const proxy: ChildProcess = spawn(nginx!, ['-p', dir, '-e', 'stderr', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let proxyLog = '';
    proxy.stderr!.on('data', (d: Buffer) => (proxyLog += d.toString()));
    const proxyExited = new Promise<void>((resolve) => proxy.once('exit', () => resolve()));
    cleanups.push(async () => {
      proxy.kill('SIGTERM');
      await proxyExited;
    });
    const proxyProc: RunningProcess = { child: proxy, output: () => proxyLog, exited: proxyExited.then(() => proxy.exitCode) };
    const base = `http://127.0.0.1:${proxyPort}`;
    await waitForHttp(`${base}/health`, proxyProc, 20_000);

    // Both processes answer through the proxy.
    const pids = new Set(await servedBy(base, 6));
    assert.deepEqual([...pids].sort(), [apiA.child.pid, apiB.child.pid].sort(), proxyLog);

    // A session made through the proxy is valid on each process directly: nothing lives in one.
    const token = await signUp(base);
    for (const port of [portA, portB]) {
      const me = await request(`http://127.0.0.1:${port}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200, `on port ${port}: ${JSON.stringify(me.body)}`);
    }

    // The proxy passes the client's request id to the API, which sends it back.
    const traced = await request(`${base}/health`, { headers: { 'x-request-id': 'scale-out-test-1' } });
    assert.equal(traced.headers['x-request-id'], 'scale-out-test-1');

    // Public catalog pages are cached by the proxy as their Cache-Control allows; personal requests are not.
    const first = await request(`${base}/api/v1/categories`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.match(String(first.headers['cache-control']), /s-maxage=\d+/);
    const second = await request(`${base}/api/v1/categories`);
    assert.equal(second.headers['x-cache-status'], 'HIT', 'the second read of a public page came from nginx');
    const personal = await request(`${base}/api/v1/categories`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(personal.headers['x-cache-status'], 'BYPASS', 'a signed-in request is never answered from the shared cache');
    const uncached = await request(`${base}/bench/process`);
    assert.notEqual(uncached.headers['x-cache-status'], 'HIT');

    // Kill one process outright: idempotent requests are retried on the other; none fails.
    await stopProcess(apiB, 'SIGKILL');
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) answers.push((await request(`${base}/bench/process`)).status);
    assert.deepEqual(answers, Array<number>(20).fill(200), proxyLog);
    const after = new Set(await servedBy(base, 4));
    assert.deepEqual([...after], [apiA.child.pid]);

    assert.equal(await stopProcess(apiA), 0, apiA.output());
  },
);
