import { parseMetrics, type Sample } from '../bench/metrics.ts';
import type { ServerSample } from './types.ts';

/**
 * The server's side of a run: every `intervalMs`, each process role's `/metrics` (the metrics
 * listener, never shed, so it answers under overload) is read, and counters become rates since the
 * previous read. A scrape that fails is skipped, not fatal: an overloaded host may miss one.
 */
export type MetricsSource = Readonly<{ role: string; url: string }>;

const sum = (s: Sample, name: string, label?: string): number => {
  let total = 0;
  for (const [key, value] of s) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    if (label !== undefined && !key.includes(label)) continue;
    total += value;
  }
  return total;
};

const max = (s: Sample, name: string): number => {
  let m = 0;
  for (const [key, value] of s) if (key === name || key.startsWith(`${name}{`)) m = Math.max(m, value);
  return m;
};

/** One ServerSample from two scrapes `dtSec` apart. */
export function sampleBetween(role: string, at: number, before: Sample, after: Sample, dtSec: number): ServerSample {
  const delta = (name: string, label?: string) => Math.max(0, sum(after, name, label) - sum(before, name, label));
  const hits = delta('atelier_cache_hits_total');
  const misses = delta('atelier_cache_misses_total');
  return {
    at,
    role,
    cpu: delta('process_cpu_seconds_total') / dtSec,
    rssBytes: sum(after, 'process_resident_memory_bytes'),
    eventLoopDelayMs: max(after, 'nodejs_eventloop_lag_mean_seconds') * 1000,
    shedPerSec: delta('atelier_http_shed_total') / dtSec,
    checkoutLine: sum(after, 'atelier_checkout_line_length'),
    poolWaiting: sum(after, 'atelier_db_pool_connections', 'state="waiting"'),
    queueDepth: max(after, 'atelier_queue_depth'),
    oldestJobSec: max(after, 'atelier_queue_oldest_job_age_seconds'),
    cacheHitRatio: hits + misses === 0 ? null : hits / (hits + misses),
  };
}

export function startSampler(sources: readonly MetricsSource[], startedAt: number, intervalMs = 2000) {
  const samples: ServerSample[] = [];
  const last = new Map<string, { at: number; sample: Sample }>();
  let stopped = false;

  // Every role's sample of one round carries the round's time, so the report's series line up.
  const readOne = async (src: MetricsSource, tick: number) => {
    try {
      // An overloaded host answers slowly; the primary of several API processes also asks each of them.
      const res = await fetch(src.url, { signal: AbortSignal.timeout(Math.max(5000, intervalMs)) });
      if (!res.ok) return;
      const sample = parseMetrics(await res.text());
      const now = performance.now();
      const prev = last.get(src.role);
      if (prev)
        samples.push(sampleBetween(src.role, Math.round((tick - startedAt) / 100) * 100, prev.sample, sample, (now - prev.at) / 1000));
      last.set(src.role, { at: now, sample });
    } catch {
      // missed: the next read covers the gap
    }
  };
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      await Promise.all(sources.map((src) => readOne(src, t0)));
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (performance.now() - t0))));
    }
  })();
  return {
    samples,
    async stop(): Promise<ServerSample[]> {
      stopped = true;
      await loop;
      return samples;
    },
  };
}
