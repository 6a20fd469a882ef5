/**
 * The scale-out part of `npm run bench` (issue 4, "Benchmark"): `npm run bench -- --only scale`.
 *
 * Two servers run side by side on the bench's PostgreSQL, both with the Redis tier when Redis is
 * reachable (REDIS_URL, else a local Redis that answers PING; a key prefix of this run's own):
 *
 *   single   `atelier api` on BENCH_PORT: one API process.
 *   cluster  `atelier api --api-processes 2` on BENCH_PORT + 1: a primary and two API processes.
 *
 * 1. Cost per request. The machine has 2 cores shared with the load generator, so raw req/s of
 *    one process and of two cannot be compared: two processes mostly take CPU from autocannon.
 *    What must not grow is the server's CPU time per request: it is read from /proc/<pid>/stat of
 *    every server process (the cluster's primary included: it accepts the connections and hands
 *    them over) before and after each load phase, and divided by the requests served. Warm
 *    product detail and warm list pages, rounds interleaved single/cluster, medians kept.
 *    Target: cluster within 15% of single.
 * 2. Invalidation across nodes. A seller edits a product BENCH_SCALE_EDITS times through the single
 *    server (node A); after each edit's answer, both API processes of the cluster (nodes B1, B2,
 *    each reached on its own kept-alive connection) are polled until they show the new title. The
 *    delay of an edit is the later of the two. Target: p99 under 100 ms.
 *
 * The bench makes its own small shop (one seller, BENCH_SCALE_PRODUCTS products) through the API,
 * so it needs no seeded catalog.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { startAtelier, stopAtelier, waitUntilReady, type AtelierChild } from './children.ts';
import { createClient, errorKind, type Client } from './http-client.ts';
import { fixed, percentile, renderTable, type Target } from './report.ts';

export type ScaleSettings = Readonly<{
  /** The single-process API; the cluster listens on the next port. */
  apiPort: number;
  /** Seconds per scenario and server, split over the rounds. */
  durationSec: number;
  rounds: number;
  connections: number;
  products: number;
  edits: number;
  /** Explicit REDIS_URL, or null to look for a local Redis. */
  redisUrl: string | null;
}>;

export type ScaleRow = Readonly<{
  scenario: string;
  server: 'single' | 'cluster';
  processes: number;
  reqPerSec: number;
  /** Median over the rounds of the server processes' CPU time per request, and the lowest and highest round. */
  cpuMicrosPerRequest: number;
  cpuRange: readonly [number, number];
  /** CPU seconds the server used per wall-clock second (how many cores it kept busy). */
  coresBusy: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}>;

export type InvalidationResult = Readonly<{
  edits: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Edits a node still did not show after the give-up time. */
  missed: number;
  perNode: Record<string, { p50Ms: number; p99Ms: number; maxMs: number }>;
}>;

export type ScaleResult = Readonly<{
  redis: string;
  /** Whether the servers really used the Redis tier (keys appeared under this run's prefix). */
  redisTierActive: boolean;
  rows: ScaleRow[];
  invalidation: InvalidationResult | null;
  targets: Target[];
}>;

const GIVE_UP_MS = 5000;
const WARMUP_SEC = 3;

const median = (xs: readonly number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

// ---------------------------------------------------------------------------------------------
// CPU time of the server processes, from /proc (Linux)

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU time of one process (all its threads: JIT, GC, libuv pool), in microseconds. */
async function cpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14, stime 15 (proc(5)).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / clockTicks();
}

/**
 * A server's process and all its descendants: the API processes of a cluster, and the helpers
 * each Node process may run (tsx's esbuild service). All of it is the server's CPU.
 */
async function processTree(pid: number): Promise<number[]> {
  const out = [pid];
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    for (const child of text.split(/\s+/).filter(Boolean).map(Number)) out.push(...(await processTree(child)));
  }
  return out;
}

/** The Atelier processes (node running bin/atelier.js) among `pids`. */
async function atelierProcesses(pids: readonly number[]): Promise<number[]> {
  const found: number[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('atelier.js')) found.push(pid);
  }
  return found;
}

async function treeCpuMicros(pids: readonly number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) total += await cpuMicros(pid);
  return total;
}

// ---------------------------------------------------------------------------------------------

type Server = Readonly<{
  name: 'single' | 'cluster';
  processes: number;
  base: string;
  child: AtelierChild;
  /** Every process of the server (measured for CPU), and the Atelier ones among them (primary first). */
  pids: number[];
  atelier: number[];
}>;

