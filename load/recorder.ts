import * as hdr from 'hdr-histogram-js';
import { objectiveOf } from '../ops/slo.ts';
import { CLASSES, type Percentiles, type RequestClass, type Window } from './types.ts';

/**
 * Where every answer of a run goes: per class, one HDR histogram per time window and one for the
 * whole run, plus counts of what came back. Latency is recorded in microseconds from the moment the
 * request was meant to start (coordinated omission: a request the generator sent late, or that
 * waited for a connection, counts its whole wait), and reported in milliseconds.
 */
export type Outcome = 'ok' | 'shed' | 'error';

type Counts = { answered: number; ok: number; good: number; shed: number; errors: number; histogram: hdr.Histogram };

const newHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
const newCounts = (): Counts => ({ answered: 0, ok: 0, good: 0, shed: 0, errors: 0, histogram: newHistogram() });

export function percentilesOf(h: hdr.Histogram): Percentiles {
  const ms = (us: number) => Math.round(us / 10) / 100;
  if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}

const THRESHOLD_MS = Object.fromEntries(CLASSES.map((c) => [c, objectiveOf(c).p99Ms])) as Record<RequestClass, number>;

export class Recorder {
  private readonly windows: Array<{ offered: number; perClass: Map<RequestClass, Counts> }> = [];
  private readonly totals = new Map<RequestClass, Counts>();
  readonly errorsByKind: Record<string, number> = {};

  constructor(
    readonly startedAt: number,
    readonly windowMs: number,
  ) {}

  private windowAt(t: number) {
    const i = Math.max(0, Math.floor((t - this.startedAt) / this.windowMs));
    while (this.windows.length <= i) this.windows.push({ offered: 0, perClass: new Map() });
    return this.windows[i]!;
  }

  /** The model's arrival rate for the window holding `t` (the last value set wins). */
  offer(t: number, sessionsPerSec: number): void {
    this.windowAt(t).offered = sessionsPerSec;
  }

  /** One answer (or network failure) of class `c`, meant to start at `intendedAt`, finished at `doneAt`. */
  record(c: RequestClass, intendedAt: number, doneAt: number, outcome: Outcome, kind?: string): void {
    const us = Math.max(1, Math.round((doneAt - intendedAt) * 1000));
    const good = outcome === 'ok' && us <= THRESHOLD_MS[c] * 1000;
    const w = this.windowAt(doneAt);
    for (const counts of [w.perClass.get(c) ?? this.put(w.perClass, c), this.totals.get(c) ?? this.put(this.totals, c)]) {
      counts.answered++;
      if (outcome === 'ok') counts.ok++;
      else if (outcome === 'shed') counts.shed++;
      else counts.errors++;
      if (good) counts.good++;
      counts.histogram.recordValue(us);
    }
    if (outcome !== 'ok' && kind) this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + 1;
  }

  private put(map: Map<RequestClass, Counts>, c: RequestClass): Counts {
    const counts = newCounts();
    map.set(c, counts);
    return counts;
  }

  /** Answers of every class from window `from` (inclusive) to `to` (exclusive), merged: for a capacity step. */
  slice(
    fromMs: number,
    toMs: number,
  ): Map<RequestClass, { answered: number; ok: number; good: number; shed: number; errors: number; latency: Percentiles }> {
    const out = new Map<RequestClass, Counts>();
    const first = Math.floor(fromMs / this.windowMs);
    const last = Math.ceil(toMs / this.windowMs);
    for (let i = first; i < last && i < this.windows.length; i++) {
      for (const [c, counts] of this.windows[i]!.perClass) {
        const into = out.get(c) ?? this.put(out, c);
        into.answered += counts.answered;
        into.ok += counts.ok;
        into.good += counts.good;
        into.shed += counts.shed;
        into.errors += counts.errors;
        into.histogram.add(counts.histogram);
      }
    }
    return new Map([...out].map(([c, x]) => [c, summary(x)]));
  }

  windowsReport(): Window[] {
    return this.windows.map((w, i) => ({
      at: i * this.windowMs,
      offeredSessionsPerSec: w.offered,
      perClass: Object.fromEntries([...w.perClass].map(([c, x]) => [c, summary(x)])),
    }));
  }

  totalsReport() {
    return Object.fromEntries([...this.totals].map(([c, x]) => [c, summary(x)]));
  }

  /** Frees the histograms' memory (the wasm build needs it; the JS one is collected anyway). */
  destroy(): void {
    for (const w of this.windows) for (const c of w.perClass.values()) c.histogram.destroy();
    for (const c of this.totals.values()) c.histogram.destroy();
  }
}

function summary(x: Counts) {
  return { answered: x.answered, ok: x.ok, good: x.good, shed: x.shed, errors: x.errors, latency: percentilesOf(x.histogram) };
}
