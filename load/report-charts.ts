/**
 * The charts of a lab report, as data: which lines each chart draws, on which axes and in which
 * units, and a sentence that says what the chart shows for a reader who cannot see it (or has no
 * time to read it). Worked out once, here, from the LabReport: the page prints the headings and
 * sentences from these values and embeds the same values as JSON for the small script that draws
 * them with uPlot (load/report-client.ts), so the text and the picture cannot disagree.
 */
import { objectiveOf } from '../ops/slo.ts';
import { CLASSES, type LabReport, type RequestClass, type RunReport, type ServerSample } from './types.ts';

/** How the drawing script formats a value on an axis and in the legend. */
export type Unit = 'ms' | 'perSec' | 'sessionsPerSec' | 'cores' | 'MiB' | 'count' | 'seconds' | 'ratio';

export type ChartAxis = Readonly<{
  scale: string;
  label: string;
  unit: Unit;
  /** A logarithmic scale: for latency that spans tens of milliseconds and seconds in one chart. */
  log?: boolean;
}>;

export type ChartLine = Readonly<{
  label: string;
  scale: string;
  values: ReadonlyArray<number | null>;
  colour: string;
  /** Canvas dash pattern; none for a solid line. */
  dash?: readonly number[];
  width?: number;
}>;

export type ChartSpec = Readonly<{
  id: string;
  group: 'latency' | 'traffic' | 'server' | 'capacity';
  title: string;
  summary: string;
  /** `time`: seconds since the run's start, drawn as m:ss; `dailyUsers`: the capacity steps. */
  xKind: 'time' | 'dailyUsers';
  x: readonly number[];
  /** The first axis is drawn on the left, a second one on the right. */
  axes: readonly ChartAxis[];
  lines: readonly ChartLine[];
  /** A vertical mark (the capacity knee). */
  marker?: Readonly<{ x: number; label: string }>;
}>;

/** Words for each class, as ops/slo.ts names them. */
export const CLASS_TITLE: Readonly<Record<RequestClass, string>> = {
  page: 'Storefront pages',
  read: 'Catalog reads',
  search: 'Search',
  cart: 'Add to cart',
  checkout: 'Checkout',
  account: 'Sign-in and order status',
};

/** Distinct on white, and still told apart by dash and legend, never by colour alone. */
const PALETTE = ['#1f5fa8', '#b3461b', '#2d7d46', '#7a3fa0', '#8a6d00', '#00767a', '#a3305f', '#4d4d4d'];
const OBJECTIVE_COLOUR = '#c0001a';
/** Run 1 solid, run 2 (without the practices) dashed. */
const RUN_DASH: ReadonlyArray<readonly number[] | undefined> = [undefined, [7, 5]];

const en = (v: number, digits = 0) => v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** 134 -> "2:14" */
export function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function formatValue(v: number, unit: Unit): string {
  switch (unit) {
    case 'ms':
      return v >= 10_000 ? `${en(v / 1000, 1)} s` : `${en(v, v < 10 ? 1 : 0)} ms`;
    case 'perSec':
      return `${en(v, v < 10 ? 1 : 0)}/s`;
    case 'sessionsPerSec':
      return `${en(v, 1)} sessions/s`;
    case 'cores':
      return `${en(v, 2)} cores`;
    case 'MiB':
      return `${en(v, 0)} MiB`;
    case 'count':
      return en(v, 1);
    case 'seconds':
      return `${en(v, 1)} s`;
    case 'ratio':
      return `${en(v * 100, 1)} %`;
    default:
      return en(v, 2);
  }
}

/** Classes the report has figures for, in the order ops/slo.ts lists them. */
export function classesOf(report: LabReport): RequestClass[] {
  return CLASSES.filter((c) => report.runs.some((r) => r.totals[c] !== undefined || r.windows.some((w) => w.perClass[c] !== undefined)));
}

/** The union of the runs' window starts (seconds), so two runs share one x axis. */
function windowTimes(runs: readonly RunReport[]): number[] {
  const all = new Set<number>();
  for (const r of runs) for (const w of r.windows) all.add(w.at / 1000);
  return [...all].sort((a, b) => a - b);
}

function sampleTimes(runs: readonly RunReport[]): number[] {
  const all = new Set<number>();
  for (const r of runs) for (const s of r.server) all.add(s.at / 1000);
  return [...all].sort((a, b) => a - b);
}

