/**
 * Lab reports made up for the report's tests and for looking at the page without running the lab:
 * a `spike` (four minutes in 2 s windows: a ramp from 5,000 to 500,000 daily users, a flash sale,
 * server samples, search missing its objective at the peak), a `without` (the same spike with the
 * practices and without them) and a `capacity` staircase with its knee. The figures follow a small
 * queueing-flavoured model so the charts have the shapes a real run has; a seeded random number
 * generator keeps every build the same.
 */
import { describeObjective, objectiveOf, PAYMENT_OBJECTIVE } from '../../ops/slo.ts';
import type {
  Invariant,
  LabReport,
  ModelReport,
  Percentiles,
  RequestClass,
  RunReport,
  ServerSample,
  SloVerdict,
  Window,
} from '../../load/types.ts';

/** mulberry32: a tiny seeded generator, so a fixture is the same on every build. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MIX: Readonly<Record<RequestClass, number>> = { page: 6, read: 4, search: 2, cart: 1.2, checkout: 0.3, account: 0.5 };
/** Unloaded p50 and p99, ms. */
const BASE: Readonly<Record<RequestClass, readonly [number, number]>> = {
  page: [12, 40],
  read: [6, 25],
  search: [25, 70],
  cart: [15, 50],
  checkout: [60, 160],
  account: [40, 160],
};
/** How much a class slows as the server fills up (search is the one that gives first). */
const SENSITIVITY: Readonly<Record<RequestClass, number>> = { page: 1, read: 0.7, search: 2.4, cart: 0.7, checkout: 0.35, account: 0.8 };
const CLASS_LIST = Object.keys(MIX) as RequestClass[];

const sessionsPerSec = (dailyUsers: number) => (dailyUsers * 1.3 * 0.12) / 3600;

type Profile = Readonly<{
  label: string;
  seed: number;
  deployment: Record<string, string>;
  durationMs: number;
  windowMs: number;
  /** Daily users the model replays at `t` seconds. */
  dailyUsersAt: (t: number) => number;
  /** Requests per second the deployment serves comfortably. */
  capacity: number;
  /** Latency growth past 60 % of capacity. */
  degrade: number;
  /** Classes shed (503) when the server is past 85 % of capacity; none when shedding is off. */
  shed: readonly RequestClass[];
  /** Without the practices: past capacity, requests time out and connections reset. */
  failsPastCapacity: boolean;
  cache: boolean;
  flashSale: { at: number; buyers: number; units: number; oversold: number } | null;
  warning: string | null;
  steps?: readonly number[];
}>;

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

function pct(p50: number, p99: number, count: number): Percentiles {
  return { count, p50: round(p50), p90: round(p50 + (p99 - p50) * 0.55), p99: round(p99), max: round(p99 * 1.6) };
}

