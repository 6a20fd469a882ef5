import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Helpers for tests that run Atelier as a real process, the way an operator would. */
export const ATELIER_BIN = path.resolve(import.meta.dirname, '../../bin/atelier.js');

export { freePort } from './scratch-postgres.ts';

export type RunningProcess = Readonly<{
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}>;

export function runAtelier(args: string[], env: Record<string, string>): RunningProcess {
  // A test's processes use Redis only when the test says so: the REDIS_URL of the run would have
  // test files running side by side share cache keys and rate-limit counters. Rate limits are off
  // unless asked for, as in createTestApp.
  const { REDIS_URL: _notInherited, ...inherited } = process.env;
  const child = spawn(process.execPath, [ATELIER_BIN, ...args], {
    env: { ...inherited, RATE_LIMIT_ENABLED: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
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

export async function stopProcess(proc: RunningProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (proc.child.exitCode !== null) return proc.child.exitCode;
  proc.child.kill(signal);
  return proc.exited;
}
