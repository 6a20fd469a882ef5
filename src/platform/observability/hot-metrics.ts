import type { Metric, Registry } from 'prom-client';

/**
 * Counters and histograms for the hot paths (every HTTP request, every SQL query, every cache
 * read). prom-client's own `labels(...).observe(v)` builds a labels object and a hash string on
 * every call; these keep one preallocated series object per label set instead, handed out once
 * (`series(...)`) and kept by the caller, so recording a value is a few additions and no
 * allocation. They render through prom-client's registry like any other metric (it only asks a
 * metric for `get()`), so `/metrics` is one exposition.
 */

type Labels = Record<string, string>;

export class HotCounterSeries {
  value = 0;
  constructor(readonly labels: Labels) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class HotHistogramSeries {
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: Float64Array,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** The series of one metric, found by their label values joined with a separator. */
abstract class HotMetric<S extends { labels: Labels }> {
  protected readonly bySeries = new Map<string, S>();
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  /** The series for these label values (in `labelNames` order), made on first use. Keep it. */
  series(...values: string[]): S {
    const key = values.join('\u0001');
    let s = this.bySeries.get(key);
    if (!s) {
      const labels: Labels = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''));
      s = this.make(labels);
      this.bySeries.set(key, s);
    }
    return s;
  }

  /** Every series made so far (tests, and a caller that wants to sum over one label). */
  all(): IterableIterator<S> {
    return this.bySeries.values();
  }

  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  protected abstract make(labels: Labels): S;
}

export class HotCounter extends HotMetric<HotCounterSeries> {
  readonly type = 'counter';
  protected make(labels: Labels): HotCounterSeries {
    return new HotCounterSeries(labels);
  }
  get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [...this.bySeries.values()].map((s) => ({ labels: s.labels, value: s.value })),
    };
  }
}

export class HotHistogram extends HotMetric<HotHistogramSeries> {
  readonly type = 'histogram';
  private readonly bounds: Float64Array;
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.bounds = Float64Array.from([...buckets].sort((a, b) => a - b));
  }
  protected make(labels: Labels): HotHistogramSeries {
    return new HotHistogramSeries(labels, this.bounds);
  }
  get() {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const s of this.bySeries.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += s.counts[i]!;
        const le = i < this.bounds.length ? this.bounds[i]! : '+Inf';
        values.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