/** One value per x for a run's windows; null where the run has no window there. */
function perWindow(run: RunReport, x: readonly number[], pick: (w: RunReport['windows'][number]) => number | null): Array<number | null> {
  const byAt = new Map(run.windows.map((w) => [w.at / 1000, w]));
  return x.map((t) => {
    const w = byAt.get(t);
    return w ? pick(w) : null;
  });
}

function rolesOf(runs: readonly RunReport[]): string[] {
  return [...new Set(runs.flatMap((r) => r.server.map((s) => s.role)))].sort();
}

function perSample(run: RunReport, role: string, x: readonly number[], pick: (s: ServerSample) => number | null): Array<number | null> {
  const byAt = new Map(run.server.filter((s) => s.role === role).map((s) => [s.at / 1000, s]));
  return x.map((t) => {
    const s = byAt.get(t);
    return s ? pick(s) : null;
  });
}

/** The highest value of a line and when, for the sentences. */
function peak(values: ReadonlyArray<number | null>, x: readonly number[]): { value: number; at: number } | null {
  let best: { value: number; at: number } | null = null;
  values.forEach((v, i) => {
    if (v !== null && (best === null || v > best.value)) best = { value: v, at: x[i]! };
  });
  return best;
}

function mean(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : present.reduce((a, b) => a + b, 0) / present.length;
}

/** "highest 87 ms at 2:14, mean 31 ms" for each line that is not a fixed reference. */
function describeLines(spec: Pick<ChartSpec, 'x' | 'axes' | 'lines' | 'xKind'>, skip: ReadonlySet<string> = new Set()): string {
  const unitOf = new Map(spec.axes.map((a) => [a.scale, a.unit]));
  const parts: string[] = [];
  for (const line of spec.lines) {
    if (skip.has(line.label)) continue;
    if (line.values.every((v) => v === null || v === 0)) {
      parts.push(`${line.label}: zero throughout`);
      continue;
    }
    const unit = unitOf.get(line.scale) ?? 'count';
    const top = peak(line.values, spec.x);
    const avg = mean(line.values);
    if (!top || avg === null) {
      parts.push(`${line.label}: no figures`);
      continue;
    }
    const where = spec.xKind === 'time' ? `at ${clock(top.at)}` : `at ${en(top.at)} daily users`;
    parts.push(`${line.label}: highest ${formatValue(top.value, unit)} ${where}, mean ${formatValue(avg, unit)}`);
  }
  return parts.map(capital).join('. ') + '.';
}

const runPrefix = (runs: readonly RunReport[], run: RunReport) => (runs.length > 1 ? `${run.label}, ` : '');

function latencyChart(report: LabReport, c: RequestClass, x: readonly number[]): ChartSpec {
  const objective = objectiveOf(c);
  const lines: ChartLine[] = [];
  const sentences: string[] = [];
  report.runs.forEach((run, i) => {
    const p50 = perWindow(run, x, (w) => w.perClass[c]?.latency.p50 ?? null);
    const p99 = perWindow(run, x, (w) => w.perClass[c]?.latency.p99 ?? null);
    lines.push({ label: `${runPrefix(report.runs, run)}p50`, scale: 'ms', values: p50, colour: PALETTE[0]!, dash: RUN_DASH[i] });
    lines.push({ label: `${runPrefix(report.runs, run)}p99`, scale: 'ms', values: p99, colour: PALETTE[1]!, dash: RUN_DASH[i] });
    const present = p99.filter((v): v is number => v !== null);
    const over = present.filter((v) => v >= objective.p99Ms).length;
    const top = peak(p99, x);
    const who = report.runs.length > 1 ? `${capital(run.label)}: ` : '';
    sentences.push(
      top
        ? `${who}p99 was at or above the objective in ${en(over)} of ${en(present.length)} windows, highest ${formatValue(top.value, 'ms')} at ${clock(top.at)}; p50 mean ${formatValue(mean(p50) ?? 0, 'ms')}.`
        : `${who}no requests of this class.`,
    );
  });
  lines.push({
    label: `objective: p99 < ${en(objective.p99Ms)} ms`,
    scale: 'ms',
    values: x.map(() => objective.p99Ms),
    colour: OBJECTIVE_COLOUR,
    dash: [2, 4],
    width: 2,
  });
  // When one line reaches far past the objective (the run without the practices), a linear axis
  // would press everything else flat against zero.
  const highest = Math.max(0, ...lines.flatMap((l) => l.values.filter((v): v is number => v !== null)));
  const log = highest > objective.p99Ms * 5;
  return {
    id: `latency-${c}`,
    group: 'latency',
    title: `${CLASS_TITLE[c]}: latency (p50 and p99 per ${report.runs[0]!.windowMs / 1000} s window)`,
    summary: `Objective: p99 under ${en(objective.p99Ms)} ms. ${sentences.join(' ')}`,
    xKind: 'time',
    x,
    axes: [{ scale: 'ms', label: log ? 'latency (ms, log scale)' : 'latency (ms)', unit: 'ms', log }],
    lines,
  };
}