function buildRun(p: Profile): RunReport {
  const rand = seeded(p.seed);
  const noise = (spread = 0.15) => 1 + spread * (rand() - 0.5) * 2;
  const windows: Window[] = [];
  const server: ServerSample[] = [];
  const sec = p.windowMs / 1000;
  const errorsByKind: Record<string, number> = {};
  const add = (kind: string, n: number) => {
    if (n > 0) errorsByKind[kind] = (errorsByKind[kind] ?? 0) + n;
  };
  const sale = p.flashSale;
  for (let at = 0; at < p.durationMs; at += p.windowMs) {
    const t = at / 1000;
    const sessions = sessionsPerSec(p.dailyUsersAt(t));
    const inSale = sale !== null && t >= sale.at && t < sale.at + 6;
    const rate = CLASS_LIST.reduce((s, c) => s + sessions * MIX[c], 0) + (inSale ? sale.buyers / 6 : 0);
    const stress = rate / p.capacity;
    const slow = 1 + p.degrade * Math.max(0, stress - 0.6) ** 2;
    const perClass: Partial<Record<RequestClass, Window['perClass'][RequestClass]>> = {};
    let shedTotal = 0;
    for (const c of CLASS_LIST) {
      const extra = c === 'checkout' && inSale ? sale.buyers / 6 : 0;
      const offered = Math.round((sessions * MIX[c] + extra) * sec * noise(0.1));
      if (offered === 0) continue;
      const m = 1 + (slow - 1) * SENSITIVITY[c] * (c === 'checkout' && inSale ? 1.2 : 1);
      const p50 = BASE[c][0] * m * noise();
      const p99 = BASE[c][1] * m * noise();
      const shedShare = p.shed.includes(c) ? Math.max(0, stress - 0.85) * 0.35 : 0;
      const shed = Math.round(offered * shedShare);
      const failShare = p.failsPastCapacity ? Math.min(0.35, Math.max(0, stress - 1) * 0.3) : 0;
      let errors = Math.round((offered - shed) * failShare);
      // One reset connection in a calm run, as real networks have.
      if (!p.failsPastCapacity && c === 'read' && at === p.windowMs * 20) errors = 1;
      const objective = objectiveOf(c).p99Ms;
      const overShare = p50 > objective ? 0.6 : p99 > objective ? Math.min(0.4, 0.01 + 0.1 * (p99 / objective - 1)) : 0.002;
      const ok = offered - shed - errors;
      perClass[c] = {
        answered: offered,
        ok,
        good: Math.max(0, Math.round(ok * (1 - overShare))),
        shed,
        errors,
        latency: pct(p50, p99, offered),
      };
      shedTotal += shed;
      add('503 OVERLOADED', shed);
      if (errors > 0) {
        const timeouts = p.failsPastCapacity ? Math.round(errors * 0.7) : 0;
        add('504 UPSTREAM_TIMEOUT', timeouts);
        add('network ECONNRESET', errors - timeouts);
      }
    }
    windows.push({ at, offeredSessionsPerSec: round(sessions, 2), perClass });
    const saleLine = sale && t >= sale.at && t < sale.at + 4 ? Math.round(sale.buyers * (1 - (t - sale.at) / 4) * noise(0.05)) : 0;
    const sinceSale = sale ? t - sale.at : -1;
    const queue = sinceSale >= 0 ? Math.round(300 * Math.exp(-sinceSale / (p.cache ? 10 : 30))) : Math.round(2 * rand());
    server.push({
      at,
      role: 'api',
      cpu: round(Math.min(2, 0.08 + 1.75 * stress) * noise(0.08), 2),
      rssBytes: Math.round((170 + 70 * Math.min(stress, 1.6)) * noise(0.02) * 1024 * 1024),
      eventLoopDelayMs: round(1.2 + 30 * Math.max(0, stress - 0.7) ** 2 * noise(), 1),
      shedPerSec: round(shedTotal / sec, 1),
      checkoutLine: p.shed.length > 0 ? saleLine : 0,
      poolWaiting: Math.max(0, Math.round((stress - 0.8) * (p.cache ? 12 : 30) * noise())),
      queueDepth: 0,
      oldestJobSec: 0,
      cacheHitRatio: p.cache ? round(Math.min(0.99, 0.62 + 0.35 * Math.min(1, t / 60)) * noise(0.01), 3) : null,
    });
    server.push({
      at,
      role: 'worker',
      cpu: round((0.04 + queue / 500) * noise(0.1), 2),
      rssBytes: Math.round(150 * noise(0.02) * 1024 * 1024),
      eventLoopDelayMs: round(1.1 * noise(), 1),
      shedPerSec: 0,
      checkoutLine: 0,
      poolWaiting: 0,
      queueDepth: queue,
      oldestJobSec: round(queue / 35, 1),
      cacheHitRatio: null,
    });
  }

  const totals: RunReport['totals'] = Object.fromEntries(
    CLASS_LIST.map((c) => {
      const ws = windows.map((w) => w.perClass[c]).filter((v) => v !== undefined);
      const sum = (k: 'answered' | 'ok' | 'good' | 'shed' | 'errors') => ws.reduce((s, v) => s + v[k], 0);
      const answered = sum('answered');
      const weighted = (k: 'p50' | 'p90') => ws.reduce((s, v) => s + v.latency[k] * v.answered, 0) / Math.max(1, answered);
      // The whole run's p99: the window p99 below which 90 % of the requests' windows lie.
      const byP99 = [...ws].sort((a, b) => a.latency.p99 - b.latency.p99);
      let seen = 0;
      let p99 = 0;
      for (const v of byP99) {
        seen += v.answered;
        p99 = v.latency.p99;
        if (seen >= answered * 0.9) break;
      }
      const latency: Percentiles = {
        count: answered,
        p50: round(weighted('p50')),
        p90: round(weighted('p90')),
        p99,
        max: Math.max(...ws.map((v) => v.latency.max)),
      };
      return [c, { answered, ok: sum('ok'), good: sum('good'), shed: sum('shed'), errors: sum('errors'), latency }];
    }),
  );

  const slo: SloVerdict[] = CLASS_LIST.map((c) => {
    const o = objectiveOf(c);
    const v = totals[c]!;
    const errorRatio = (v.errors + v.shed) / v.answered;
    const pass = v.latency.p99 < o.p99Ms && errorRatio <= o.maxErrorRatio;
    return {
      class: c,
      objective: describeObjective(o),
      measured: `p99 ${Math.round(v.latency.p99)} ms, errors ${(errorRatio * 100).toFixed(2)} % of ${v.answered.toLocaleString('en')}`,
      p99Ms: v.latency.p99,
      errorRatio,
      pass,
    };
  });
  const payment = pct(p.failsPastCapacity ? 2600 : 1100, p.failsPastCapacity ? 14_500 : 4700, p.failsPastCapacity ? 540 : 612);
  slo.push({
    class: 'payment',
    objective: `p99 < ${PAYMENT_OBJECTIVE.p99Ms.toLocaleString('en')} ms`,
    measured: `p99 ${payment.p99.toLocaleString('en')} ms of ${payment.count} orders`,
    p99Ms: payment.p99,
    errorRatio: null,
    pass: payment.p99 < PAYMENT_OBJECTIVE.p99Ms,
  });

  const flashSale: RunReport['flashSale'] = sale
    ? {
        at: sale.at * 1000,
        buyers: sale.buyers,
        units: sale.units,
        sold: sale.units + sale.oversold,
        soldOut409: sale.buyers - sale.units - sale.oversold - (p.failsPastCapacity ? 61 : 0),
        buyerWait: p.failsPastCapacity ? pct(1900, 9800, sale.buyers) : pct(90, 430, sale.buyers),
        overAfterMs: p.failsPastCapacity ? 11_400 : 2800,
      }
    : null;
  if (sale) add('409 INVENTORY_OUT_OF_STOCK', flashSale!.soldOut409);

  const invariants: Invariant[] = [
    sale
      ? {
          name: 'No unit sold twice',
          pass: sale.oversold === 0,
          detail:
            sale.oversold === 0
              ? `sold ${sale.units} of ${sale.units}; stock never went below 0`
              : `sold ${sale.units + sale.oversold} of ${sale.units}: ${sale.oversold} units oversold`,
        }
      : { name: 'No unit sold twice', pass: true, detail: 'stock never went below 0' },
    { name: 'Every accepted order paid or still pending', pass: true, detail: `${payment.count} paid, 4 pending, 0 lost` },
    { name: 'No buyer charged twice', pass: true, detail: '0 duplicate payment intents' },
    {
      name: 'Stock plus units sold equals the stock at the start',
      pass: sale?.oversold === 0 || !sale,
      detail: 'per variant, after the run',
    },
  ];

  const steps = p.steps?.map((dailyUsers, i) => {
    const stepWindows = windows.slice((i * windows.length) / p.steps!.length, ((i + 1) * windows.length) / p.steps!.length);
    const offered = CLASS_LIST.reduce((s, c) => s + sessionsPerSec(dailyUsers) * MIX[c], 0);
    const served = Math.min(offered, p.capacity * (1.15 - 0.1 * Math.max(0, offered / p.capacity - 1)));
    const sum = (k: 'good' | 'answered') =>
      stepWindows.reduce((s, w) => s + CLASS_LIST.reduce((t, c) => t + (w.perClass[c]?.[k] ?? 0), 0), 0);
    const goodShare = sum('good') / Math.max(1, sum('answered'));
    const pass = offered < p.capacity * 0.9;
    return {
      dailyUsers,
      offeredPerSec: round(offered),
      servedPerSec: round(served),
      goodputPerSec: round(served * goodShare),
      pass,
      broke: pass ? null : offered < p.capacity * 1.2 ? 'search p99 < 100 ms' : 'search p99 < 100 ms, then storefront pages p99 < 100 ms',
    };
  });

  return {
    label: p.label,
    deployment: p.deployment,
    windowMs: p.windowMs,
    durationMs: p.durationMs,
    windows,
    server,
    totals,
    errorsByKind,
    payment: { ...payment, pending: 4 },
    flashSale,
    slo,
    invariants,
    generator: {
      cpu: p.warning ? 0.94 : 0.31,
      lateness: p.warning ? pct(4, 180, 40_000) : pct(0.4, 6, 40_000),
      warning: p.warning,
    },
    ...(steps ? { steps } : {}),
  };
}

