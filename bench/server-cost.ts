/**
 * What one scenario cost the server, per order (the checkout bench's "where did the time go"
 * lines), measured between `startCostMeter` and `stop`:
 * - each Atelier process's CPU, SQL statements per database and statement name, and jobs per task,
 *   from the processes' own `/metrics`;
 * - PostgreSQL's CPU, from /proc, in all and by the role of the connection it worked for (its
 *   `application_name`: atelier-api, atelier-worker, the isolated queue runners, ...);
 * - the load generator's own CPU (this process);
 * - with `statementStats` (BENCH_PG_STATEMENTS=true, which starts the server with
 *   pg_stat_statements loaded), the statements that took the server's time, with their mean time
 *   per call: where a statement waits on locks, its mean shows it.
 * Divided by the orders of the scenario, that is what the paid-per-second target is about.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { labelOf, scrape, type Sample } from './metrics.ts';

export type OrderCost = Readonly<{
  orders: number;
  /** CPU milliseconds per order: all Atelier processes, and each by name. */
  atelierCpuMs: number;
  cpuMsByProcess: Readonly<Record<string, number>>;
  /** PostgreSQL's CPU milliseconds per order (null where /proc cannot tell), and by connection role. */
  postgresCpuMs: number | null;
  postgresCpuMsByRole: Readonly<Record<string, number>>;
  loadGeneratorCpuMs: number;
  /** Per order. */
  statements: number;
  statementsByDatabase: Readonly<Record<string, number>>;
  statementsByName: Readonly<Record<string, number>>;
  jobs: number;
  jobsByTask: Readonly<Record<string, number>>;
  /** The statements that took most of the server's time (pg_stat_statements), or why there are none. */
  topStatements: ReadonlyArray<TopStatement> | string | null;
}>;

export type TopStatement = Readonly<{ database: string; calls: number; totalMs: number; meanMs: number; text: string }>;

export type CostMeter = Readonly<{ stop(orders: number): Promise<OrderCost> }>;

export type CostMeterOptions = Readonly<{
  processes: ReadonlyArray<{ name: string; metricsUrl: string }>;
  /** The embedded server's data folder (its postmaster.pid), and a pool on it to ask for connection roles. */
  postgres: { dataDir: string; pool: pg.Pool };
  statementStats: boolean;
}>;

/** Linux's clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every Linux we run). */
const TICKS_PER_SEC = 100;
const TOP_STATEMENTS = 12;

/**
 * CPU seconds used so far by each process of a PostgreSQL server (the postmaster and every process
 * it forked), by pid, from /proc. Backends that exit are lost (Atelier's pools keep theirs), and
 * one that starts during the measurement counts from zero. null where /proc is not there.
 */
async function postgresCpuByPid(dataDir: string): Promise<Map<number, number> | null> {
  try {
    const postmaster = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n', 1)[0]);
    const byPid = new Map<number, number>();
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
      if (!stat) continue;
      // The fields after the command (which may hold spaces, in parentheses): state ppid ... utime stime.
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      if (pid !== postmaster && Number(after[1]) !== postmaster) continue;
      byPid.set(pid, (Number(after[11]) + Number(after[12])) / TICKS_PER_SEC);
    }
    return byPid;
  } catch {
    return null;
  }
}

/** The role of each server process: its connection's application_name, else its backend type. */
async function rolesByPid(pool: pg.Pool): Promise<Map<number, string>> {
  const { rows } = await pool.query<{ pid: number; role: string }>(
    `select pid, coalesce(nullif(application_name, ''), backend_type) as role from pg_stat_activity`,
  );
  return new Map(rows.map((r) => [r.pid, r.role]));
}

async function scrapeAll(processes: CostMeterOptions['processes']): Promise<Sample[]> {
  return Promise.all(processes.map((p) => scrape(p.metricsUrl)));
}

async function resetStatementStats(pool: pg.Pool): Promise<string | null> {
  try {
    await pool.query('create extension if not exists pg_stat_statements');
    await pool.query('select pg_stat_statements_reset()');
    return null;
  } catch (err) {
    return `pg_stat_statements unavailable: ${(err as Error).message}`;
  }
}

async function topStatements(pool: pg.Pool): Promise<TopStatement[]> {
  const { rows } = await pool.query<{ database: string; calls: string; total_ms: number; text: string }>(
    `select d.datname as database, s.calls, s.total_exec_time as total_ms, regexp_replace(s.query, '\\s+', ' ', 'g') as text
       from pg_stat_statements s join pg_database d on d.oid = s.dbid
      order by s.total_exec_time desc limit ${TOP_STATEMENTS}`,
  );
  return rows.map((r) => ({
    database: r.database,
    calls: Number(r.calls),
    totalMs: r.total_ms,
    meanMs: r.total_ms / Number(r.calls),
    text: r.text.length > 100 ? `${r.text.slice(0, 100)}...` : r.text,
  }));
}

function add(to: Record<string, number>, key: string, n: number): void {
  to[key] = (to[key] ?? 0) + n;
}

function perOrder(r: Record<string, number>, orders: number): Record<string, number> {
  return Object.fromEntries(Object.entries(r).map(([k, n]) => [k, n / orders]));
}

