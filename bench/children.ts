import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * The Atelier processes a benchmark run starts (the seeder, the API). Every one is tracked, so the
 * run stops all of them on the way out, on success, failure or Ctrl-C: a benchmark that leaves an
 * API listening skews the next run and holds the port.
 */
export type AtelierChild = Readonly<{
  name: string;
  process: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for the error message when it fails. */
  tail(): string;
  exited: Promise<number | null>;
}>;

const ATELIER_BIN = path.resolve(import.meta.dirname, '..', 'bin', 'atelier.js');
const running = new Set<AtelierChild>();

export function startAtelier(
  name: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  opts: { showOutput?: boolean } = {},
): AtelierChild {
  // BENCH_CPU_PROF_DIR=<folder>: every child writes a V8 CPU profile there when it exits (open it
  // in Chrome DevTools): where the server's time went during the run.
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF_DIR)}`] : [];
  const proc = spawn(process.execPath, [...profile, ATELIER_BIN, ...args], {
    // One load generator on one IP plays hundreds of customers: rate limits would measure
    // themselves, not the server. A scenario that wants them sets RATE_LIMIT_ENABLED itself. Same
    // for load shedding: a closed loop saturates the server, which would then answer with 503s.
    env: { RATE_LIMIT_ENABLED: 'false', SHED_ENABLED: 'false', METRICS_PORT: '0', ...env },
    stdio: ['ignore', opts.showOutput ? 'inherit' : 'pipe', opts.showOutput ? 'inherit' : 'pipe'],
  });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    if (lines.length > 60) lines.splice(0, lines.length - 60);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
    proc.once('error', (err) => {
      lines.push(String(err));
      resolve(1);
    });
  });
  const child: AtelierChild = { name, process: proc, tail: () => lines.join('\n'), exited };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

/** SIGTERM (graceful shutdown), then SIGKILL if it has not exited within the grace period. */
export async function stopAtelier(child: AtelierChild, graceMs = 15_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.process.kill('SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([child.exited.then(() => undefined), killed]);
  clearTimeout(timer);
  await child.exited;
}

export async function stopAllAtelier(): Promise<void> {
  await Promise.all([...running].map((c) => stopAtelier(c)));
}

/** Polls a URL until it answers 200, the child exits, or the time is up. */
export async function waitUntilReady(child: AtelierChild, url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void child.exited.then((c) => (exitCode = c));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${child.name} exited with ${exitCode} before it was ready:\n${child.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s:\n${child.tail()}`);
}