/** The spike: 0:00-0:30 at 5,000 daily users, the TV feature, the peak from 1:30, a flash sale at 2:30. */
function spikeUsers(t: number): number {
  if (t < 30) return 5000;
  if (t < 90) return 5000 * 100 ** ((t - 30) / 60);
  if (t < 210) return 500_000;
  return 500_000 * (1 - 0.6 * ((t - 210) / 30));
}

const WITH_PRACTICES: Record<string, string> = {
  'API processes': '2',
  cache: 'in-process + Redis',
  'load shedding': 'on (search and reads first)',
  'checkout line': 'on, 32 at a time',
  Redis: '7.4, one node',
  PostgreSQL: '17, pool of 20 per process',
};

const WITHOUT_PRACTICES: Record<string, string> = {
  'API processes': '1',
  cache: 'off',
  'load shedding': 'off',
  'checkout line': 'off',
  Redis: 'not used',
  PostgreSQL: '17, pool of 20 per process',
};

const MACHINE = { cpus: 2, memoryGiB: 7.8, node: 'v22.21.1' } as const;

function model(peakUsers: number): ModelReport {
  const peak = sessionsPerSec(peakUsers);
  return {
    parameters: {
      'daily users before the feature': 5000,
      'daily users after the feature': peakUsers,
      "busiest hour's share of a day": '12 %',
      'burst within the hour': 1.3,
      'pages per session': MIX.page,
      'catalog reads per session': MIX.read,
      'searches per session': MIX.search,
      'adds to cart per session': MIX.cart,
      'checkouts per session': MIX.checkout,
      'sign-ins and order checks per session': MIX.account,
      'flash sale': '50 units, 400 buyers within 6 s',
      'window width': '2 s',
    },
    derived: [
      { name: 'sessions/s before the feature', value: round(sessionsPerSec(5000), 2), how: '5,000 x 1.3 x 12 % / 3,600' },
      {
        name: 'sessions/s at the peak',
        value: round(peak, 2),
        how: `${peakUsers.toLocaleString('en')} x 1.3 x 12 % / 3,600`,
      },
      { name: 'page requests/s at the peak', value: round(peak * MIX.page), how: `${round(peak, 2)} x ${MIX.page}` },
      { name: 'searches/s at the peak', value: round(peak * MIX.search), how: `${round(peak, 2)} x ${MIX.search}` },
      { name: 'adds to cart/s at the peak', value: round(peak * MIX.cart), how: `${round(peak, 2)} x ${MIX.cart}` },
      { name: 'checkouts/s at the peak', value: round(peak * MIX.checkout, 2), how: `${round(peak, 2)} x ${MIX.checkout}` },
      {
        name: 'all requests/s at the peak',
        value: round(peak * 14),
        how: `${round(peak, 2)} x (6 + 4 + 2 + 1.2 + 0.3 + 0.5)`,
      },
      { name: 'flash sale checkouts/s', value: 66.7, how: '400 / 6' },
    ],
  };
}

