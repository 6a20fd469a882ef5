import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import { processEnv, runAtelier, stopProcess, type RunningProcess } from './support/processes.ts';

/**
 * Issue 13, section 6: on a (re)start the first single-user browsing requests were refused with
 * `503 OVERLOADED` (event_loop_delay) for a few seconds after `/ready` answered. Start-up work must
 * not trip load shedding: the real process, with the shipped shedding settings, and 20 sequential
 * anonymous browsing requests sent the moment `/ready` answers, on the first start (which seeds the
 * demo catalog) and on a restart.
 */
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Polls /ready as tightly as a load balancer would, so that the requests follow it at once. */
async function readyAt(base: string, proc: RunningProcess, ms = 240_000): Promise<void> {
  const deadline = Date.now() + ms;
  let exited: number | null | undefined;
  void proc.exited.then((c) => (exited = c));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`exited with ${exited} before /ready:\n${proc.output()}`);
    const ok = await fetch(`${base}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`/ready did not answer:\n${proc.output()}`);
}

/** 20 anonymous browsing requests, one after the other; the statuses. */
async function browse(base: string): Promise<number[]> {
  const statuses: number[] = [];
  let productId: string | undefined;
  for (let i = 0; i < 20; i++) {
    const path =
      i % 4 === 0
        ? '/api/v1/products?limit=24'
        : i % 4 === 1
          ? `/api/v1/products/${productId ?? '00000000-0000-7000-8000-000000000000'}`
          : i % 4 === 2
            ? '/api/v1/categories'
            : `/api/v1/search?q=mug${i}`;
    const res = await fetch(`${base}${path}`);
    statuses.push(res.status);
    const body = (await res.json()) as { items?: Array<{ id: string }> };
    if (i % 4 === 0) productId = body.items?.[0]?.id ?? productId;
  }
  return statuses;
}

test(
  'the moment /ready answers, 20 sequential anonymous browsing requests are served, none shed, on the first start and on a restart',
  { timeout: 600_000 },
  async () => {
    // The shipped load-shedding settings (runAtelier turns shedding off for the other tests).
    const env = await processEnv('atelier-warm-', { SHED_ENABLED: 'true' });
    dirs.push(env.ATELIER_DATA_DIR!);
    const base = `http://127.0.0.1:${env.PORT}`;
    for (const run of ['first start', 'restart']) {
      const proc = runAtelier(['start'], env);
      try {
        await readyAt(base, proc);
        const statuses = await browse(base);
        assert.deepEqual(
          statuses.filter((s) => s === 503),
          [],
          `${run}: ${statuses.join(' ')}\n${proc
            .output()
            .split('\n')
            .filter((l) => /shedding/.test(l))
            .join('\n')}`,
        );
        assert.ok(
          statuses.every((s) => s === 200 || s === 404),
          `${run}: ${statuses.join(' ')}`,
        );
      } finally {
        assert.equal(await stopProcess(proc), 0, proc.output().slice(-3000));
      }
    }
  },
);