function sumClasses(
  w: RunReport['windows'][number],
  pick: (v: NonNullable<RunReport['windows'][number]['perClass'][RequestClass]>) => number,
) {
  let total = 0;
  for (const c of CLASSES) {
    const v = w.perClass[c];
    if (v) total += pick(v);
  }
  return total;
}

function throughputChart(report: LabReport, x: readonly number[]): ChartSpec {
  const lines: ChartLine[] = [];
  const sentences: string[] = [];
  const offered = report.runs.map((run) => perWindow(run, x, (w) => w.offeredSessionsPerSec));
  // Both sides of `without` replay the same model: one offered line then, not two on top of each other.
  const sameOffer = offered.every((o) => o.every((v, i) => v === offered[0]![i]));
  report.runs.forEach((run, i) => {
    const perSec = run.windowMs / 1000;
    const p = runPrefix(report.runs, run);
    const answered = perWindow(run, x, (w) => sumClasses(w, (v) => v.answered) / perSec);
    const good = perWindow(run, x, (w) => sumClasses(w, (v) => v.good) / perSec);
    lines.push({ label: `${p}answered/s`, scale: 'rps', values: answered, colour: PALETTE[0]!, dash: RUN_DASH[i] });
    lines.push({ label: `${p}good/s (within objective)`, scale: 'rps', values: good, colour: PALETTE[2]!, dash: RUN_DASH[i] });
    if (i === 0 || !sameOffer) {
      lines.push({
        label: sameOffer ? 'offered sessions/s' : `${p}offered sessions/s`,
        scale: 'sessions',
        values: offered[i]!,
        colour: PALETTE[7]!,
        dash: sameOffer ? [2, 3] : RUN_DASH[i],
        width: 1.5,
      });
    }
    const top = peak(answered, x);
    const totalAnswered = answered.reduce<number>((s, v) => s + (v ?? 0), 0);
    const totalGood = good.reduce<number>((s, v) => s + (v ?? 0), 0);
    const share = totalAnswered > 0 ? (totalGood / totalAnswered) * 100 : 0;
    sentences.push(
      `${report.runs.length > 1 ? `${capital(run.label)}: ` : 'It '}${
        top
          ? `answered up to ${formatValue(top.value, 'perSec')} (at ${clock(top.at)}), ${en(share, 1)} % of answers good`
          : 'nothing answered'
      }.`,
    );
  });
  const peakOffer = peak(offered[0]!, x);
  return {
    id: 'throughput',
    group: 'traffic',
    title: 'Throughput: requests answered and good, against sessions offered',
    summary: `All classes together; "good" means answered within the class objective and not an error. ${sentences.join(' ')}${
      peakOffer ? ` The model offered up to ${formatValue(peakOffer.value, 'sessionsPerSec')} from ${clock(peakOffer.at)}.` : ''
    }`,
    x,
    xKind: 'time',
    axes: [
      { scale: 'rps', label: 'requests per second', unit: 'perSec' },
      { scale: 'sessions', label: 'sessions per second', unit: 'sessionsPerSec' },
    ],
    lines,
  };
}

