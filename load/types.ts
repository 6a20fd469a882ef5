/**
 * The shape of one load-lab run as written to `load/reports/<scenario>-<stamp>.json` and drawn by
 * `load/report.ts` into the HTML file beside it. Everything a reader needs to judge the run is in
 * here: the model and the rates derived from it, per-class latency over time, the server's own
 * series, the SLO verdicts and the checkout invariants. Times are milliseconds from the run's
 * start unless a name says otherwise.
 */

/** The classes of request the SLOs judge (ops/slo.ts names an objective for each). */
export const CLASSES = ['page', 'read', 'search', 'cart', 'checkout', 'account'] as const;
export type RequestClass = (typeof CLASSES)[number];

/** Latency of one class in one window, from an HDR histogram (ms, measured from the intended start). */
export type Percentiles = Readonly<{ count: number; p50: number; p90: number; p99: number; max: number }>;

/** One window of the run (default 2 s wide): what was sent and what came back, per class. */
export type Window = Readonly<{
  /** Start of the window, ms from the run's start. */
  at: number;
  /** Session arrivals the model asked for per second in this window (the offered load). */
  offeredSessionsPerSec: number;
  perClass: Readonly<
    Partial<
      Record<
        RequestClass,
        Readonly<{
          /** Answered within the window (any status). */
          answered: number;
          /** Answered 2xx/3xx (and, for checkout, the clear 409 sold-out answers). */
          ok: number;
          /** Answered within the class objective and not an error: what goodput counts. */
          good: number;
          /** 503 OVERLOADED (load shedding) answers. */
          shed: number;
          /** Every other failure: a status that is not ok, or a network error. */
          errors: number;
          latency: Percentiles;
        }>
      >
    >
  >;
}>;

/** One sample of the server's `/metrics`, per process role (api, worker). */
export type ServerSample = Readonly<{
  at: number;
  role: string;
  /** CPU seconds per second since the previous sample (1 = one core busy). */
  cpu: number;
  rssBytes: number;
  /** Mean event-loop delay, ms. */
  eventLoopDelayMs: number;
  /** Requests shed since the previous sample, per second. */
  shedPerSec: number;
  /** Buyers waiting in the checkout line. */
  checkoutLine: number;
  /** Requests waiting for a database connection. */
  poolWaiting: number;
  /** Jobs due and not yet running, and the age of the oldest, in seconds. */
  queueDepth: number;
  oldestJobSec: number;
  /** Cache hits / (hits + misses) since the previous sample, 0..1; null when there was no lookup. */
  cacheHitRatio: number | null;
}>;

export type SloVerdict = Readonly<{
  class: RequestClass | 'payment';
  /** The objective in words, from ops/slo.ts ("p99 < 100 ms, errors < 0.1 %"). */
  objective: string;
  /** What the run measured in words ("p99 41 ms, errors 0.00 % of 12,345"). */
  measured: string;
  p99Ms: number | null;
  errorRatio: number | null;
  pass: boolean;
}>;

export type Invariant = Readonly<{ name: string; pass: boolean; detail: string }>;

/** The model in load/model.ts, as used for this run, and the rates it derived. */
export type ModelReport = Readonly<{
  parameters: Readonly<Record<string, number | string>>;
  /** Each derived rate with the arithmetic that gave it, e.g. { name: 'sessions/s at peak', value: 21.7, how: '500,000 x 1.3 x 12 % / 3600' }. */
  derived: ReadonlyArray<Readonly<{ name: string; value: number; how: string }>>;
}>;

/** One run against one deployment: a scenario, or one side of `without`. */
export type RunReport = Readonly<{
  label: string;
  /** Settings of the deployment under test (API processes, cache, shedding, line, Redis, PostgreSQL). */
  deployment: Readonly<Record<string, string>>;
  windowMs: number;
  durationMs: number;
  windows: readonly Window[];
  server: readonly ServerSample[];
  /** Whole-run latency per class (the SLO verdicts read these). */
  totals: Readonly<
    Partial<
      Record<RequestClass, Readonly<{ answered: number; ok: number; good: number; shed: number; errors: number; latency: Percentiles }>>
    >
  >;
  /** Failures by "status code" ("503 OVERLOADED", "409 INVENTORY_OUT_OF_STOCK", "network ECONNRESET"). */
  errorsByKind: Readonly<Record<string, number>>;
  /** Acceptance to paid, ms, for the orders this run placed. */
  payment: Percentiles & Readonly<{ pending: number }>;
  flashSale: Readonly<{
    at: number;
    buyers: number;
    units: number;
    sold: number;
    soldOut409: number;
    /** From pressing "buy" to the final answer, ms. */
    buyerWait: Percentiles;
    /** When the last unit was sold, ms after the sale started. */
    overAfterMs: number;
  }> | null;
  slo: readonly SloVerdict[];
  invariants: readonly Invariant[];
  generator: Readonly<{
    /** CPU seconds per second the load generator used (1 = one core). */
    cpu: number;
    /** How late arrivals left against their schedule, ms. */
    lateness: Percentiles;
    /** Set when the generator, not the server, was likely the limit. */
    warning: string | null;
  }>;
  /** For `capacity`: one entry per step. */
  steps?: ReadonlyArray<
    Readonly<{
      dailyUsers: number;
      offeredPerSec: number;
      servedPerSec: number;
      goodputPerSec: number;
      pass: boolean;
      /** The first SLO that broke at this step, if any. */
      broke: string | null;
    }>
  >;
}>;

export type Scenario = 'normal' | 'spike' | 'capacity' | 'soak' | 'without';

export type LabReport = Readonly<{
  scenario: Scenario;
  startedAt: string;
  /** One sentence: did it hold. */
  verdict: string;
  pass: boolean;
  model: ModelReport;
  /** One run, or two for `without` (first `with`, then `without`). */
  runs: readonly RunReport[];
  /** For `capacity`: the daily users the deployment carries within its SLOs. */
  knee?: Readonly<{ dailyUsers: number; requestsPerSec: number }> | null;
  machine: Readonly<{ cpus: number; memoryGiB: number; node: string }>;
}>;