async function startServer(
  name: Server['name'],
  processes: number,
  port: number,
  env: (extra: Record<string, string>) => NodeJS.ProcessEnv,
  extra: Record<string, string>,
): Promise<Server> {
  const args = processes > 1 ? ['api', '--api-processes', String(processes)] : ['api'];
  const child = startAtelier(`api (${name})`, args, env({ ...extra, HOST: '127.0.0.1', PORT: String(port) }));
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(child, `${base}/health`);
  const pids = await processTree(child.process.pid!);
  const atelier = await atelierProcesses(pids);
  if (atelier.length !== processes + (processes > 1 ? 1 : 0)) {
    throw new Error(`${name}: expected ${processes} API processes, found Atelier processes ${atelier.join(', ')}`);
  }
  if (processes > 1) {
    // The port answers as soon as the first API process listens: wait until every one has answered.
    const workers = new Set(atelier.slice(1));
    const seen = new Set<number>();
    const deadline = Date.now() + 120_000;
    while (seen.size < workers.size) {
      if (Date.now() > deadline) throw new Error(`${name}: only ${[...seen].join(', ')} of ${[...workers].join(', ')} answered`);
      const probe = createClient(base, 1);
      const a = await probe.request('GET', '/bench/process').catch(() => null);
      probe.close();
      const pid = (a?.body as { pid?: number } | null)?.pid;
      if (typeof pid === 'number' && workers.has(pid)) seen.add(pid);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  return { name, processes, base, child, pids, atelier };
}

async function hammer(base: string, paths: readonly string[], connections: number, durationSec: number): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: base,
    connections,
    duration: durationSec,
    timeout: 10,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length]! }) }],
  });
}

type Fixture = Readonly<{ sellerAuth: Record<string, string>; productIds: string[]; shopSlug: string }>;

/** One seller with a shop of published products, made through node A. */
async function makeFixture(client: Client, products: number): Promise<Fixture> {
  const tag = randomUUID().slice(0, 8);
  // Sign-up never signs in (it answers 202 either way, revealing nothing): a sign-up, then a log-in.
  const credentials = { email: `bench-scale-${tag}@bench.test`, password: 'bench horse battery staple' };
  const signedUp = await client.request('POST', '/api/v1/auth/signup', {
    body: { ...credentials, name: 'Bench scale seller', role: 'seller' },
  });
  if (signedUp.status !== 202) throw new Error(`scale: seller sign-up failed: ${errorKind(signedUp)}`);
  const signUp = await client.request('POST', '/api/v1/auth/login', { body: credentials });
  if (signUp.status !== 200) throw new Error(`scale: seller log-in failed: ${errorKind(signUp)}`);
  const sellerAuth = { authorization: `Bearer ${(signUp.body as { token: string }).token}` };
  const shopSlug = `bench-scale-${tag}`;
  const shop = await client.request('POST', '/api/v1/shops', { headers: sellerAuth, body: { slug: shopSlug, name: `Bench scale ${tag}` } });
  if (shop.status !== 201) throw new Error(`scale: shop creation failed: ${errorKind(shop)}`);
  const productIds: string[] = [];
  for (let i = 0; i < products; i++) {
    const p = await client.request('POST', '/api/v1/products', {
      headers: sellerAuth,
      body: {
        title: `Scale bowl ${i}`,
        description: 'Thrown by hand for the scale-out benchmark',
        status: 'published',
        variants: [{ options: { size: 'M' }, price: 1200 + i }],
      },
    });
    if (p.status !== 201) throw new Error(`scale: product creation failed: ${errorKind(p)}`);
    productIds.push((p.body as { id: string }).id);
  }
  return { sellerAuth, productIds, shopSlug };
}

/** Redis to use: REDIS_URL, else a local one that answers PING, else none. */
async function findRedis(given: string | null): Promise<string | null> {
  const url = given ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return url;
  } catch {
    if (given) throw new Error(`REDIS_URL=${given} does not answer PING`);
    return null;
  } finally {
    redis.disconnect();
  }
}