const sum = (r: Readonly<Record<string, number>>) => Object.values(r).reduce((a, b) => a + b, 0);

export async function startCostMeter(opts: CostMeterOptions): Promise<CostMeter> {
  const statsProblem = opts.statementStats ? await resetStatementStats(opts.postgres.pool) : null;
  const metricsBefore = await scrapeAll(opts.processes);
  const pgBefore = await postgresCpuByPid(opts.postgres.dataDir);
  const ownBefore = process.cpuUsage();
  return {
    async stop(orderCount) {
      const orders = Math.max(1, orderCount);
      const own = process.cpuUsage(ownBefore);
      const metricsAfter = await scrapeAll(opts.processes);
      const pgAfter = await postgresCpuByPid(opts.postgres.dataDir);
      const roles = await rolesByPid(opts.postgres.pool);

      const cpuByProcess: Record<string, number> = {};
      const statementsByDatabase: Record<string, number> = {};
      const statementsByName: Record<string, number> = {};
      const jobsByTask: Record<string, number> = {};
      opts.processes.forEach((p, i) => {
        const [before, after] = [metricsBefore[i]!, metricsAfter[i]!];
        const grown = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
        add(cpuByProcess, p.name, grown('process_cpu_seconds_total') * 1000);
        for (const key of after.keys()) {
          if (key.startsWith('atelier_db_query_duration_seconds_count{')) {
            const db = labelOf(key, 'database') ?? '?';
            add(statementsByDatabase, db, grown(key));
            add(statementsByName, `${db} ${labelOf(key, 'query') ?? '?'}`, grown(key));
          } else if (key.startsWith('atelier_jobs_total{')) {
            add(jobsByTask, labelOf(key, 'task') ?? '?', grown(key));
          }
        }
      });

      const pgByRole: Record<string, number> = {};
      if (pgBefore && pgAfter) {
        for (const [pid, cpu] of pgAfter) add(pgByRole, roles.get(pid) ?? 'other', (cpu - (pgBefore.get(pid) ?? 0)) * 1000);
      }
      const top = statsProblem ?? (opts.statementStats ? await topStatements(opts.postgres.pool) : null);
      return {
        orders: orderCount,
        atelierCpuMs: sum(cpuByProcess) / orders,
        cpuMsByProcess: perOrder(cpuByProcess, orders),
        postgresCpuMs: pgBefore && pgAfter ? sum(pgByRole) / orders : null,
        postgresCpuMsByRole: perOrder(pgByRole, orders),
        loadGeneratorCpuMs: (own.user + own.system) / 1000 / orders,
        statements: sum(statementsByDatabase) / orders,
        statementsByDatabase: perOrder(statementsByDatabase, orders),
        statementsByName: perOrder(statementsByName, orders),
        jobs: sum(jobsByTask) / orders,
        jobsByTask: perOrder(jobsByTask, orders),
        topStatements: top,
      };
    },
  };
}

/** "a 12.3, b 4.5" for the entries worth showing (at least 0.05), largest first. */
function listed(r: Readonly<Record<string, number>>): string {
  return Object.entries(r)
    .filter(([, n]) => n >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n.toFixed(1)}`)
    .join(', ');
}

/** The lines the bench prints; `detail` adds every statement name per order. */
export function describeCost(c: OrderCost, detail: boolean): string[] {
  const pg = c.postgresCpuMs === null ? 'PostgreSQL CPU unknown (no /proc)' : `${c.postgresCpuMs.toFixed(1)} ms of PostgreSQL CPU`;
  const machine = c.atelierCpuMs + (c.postgresCpuMs ?? NaN);
  const lines = [
    `per order: ${c.atelierCpuMs.toFixed(1)} ms of Atelier CPU (${listed(c.cpuMsByProcess)}), ${pg}` +
      (Number.isFinite(machine) ? `: ${machine.toFixed(1)} ms of the machine server side` : '') +
      `; the load generator's ${c.loadGeneratorCpuMs.toFixed(1)} ms`,
    `  PostgreSQL CPU ms by connection: ${listed(c.postgresCpuMsByRole)}`,
    `  ${c.statements.toFixed(1)} SQL statements (${listed(c.statementsByDatabase)}), ${c.jobs.toFixed(1)} jobs (${listed(c.jobsByTask)})`,
  ];
  if (detail) {
    for (const [q, n] of Object.entries(c.statementsByName).sort((a, b) => b[1] - a[1])) {
      if (n >= 0.05) lines.push(`    ${n.toFixed(2).padStart(6)}  ${q}`);
    }
  }
  if (typeof c.topStatements === 'string') lines.push(`  ${c.topStatements}`);
  else if (c.topStatements) {
    lines.push('  statements by server time (pg_stat_statements): calls, mean ms, total ms, text');
    for (const s of c.topStatements) {
      lines.push(
        `    ${String(s.calls).padStart(6)} ${s.meanMs.toFixed(2).padStart(8)} ${s.totalMs.toFixed(0).padStart(8)}  ${s.database}: ${s.text}`,
      );
    }
  }
  return lines;
}
