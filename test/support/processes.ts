import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './scratch-postgres.ts';

/** Helpers for tests that run Atelier as a real process, the way an operator would. */
export const ATELIER_BIN = path.resolve(import.meta.dirname, '../../bin/atelier.js');

export { freePort };

/**
 * The environment of one group of Atelier processes: a fresh data folder under the system's temp
 * folder (the caller removes `ATELIER_DATA_DIR` when done), free ports for the embedded
 * PostgreSQL, the API and the payment provider, on 127.0.0.1, logging at info (tests read the
 * start-up lines); then `extra`.
 */
export async function processEnv(prefix: string, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    ATELIER_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), prefix)),
    EMBEDDED_PG_PORT: String(await serverPort()),
    PORT: String(await serverPort()),
    PAYMENT_PROVIDER_PORT: String(await serverPort()),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

/**
 * A port for a server a test process starts a little later: a random free one below Linux's
 * ephemeral range (32768 and up). `freePort` asks the kernel for port 0, and test files run side by
 * side: two of them were once handed the same port before either server listened, and the second
 * embedded PostgreSQL found the first one's on it. A random pick in 20000-31999, outside what the
 * kernel hands out, makes that collision rare; it is still checked free when picked.
 */
export async function serverPort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  return freePort();
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Whether the embedded PostgreSQL on `port` accepts a connection (it stops with the process that owns it). */
export async function postgresAnswers(port: number): Promise<boolean> {
  const c = new pg.Client({ connectionString: `postgres://atelier:atelier@127.0.0.1:${port}/postgres`, connectionTimeoutMillis: 1000 });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export type RunningProcess = Readonly<{
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}>;

export function runAtelier(args: string[], env: Record<string, string>): RunningProcess {
  // A test's processes use Redis only when the test says so: the REDIS_URL of the run would have
  // test files running side by side share cache keys and rate-limit counters. Rate limits are off
  // unless asked for, as in createTestApp, and so is load shedding. The metrics listener takes any
  // free port (METRICS_PORT=0; `metricsUrl` finds it): processes of one test run side by side.
  const { REDIS_URL: _notInherited, ...inherited } = process.env;
  const child = spawn(process.execPath, [ATELIER_BIN, ...args], {
    env: { ...inherited, RATE_LIMIT_ENABLED: 'false', SHED_ENABLED: 'false', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** The URL of a process's metrics listener, from its start-up log line (`metrics listening on ...`). */
export async function metricsUrl(proc: RunningProcess, ms = 90_000): Promise<string> {
  return eventually(
    'the metrics listener',
    async () => /metrics listening on (http:\/\/[^\s"]+\/metrics)/.exec(proc.output())?.[1],
    ms,
    proc,
  );
}

/** Polls a URL until it answers 2xx, or fails with the process output after `ms`. */
export async function waitForHttp(url: string, proc: RunningProcess, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  let exitCode: number | null | undefined;
  void proc.exited.then((c) => (exitCode = c));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`process exited with ${exitCode} before ${url} answered:\n${proc.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms:\n${proc.output()}`);
}

export async function stopProcess(proc: RunningProcess, signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 90_000): Promise<number | null> {
  if (proc.child.exitCode !== null) return proc.child.exitCode;
  proc.child.kill(signal);
  // A process that does not stop (a drain stuck on something) must fail its test, not hang the
  // file until the runner's timeout with nothing reported: killed, it exits with null.
  const killer = setTimeout(() => {
    proc.child.kill('SIGKILL');
  }, killAfterMs);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(killer);
  }
}

/**
 * The pids of the Atelier processes a process started (Linux /proc): the API processes of a
 * cluster's primary. Other children (tsx's esbuild helper) are left out.
 */
export async function atelierChildPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const pids: number[] = [];
  for (const child of text.split(/\s+/).filter(Boolean).map(Number)) {
    const cmdline = await readFile(`/proc/${child}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('atelier.js')) pids.push(child);
  }
  return pids.sort((a, b) => a - b);
}

/** Polls `probe` until it returns a value (not undefined), or fails naming `what` after `ms`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000, proc?: RunningProcess): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${proc ? `:\n${proc.output().slice(-4000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The JSON log lines (pino) a process wrote whose message matches `pattern`. */
export function logLines(proc: RunningProcess, pattern: RegExp): Array<Record<string, unknown> & { msg: string }> {
  const out: Array<Record<string, unknown> & { msg: string }> = [];
  for (const line of proc.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as Record<string, unknown> & { msg: string };
      if (typeof entry.msg === 'string' && pattern.test(entry.msg)) out.push(entry);
    } catch {
      // a partial line
    }
  }
  return out;
}