const SPIKE_PROFILE: Profile = {
  label: 'with the practices',
  seed: 17,
  deployment: WITH_PRACTICES,
  durationMs: 240_000,
  windowMs: 2000,
  dailyUsersAt: spikeUsers,
  capacity: 330,
  degrade: 8,
  shed: ['search'],
  failsPastCapacity: false,
  cache: true,
  flashSale: { at: 150, buyers: 400, units: 50, oversold: 0 },
  warning: null,
};

function verdictOf(runs: readonly RunReport[]): { pass: boolean; failed: SloVerdict[] } {
  const failed = runs[0]!.slo.filter((s) => !s.pass);
  return { pass: failed.length === 0 && runs[0]!.invariants.every((i) => i.pass), failed };
}

export function spikeReport(): LabReport {
  const run = buildRun(SPIKE_PROFILE);
  const { pass, failed } = verdictOf([run]);
  return {
    scenario: 'spike',
    startedAt: '2026-12-07T17:58:03.120Z',
    verdict: pass
      ? 'The marketplace carried the jump from 5,000 to 500,000 daily users within every objective.'
      : `The marketplace carried the jump from 5,000 to 500,000 daily users with checkout intact, but ${failed
          .map((f) => `${f.class} missed its objective (${f.measured})`)
          .join(' and ')}.`,
    pass,
    model: model(500_000),
    runs: [run],
    machine: MACHINE,
  };
}

