/**
 * What one scenario cost the server, read from its own `/metrics` before and after (the bench's
 * "where did the time go" line): CPU seconds of the Atelier process, SQL statements per database,
 * and jobs run per task. Divided by the orders of the scenario it gives the cost of one order,
 * which is what the paid-per-second target is about (issue 3, "Speed").
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export type Sample = ReadonlyMap<string, number>;
export type ServerCost = Readonly<{
  cpuSec: number;
  /** CPU seconds of each process scraped (scrapeAll's order), when there were several. */
  cpuSecByProcess: number[];
  statements: Record<string, number>;
  /** Statements by `database query-name`, for the results file: which statements an order costs. */
  byQuery: Record<string, number>;
  jobs: Record<string, number>;
}>;

/** Every sample of the exposition text, keyed by `name{labels}` exactly as written. */
export function parseMetrics(text: string): Sample {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const value = Number(line.slice(cut + 1));
    if (Number.isFinite(value)) out.set(line.slice(0, cut), value);
  }
  return out;
}

export async function scrape(metricsUrl: string): Promise<Sample> {
  const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${metricsUrl} answered ${res.status}`);
  return parseMetrics(await res.text());
}

/**
 * Several processes' scrapes as one sample: counters of the same series add up, and each
 * process's CPU is also kept as `process_cpu_seconds_total{process="<i>"}` (i: its place in the list).
 */
export async function scrapeAll(metricsUrls: readonly string[]): Promise<Sample> {
  const sum = new Map<string, number>();
  (await Promise.all(metricsUrls.map(scrape))).forEach((sample, i) => {
    for (const [k, v] of sample) sum.set(k, (sum.get(k) ?? 0) + v);
    sum.set(`process_cpu_seconds_total{process="${i}"}`, sample.get('process_cpu_seconds_total') ?? 0);
  });
  return sum;
}

function label(key: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(key)?.[1];
}

/** The growth of each counter between two scrapes, grouped as ServerCost. */
export function costBetween(before: Sample, after: Sample): ServerCost {
  const grown = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const statements: Record<string, number> = {};
  const byQuery: Record<string, number> = {};
  const jobs: Record<string, number> = {};
  for (const key of after.keys()) {
    if (key.startsWith('atelier_db_query_duration_seconds_count{')) {
      const db = label(key, 'database') ?? '?';
      statements[db] = (statements[db] ?? 0) + grown(key);
      const q = `${db} ${label(key, 'query') ?? '?'}`;
      byQuery[q] = (byQuery[q] ?? 0) + grown(key);
    } else if (key.startsWith('atelier_jobs_total{')) {
      const task = label(key, 'task') ?? '?';
      jobs[task] = (jobs[task] ?? 0) + grown(key);
    }
  }
  const cpuSecByProcess: number[] = [];
  for (let i = 0; after.has(`process_cpu_seconds_total{process="${i}"}`); i++) {
    cpuSecByProcess.push(grown(`process_cpu_seconds_total{process="${i}"}`));
  }
  return { cpuSec: grown('process_cpu_seconds_total'), cpuSecByProcess, statements, byQuery, jobs };
}

/** "per order: 41 ms CPU, 38 statements (catalog 9, shard_0 29), 7 jobs (...)". */
export function describeCost(cost: ServerCost, orders: number, processNames: readonly string[] = []): string {
  if (orders <= 0) return 'no orders';
  const per = (n: number) => (n / orders).toFixed(1);
  const list = (r: Record<string, number>) =>
    Object.entries(r)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${per(n)}`)
      .join(', ');
  const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return (
    `per order: ${((cost.cpuSec * 1000) / orders).toFixed(1)} ms of Atelier CPU` +
    (cost.cpuSecByProcess.length > 1
      ? ` (${cost.cpuSecByProcess.map((c, i) => `${processNames[i] ?? `process ${i}`} ${((c * 1000) / orders).toFixed(1)}`).join(', ')})`
      : '') +
    ', ' +
    `${per(total(cost.statements))} SQL statements (${list(cost.statements)}), ` +
    `${per(total(cost.jobs))} jobs (${list(cost.jobs)})`
  );
}

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every Linux we run). */
const TICKS_PER_SEC = 100;

/**
 * CPU seconds used so far by a PostgreSQL server's processes (the postmaster and every backend
 * and helper it forked), read from /proc: the database's share of an order's cost. Backends that
 * have exited are not counted (Atelier's pools keep theirs). null where /proc is not there.
 */
export async function postgresCpuSeconds(dataDir: string): Promise<number | null> {
  try {
    const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n', 1)[0]);
    let ticks = 0;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
      if (!stat) continue;
      // Fields after the command (which may hold spaces) in parentheses: state ppid ... utime stime.
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      const ppid = Number(after[1]);
      if (pid !== postmaster && ppid !== postmaster) continue;
      ticks += Number(after[11]) + Number(after[12]);
    }
    return ticks / TICKS_PER_SEC;
  } catch {
    return null;
  }
}