/** Keys under this run's prefix: proof that the servers used the Redis tier, and what to delete afterwards. */
async function prefixKeys(url: string, prefix: string, remove: boolean): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    let cursor = '0';
    let count = 0;
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
      if (remove && keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    return count;
  } finally {
    redis.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------

async function measureCost(
  servers: readonly Server[],
  scenarios: ReadonlyArray<{ name: string; paths: string[] }>,
  settings: ScaleSettings,
  log: (line: string) => void,
): Promise<ScaleRow[]> {
  const roundSec = Math.max(1, Math.round(settings.durationSec / settings.rounds));
  const rows: ScaleRow[] = [];
  // First every scenario's paths together, so that the first scenario measured does not pay for
  // compiling the code paths the later ones share (on a busy machine that takes many seconds).
  const allPaths = scenarios.flatMap((sc) => sc.paths);
  log(`  warming up the servers on every scenario (${WARMUP_SEC * 2} s per API process)`);
  for (const s of servers) await hammer(s.base, allPaths, settings.connections, WARMUP_SEC * 2 * s.processes);
  for (const scenario of scenarios) {
    // Each API process compiles its own hot paths (JIT), on its share of the requests: a server
    // of N processes is warmed N times as long, or its first round measures the compiler.
    log(`  ${scenario.name}: warming the servers (${WARMUP_SEC} s per API process)`);
    for (const s of servers) await hammer(s.base, scenario.paths, settings.connections, WARMUP_SEC * s.processes);
    const trials = new Map<string, Array<{ r: autocannon.Result; cpu: number; wallSec: number }>>();
    for (let round = 1; round <= settings.rounds; round++) {
      // Interleaved: whatever else the machine does falls on both servers alike.
      for (const s of servers) {
        const before = await treeCpuMicros(s.pids);
        const started = performance.now();
        const r = await hammer(s.base, scenario.paths, settings.connections, roundSec);
        const wallSec = (performance.now() - started) / 1000;
        const cpu = (await treeCpuMicros(s.pids)) - before;
        const list = trials.get(s.name) ?? [];
        list.push({ r, cpu, wallSec });
        trials.set(s.name, list);
        log(
          `    round ${round} ${s.name} (${s.processes} API process${s.processes > 1 ? 'es' : ''}): ${r.requests.average.toFixed(0)} req/s, ` +
            `${(cpu / Math.max(1, r.requests.total)).toFixed(0)} µs CPU/request, ${(cpu / 1e6 / wallSec).toFixed(2)} cores busy` +
            (r.errors + r.timeouts + r.non2xx > 0 ? `, ${r.errors + r.timeouts} errors, ${r.non2xx} non-2xx ${statusCodes(r)}` : ''),
        );
      }
    }
    for (const s of servers) {
      const list = trials.get(s.name)!;
      const perRequest = list.map((t) => t.cpu / Math.max(1, t.r.requests.total));
      rows.push({
        scenario: scenario.name,
        server: s.name,
        processes: s.processes,
        reqPerSec: median(list.map((t) => t.r.requests.average)),
        cpuMicrosPerRequest: median(perRequest),
        cpuRange: [Math.min(...perRequest), Math.max(...perRequest)],
        coresBusy: median(list.map((t) => t.cpu / 1e6 / t.wallSec)),
        p99Ms: median(list.map((t) => t.r.latency.p99)),
        requests: list.reduce((n, t) => n + t.r.requests.total, 0),
        errors: list.reduce((n, t) => n + t.r.errors + t.r.timeouts, 0),
        non2xx: list.reduce((n, t) => n + t.r.non2xx, 0),
      });
    }
  }
  return rows;
}

/** The answers other than 2xx by status, e.g. "(500 x 12)": a failing scenario says how. */
function statusCodes(r: autocannon.Result): string {
  const stats = (r as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  const other = Object.entries(stats).filter(([code]) => !code.startsWith('2'));
  return other.length === 0 ? '' : `(${other.map(([code, s]) => `${code} x ${s.count}`).join(', ')})`;
}

/** A client pinned to one API process of the cluster: one kept-alive connection, checked by pid. */
async function pinnedClients(cluster: Server): Promise<Array<{ node: string; client: Client }>> {
  const byPid = new Map<number, Client>();
  for (let attempt = 0; attempt < 20 && byPid.size < cluster.processes; attempt++) {
    const client = createClient(cluster.base, 1);
    const a = await client.request('GET', '/bench/process');
    const pid = (a.body as { pid?: number } | null)?.pid;
    if (a.status !== 200 || typeof pid !== 'number') throw new Error(`scale: GET /bench/process -> ${errorKind(a)}`);
    if (byPid.has(pid)) client.close();
    else byPid.set(pid, client);
  }
  if (byPid.size < cluster.processes)
    throw new Error(`scale: reached only ${byPid.size} of the cluster's ${cluster.processes} API processes`);
  return [...byPid.entries()].map(([pid, client], i) => ({ node: `B${i + 1} (pid ${pid})`, client }));
}

async function measureInvalidation(
  a: Client,
  cluster: Server,
  fixture: Fixture,
  edits: number,
  log: (line: string) => void,
): Promise<InvalidationResult> {
  const nodes = await pinnedClients(cluster);
  const productId = fixture.productIds[0]!;
  const path = `/api/v1/products/${productId}`;
  const titleOn = async (client: Client) => {
    // A kept-alive socket the server closed just as it was reused fails once; the retry reconnects.
    const r = await client.request('GET', path).catch(() => client.request('GET', path));
    if (r.status !== 200) throw new Error(`scale: GET ${path} -> ${errorKind(r)}`);
    return (r.body as { title: string }).title;
  };
  const delays: number[] = [];
  const perNode = new Map<string, number[]>(nodes.map((n) => [n.node, []]));
  let missed = 0;
  let current = await titleOn(a);
  for (let i = 0; i < edits; i++) {
    // Every node serves the current title from its caches before the edit (they are warm).
    for (const n of nodes) {
      const deadline = Date.now() + GIVE_UP_MS;
      let shown = await titleOn(n.client);
      while (shown !== current && Date.now() < deadline) shown = await titleOn(n.client);
    }
    const title = `Scale bowl edit ${i} ${randomUUID().slice(0, 6)}`;
    const edit = await a.request('PATCH', path, { headers: fixture.sellerAuth, body: { title } });
    if (edit.status !== 200) throw new Error(`scale: PATCH ${path} -> ${errorKind(edit)}`);
    const written = performance.now();
    const seen = await Promise.all(
      nodes.map(async (n) => {
        for (;;) {
          if ((await titleOn(n.client)) === title) return performance.now() - written;
          if (performance.now() - written > GIVE_UP_MS) return Infinity;
        }
      }),
    );
    nodes.forEach((n, j) => perNode.get(n.node)!.push(seen[j]!));
    const worst = Math.max(...seen);
    if (!Number.isFinite(worst)) missed++;
    delays.push(worst);
    current = title;
  }
  for (const n of nodes) n.client.close();
  const sorted = [...delays].sort((x, y) => x - y);
  const result: InvalidationResult = {
    edits,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
    missed,
    perNode: Object.fromEntries(
      [...perNode.entries()].map(([node, xs]) => {
        const s = [...xs].sort((x, y) => x - y);
        return [node, { p50Ms: percentile(s, 50), p99Ms: percentile(s, 99), maxMs: s[s.length - 1] ?? NaN }];
      }),
    ),
  };
  log(
    `  ${edits} edits through A, seen on ${nodes.map((n) => n.node).join(' and ')}: ` +
      `p50 ${fixed(result.p50Ms, 1)} ms, p99 ${fixed(result.p99Ms, 1)} ms, max ${fixed(result.maxMs, 1)} ms` +
      (missed > 0 ? `, ${missed} not seen within ${GIVE_UP_MS} ms` : ''),
  );
  return result;
}

export async function runScaleBench(opts: {
  settings: ScaleSettings;
  env: (extra: Record<string, string>) => NodeJS.ProcessEnv;
  log: (line: string) => void;
}): Promise<ScaleResult> {
  const { settings, log } = opts;
  const redisUrl = await findRedis(settings.redisUrl);
  const prefix = `atelier-bench-${process.pid}`;
  const redisEnv: Record<string, string> = redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } : {};
  const extra = { ...redisEnv, BENCH_ROUTES: 'true', RATE_LIMIT_ENABLED: 'false', CACHE_ENABLED: 'true' };
  log(
    `\nScale-out: 1 API process vs 2 (--api-processes 2), ${redisUrl ? `Redis tier on ${redisUrl} (prefix ${prefix})` : 'NO Redis (none answers PING; set REDIS_URL)'}`,
  );
  const servers: Server[] = [];
  const a = createClient(`http://127.0.0.1:${settings.apiPort}`, 4);
  try {
    servers.push(await startServer('single', 1, settings.apiPort, opts.env, extra));
    servers.push(await startServer('cluster', 2, settings.apiPort + 1, opts.env, extra));
    const [single, cluster] = servers as [Server, Server];
    log(
      `  single: pid ${single.atelier.join(', ')}; cluster: primary ${cluster.atelier[0]}, API processes ${cluster.atelier.slice(1).join(', ')}` +
        ` (CPU read from ${single.pids.length} + ${cluster.pids.length} processes, helpers such as esbuild included)`,
    );
    const fixture = await makeFixture(a, settings.products);
    const scenarios = [
      { name: 'detail warm', paths: fixture.productIds.map((id) => `/api/v1/products/${id}`) },
      {
        name: 'list warm',
        paths: [
          '/api/v1/products',
          `/api/v1/products?shop=${fixture.shopSlug}`,
          `/api/v1/products?shop=${fixture.shopSlug}&sort=price_desc`,
          '/api/v1/products?sort=price_asc&limit=48',
        ],
      },
    ];
    const rows = await measureCost(servers, scenarios, settings, log);
    const redisKeys = redisUrl ? await prefixKeys(redisUrl, prefix, false) : 0;
    log(
      redisUrl
        ? `  Redis tier: ${redisKeys} keys under ${prefix}:* after the warm reads${redisKeys === 0 ? ' (NONE: the servers did not use Redis)' : ''}`
        : '',
    );
    log('\n  invalidation across nodes (A = single, B = each API process of the cluster):');
    const invalidation = redisUrl ? await measureInvalidation(a, servers[1]!, fixture, settings.edits, log) : null;
    if (!redisUrl)
      log('  skipped: without Redis nothing tells another node about a write (its memory tier keeps the page until CACHE_TTL_SECONDS)');

    const targets: Target[] = [];
    for (const scenario of scenarios) {
      const one = rows.find((r) => r.scenario === scenario.name && r.server === 'single');
      const two = rows.find((r) => r.scenario === scenario.name && r.server === 'cluster');
      const name = `scale ${scenario.name}: CPU per request, 2 API processes within 15% of 1`;
      if (!one || !two) {
        targets.push({ name, kind: 'issue', verdict: 'N/A', detail: 'not measured' });
        continue;
      }
      const ratio = two.cpuMicrosPerRequest / one.cpuMicrosPerRequest;
      const failures = one.errors + one.non2xx + two.errors + two.non2xx;
      targets.push({
        name,
        kind: 'issue',
        verdict: ratio <= 1.15 && failures === 0 && redisKeys > 0 ? 'PASS' : redisKeys === 0 ? 'N/A' : 'FAIL',
        detail:
          `${fixed(two.cpuMicrosPerRequest, 0)} vs ${fixed(one.cpuMicrosPerRequest, 0)} µs = ${(ratio * 100).toFixed(0)}%` +
          (failures > 0 ? `, ${failures} errors` : '') +
          (redisKeys === 0 ? ', without the Redis tier' : ''),
      });
    }
    targets.push(
      invalidation
        ? {
            name: 'scale: an edit on one node reaches every node, p99 < 100 ms',
            kind: 'issue',
            verdict: invalidation.p99Ms < 100 && invalidation.missed === 0 ? 'PASS' : 'FAIL',
            detail: `p99 ${fixed(invalidation.p99Ms, 1)} ms over ${invalidation.edits} edits (p50 ${fixed(invalidation.p50Ms, 1)}, max ${fixed(invalidation.maxMs, 1)})`,
          }
        : { name: 'scale: an edit on one node reaches every node, p99 < 100 ms', kind: 'issue', verdict: 'N/A', detail: 'no Redis' },
    );
    return { redis: redisUrl ?? 'none', redisTierActive: redisKeys > 0, rows, invalidation, targets };
  } catch (err) {
    // What the servers said last is usually the reason.
    const tails = servers.map((s) => `--- ${s.name} (last lines) ---\n${s.child.tail()}`).join('\n');
    throw new Error(`${(err as Error).message}\n${tails}`, { cause: err });
  } finally {
    a.close();
    for (const s of servers.reverse()) await stopAtelier(s.child);
    if (redisUrl) await prefixKeys(redisUrl, prefix, true).catch(() => undefined);
  }
}

export function formatScaleTable(result: ScaleResult): string {
  const header = ['scenario', 'server', 'API procs', 'req/s', 'CPU µs/req', 'rounds min-max', 'cores busy', 'p99 ms', 'errors/non-2xx'];
  const body = result.rows.map((r) => [
    r.scenario,
    r.server,
    String(r.processes),
    fixed(r.reqPerSec, 0),
    fixed(r.cpuMicrosPerRequest, 0),
    `${fixed(r.cpuRange[0], 0)}-${fixed(r.cpuRange[1], 0)}`,
    fixed(r.coresBusy, 2),
    fixed(r.p99Ms, 1),
    `${r.errors}/${r.non2xx}`,
  ]);
  const lines = [renderTable(header, body, (i) => i >= 2)];
  const inv = result.invalidation;
  if (inv) {
    lines.push(
      '',
      `invalidation (${inv.edits} edits, A -> every B): p50 ${fixed(inv.p50Ms, 1)} ms, p95 ${fixed(inv.p95Ms, 1)} ms, ` +
        `p99 ${fixed(inv.p99Ms, 1)} ms, max ${fixed(inv.maxMs, 1)} ms, missed ${inv.missed}`,
    );
  }
  lines.push(`Redis: ${result.redis}${result.redisTierActive ? ' (tier in use)' : ' (tier NOT in use)'}`);
  return lines.join('\n');
}