function perClassRateChart(report: LabReport, x: readonly number[], classes: readonly RequestClass[], kind: 'errors' | 'shed'): ChartSpec {
  const lines: ChartLine[] = [];
  // A class with none in any run would be one more flat line at zero; the sentence says so instead.
  const some = classes.filter((c) => report.runs.some((r) => r.windows.some((w) => (w.perClass[c]?.[kind] ?? 0) > 0)));
  const drawn = some.length > 0 ? some : classes.slice(0, 1);
  report.runs.forEach((run, i) => {
    const perSec = run.windowMs / 1000;
    drawn.forEach((c) => {
      const k = classes.indexOf(c);
      lines.push({
        label: `${runPrefix(report.runs, run)}${CLASS_TITLE[c].toLowerCase()}`,
        scale: 'rps',
        values: perWindow(run, x, (w) => (w.perClass[c]?.[kind] ?? 0) / perSec),
        colour: PALETTE[k % PALETTE.length]!,
        dash: RUN_DASH[i],
      });
    });
  });
  const totals = report.runs.map((run) => {
    const n = classes.reduce((s, c) => s + (run.totals[c]?.[kind] ?? 0), 0);
    const who = report.runs.length > 1 ? `${capital(run.label)}: ` : '';
    if (n === 0) return `${who}none`;
    const most = [...classes].sort((a, b) => (run.totals[b]?.[kind] ?? 0) - (run.totals[a]?.[kind] ?? 0))[0]!;
    const line = perWindow(run, x, (w) => (w.perClass[most]?.[kind] ?? 0) / (run.windowMs / 1000));
    const top = peak(line, x);
    return `${who}${en(n)} in all, most in ${CLASS_TITLE[most].toLowerCase()}${top ? ` (up to ${formatValue(top.value, 'perSec')} at ${clock(top.at)})` : ''}`;
  });
  const spec = { x, xKind: 'time' as const, axes: [{ scale: 'rps', label: `${kind} per second`, unit: 'perSec' as const }], lines };
  const none = classes.filter((c) => !some.includes(c)).map((c) => CLASS_TITLE[c].toLowerCase());
  const noneWords = some.length > 0 && none.length > 0 ? ` None in ${none.join(', ')}.` : '';
  return {
    id: `${kind}-per-class`,
    group: 'traffic',
    title:
      kind === 'errors'
        ? 'Errors per second, by class (every failure except shedding)'
        : 'Shed per second, by class (503 OVERLOADED: turned away to protect the rest)',
    summary: `${totals.join('. ')}.${noneWords}`,
    ...spec,
  };
}

type ServerChartDef = Readonly<{
  id: string;
  title: string;
  axes: readonly ChartAxis[];
  /** One or two series per role: what to pick and on which scale. */
  picks: ReadonlyArray<Readonly<{ name: string; scale: string; pick: (s: ServerSample) => number | null }>>;
  /** Only roles that do this work (the checkout line is the API's; an all-zero role is left out). */
  note?: string;
}>;

const MIB = 1024 * 1024;

const SERVER_CHARTS: readonly ServerChartDef[] = [
  {
    id: 'server-cpu',
    title: 'CPU per process role',
    axes: [{ scale: 'cores', label: 'CPU (cores busy)', unit: 'cores' }],
    picks: [{ name: 'cpu', scale: 'cores', pick: (s) => s.cpu }],
  },
  {
    id: 'server-rss',
    title: 'Memory (resident set) per process role',
    axes: [{ scale: 'mib', label: 'RSS (MiB)', unit: 'MiB' }],
    picks: [{ name: 'rss', scale: 'mib', pick: (s) => s.rssBytes / MIB }],
  },
  {
    id: 'server-loop',
    title: 'Event-loop delay (mean) per process role',
    axes: [{ scale: 'ms', label: 'delay (ms)', unit: 'ms' }],
    picks: [{ name: 'event-loop delay', scale: 'ms', pick: (s) => s.eventLoopDelayMs }],
  },
  {
    id: 'server-shed',
    title: 'Requests shed per second, as the server counted them',
    axes: [{ scale: 'rps', label: 'shed per second', unit: 'perSec' }],
    picks: [{ name: 'shed/s', scale: 'rps', pick: (s) => s.shedPerSec }],
  },
  {
    id: 'server-line',
    title: 'Buyers waiting in the checkout line',
    axes: [{ scale: 'n', label: 'buyers waiting', unit: 'count' }],
    picks: [{ name: 'checkout line', scale: 'n', pick: (s) => s.checkoutLine }],
  },
  {
    id: 'server-pool',
    title: 'Requests waiting for a database connection',
    axes: [{ scale: 'n', label: 'requests waiting', unit: 'count' }],
    picks: [{ name: 'pool waiting', scale: 'n', pick: (s) => s.poolWaiting }],
  },
  {
    id: 'server-queue',
    title: 'Job queue: jobs due and the age of the oldest',
    axes: [
      { scale: 'n', label: 'jobs due', unit: 'count' },
      { scale: 's', label: 'oldest job (s)', unit: 'seconds' },
    ],
    picks: [
      { name: 'jobs due', scale: 'n', pick: (s) => s.queueDepth },
      { name: 'oldest job', scale: 's', pick: (s) => s.oldestJobSec },
    ],
  },
  {
    id: 'server-cache',
    title: 'Cache hit ratio',
    axes: [{ scale: 'ratio', label: 'hits (%)', unit: 'ratio' }],
    picks: [{ name: 'hit ratio', scale: 'ratio', pick: (s) => s.cacheHitRatio }],
  },
];