export function withoutReport(): LabReport {
  const withRun = buildRun(SPIKE_PROFILE);
  const withoutRun = buildRun({
    ...SPIKE_PROFILE,
    label: 'without the practices',
    seed: 29,
    deployment: WITHOUT_PRACTICES,
    capacity: 150,
    degrade: 14,
    shed: [],
    failsPastCapacity: true,
    cache: false,
    flashSale: { at: 150, buyers: 400, units: 50, oversold: 3 },
  });
  const broken = withoutRun.slo.filter((s) => !s.pass).length;
  return {
    scenario: 'without',
    startedAt: '2026-12-07T18:09:41.000Z',
    verdict: `With the practices the spike cost one objective (search); without them ${broken} of ${withoutRun.slo.length} objectives broke and 3 flash-sale units were sold twice.`,
    pass: false,
    model: model(500_000),
    runs: [withRun, withoutRun],
    machine: MACHINE,
  };
}

const STEPS = [50_000, 100_000, 200_000, 400_000, 800_000, 1_600_000];

export function capacityReport(): LabReport {
  const stepSec = 40;
  const run = buildRun({
    ...SPIKE_PROFILE,
    label: 'capacity staircase',
    seed: 41,
    durationMs: STEPS.length * stepSec * 1000,
    dailyUsersAt: (t) => STEPS[Math.min(STEPS.length - 1, Math.floor(t / stepSec))]!,
    flashSale: null,
    steps: STEPS,
    warning:
      'at the top step the generator used 0.94 of its one core and arrivals left up to 180 ms late (p99): the last step measures the generator as much as the server.',
  });
  const knee = [...run.steps!].reverse().find((s) => s.pass) ?? null;
  return {
    scenario: 'capacity',
    startedAt: '2026-12-07T18:21:15.500Z',
    verdict: knee
      ? `The deployment carries ${knee.dailyUsers.toLocaleString('en')} daily users within its SLOs; at ${(knee.dailyUsers * 2).toLocaleString('en')} search breaks first.`
      : 'The deployment did not carry the first step within its SLOs.',
    pass: knee !== null,
    model: model(1_600_000),
    runs: [run],
    knee: knee ? { dailyUsers: knee.dailyUsers, requestsPerSec: knee.servedPerSec } : null,
    machine: MACHINE,
  };
}