function serverCharts(report: LabReport): ChartSpec[] {
  const x = sampleTimes(report.runs);
  if (x.length === 0) return [];
  const roles = rolesOf(report.runs);
  return SERVER_CHARTS.map((def) => {
    const lines: ChartLine[] = [];
    // A role that never does this work in any run (a worker has no checkout line) would only add a
    // flat line at zero to the legend; a run at zero where the other is not stays, for comparison.
    const idle = (role: string, p: ServerChartDef['picks'][number]) =>
      roles.length > 1 && report.runs.every((run) => perSample(run, role, x, p.pick).every((v) => v === null || v === 0));
    report.runs.forEach((run, i) => {
      roles.forEach((role, k) => {
        def.picks.forEach((p, j) => {
          if (idle(role, p)) return;
          const values = perSample(run, role, x, p.pick);
          lines.push({
            label: `${runPrefix(report.runs, run)}${role}${def.picks.length > 1 ? ` ${p.name}` : ''}`,
            scale: p.scale,
            values,
            colour: PALETTE[(k * def.picks.length + j) % PALETTE.length]!,
            dash: RUN_DASH[i],
          });
        });
      });
    });
    const spec = { x, xKind: 'time' as const, axes: def.axes, lines };
    return {
      id: def.id,
      group: 'server' as const,
      title: def.title,
      summary: lines.length === 0 ? 'Zero throughout, in every process.' : describeLines(spec),
      ...spec,
    };
  });
}

function capacityChart(report: LabReport): ChartSpec | null {
  const run = report.runs[0];
  const steps = run?.steps;
  if (!run || !steps || steps.length === 0) return null;
  const x = steps.map((s) => s.dailyUsers);
  const lines: ChartLine[] = [
    { label: 'offered/s', scale: 'rps', values: steps.map((s) => s.offeredPerSec), colour: PALETTE[7]!, dash: [7, 5] },
    { label: 'served/s', scale: 'rps', values: steps.map((s) => s.servedPerSec), colour: PALETTE[0]! },
    { label: 'goodput/s (within objective)', scale: 'rps', values: steps.map((s) => s.goodputPerSec), colour: PALETTE[2]! },
  ];
  const knee = report.knee ?? null;
  const firstFail = steps.find((s) => !s.pass);
  const kneeWords = knee
    ? `The knee is at ${en(knee.dailyUsers)} daily users (${formatValue(knee.requestsPerSec, 'perSec')}), the last step within every SLO.`
    : 'No step was within every SLO, so there is no knee.';
  const breakWords = firstFail
    ? ` At ${en(firstFail.dailyUsers)} daily users ${firstFail.broke ?? 'an SLO'} broke first.`
    : ' No step broke an SLO.';
  return {
    id: 'capacity',
    group: 'capacity',
    title: 'Capacity: offered, served and good requests per second at each step',
    summary: kneeWords + breakWords,
    xKind: 'dailyUsers',
    x,
    axes: [{ scale: 'rps', label: 'requests per second', unit: 'perSec' }],
    lines,
    ...(knee ? { marker: { x: knee.dailyUsers, label: `knee: ${en(knee.dailyUsers)} daily users` } } : {}),
  };
}

/** Every chart of the report, in page order. */
export function chartsOf(report: LabReport): ChartSpec[] {
  const x = windowTimes(report.runs);
  const classes = classesOf(report);
  const charts: ChartSpec[] = [];
  const capacity = capacityChart(report);
  if (capacity) charts.push(capacity);
  if (x.length > 0) {
    for (const c of classes) charts.push(latencyChart(report, c, x));
    charts.push(throughputChart(report, x));
    charts.push(perClassRateChart(report, x, classes, 'errors'));
    charts.push(perClassRateChart(report, x, classes, 'shed'));
  }
  charts.push(...serverCharts(report));
  return charts;
}
