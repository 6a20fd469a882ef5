/**
 * `npm run load -- <scenario>`: the load lab. Replays the day a TV feature sends a marketplace from
 * 5,000 to 500,000 daily users against a whole Atelier deployment, shoppers' pages included, and
 * writes one HTML report (and its JSON) per run into load/reports/. docs/load-lab.md explains the
 * scenarios and how to read a report.
 *
 *   normal     a 5,000-user day's peak hour, compressed (LAB_NORMAL_SECONDS, 45)
 *   spike      5,000 -> 500,000 daily users within a minute, held, easing; a flash sale mid-way
 *   capacity   the arrival rate raised step by step until an SLO breaks: the daily users carried
 *   soak       the spike's rate held for LAB_SOAK_MINUTES (30): memory and p99 must stay flat
 *   without    the spike against the same code with the scaling practices off, beside `spike`
 *
 * The lab starts the deployment it tests (level 1: LAB_API_PROCESSES API processes, a worker, the
 * simulated payment provider, Redis if one answers, the embedded PostgreSQL in LAB_DATA_DIR or the
 * one CATALOG_DATABASE_URL and SHARD_DATABASE_URLS name) and stops it at the end; or, with
 * `--url <base>` (and `--metrics <url>`, repeatable, `--provider <url>`), it targets one that runs.
 * Exit code: 0 when every SLO and invariant held, 1 when not, 2 for bad usage.
 *
 * Settings: the model's LAB_<PARAMETER> (load/model.ts); LAB_PRODUCTS (catalog size, 10000),
 * LAB_DATA_DIR (.atelier/lab), LAB_PORT (3600; metrics, worker metrics and provider on the next
 * three), LAB_PG_PORT (54360), LAB_API_PROCESSES (2), LAB_WINDOW_MS (2000), LAB_REPORT_DIR
 * (load/reports), LAB_MAX_SESSIONS (20000), LAB_SEED (1), and the lengths LAB_NORMAL_SECONDS,
 * LAB_BASE_SECONDS, LAB_RAMP_SECONDS, LAB_HOLD_SECONDS, LAB_EASE_SECONDS, LAB_SOAK_MINUTES,
 * LAB_STEP_SECONDS.
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stopAllAtelier } from '../bench/children.ts';
import { EMBEDDED_CATALOG_DB } from '../src/platform/postgres/stores.ts';
import type { EmbeddedServer } from '../src/platform/postgres/embedded-postgres.ts';
import {
  DEFAULT_PORTS,
  findRedis,
  givenPostgres,
  practices,
  startDatabase,
  startDeployment,
  atelierEnv,
  targetDeployment,
  type Deployment,
  type Ports,
} from './deployment.ts';
import { startFloor } from './floor.ts';
import { runLoad } from './generator.ts';
import { Target } from './http.ts';
import { describeModel, modelFromEnv, sessionsPerSecond, requestsPerSession, type Model } from './model.ts';
import { Recorder } from './recorder.ts';
import { writeReport } from './report.ts';
import { startSampler } from './sampler.ts';
import { CAPACITY_STEPS, capacityTimeline, DEFAULT_LENGTHS, timelineFor, type Lengths, type Timeline } from './scenarios.ts';
import { customers, ensureCatalog, featuredProduct, sampleCatalog } from './setup.ts';
import type { Account, Catalog } from './shopper.ts';
import type { LabReport, RunReport, Scenario } from './types.ts';
import { afterRun, firstBroken, judgeSlos } from './verdict.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The daily users issue 17 asks this machine to carry (ten times the spike): the floor runs at least this far. */
const FLOOR_GOAL = 5_000_000;
const SCENARIOS: readonly Scenario[] = ['normal', 'spike', 'capacity', 'soak', 'without'];

function intSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number >= ${min} (got "${raw}")`);
  return n;
}

class UsageError extends Error {}

export type LabSettings = Readonly<{
  scenario: Scenario;
  url: string | null;
  metricsUrls: string[];
  providerUrl: string | null;
  model: Model;
  lengths: Lengths;
  products: number;
  dataDir: string;
  ports: Ports;
  apiProcesses: number;
  windowMs: number;
  reportDir: string;
  maxSessions: number;
  seed: number;
  capacitySteps: readonly number[];
}>;

export function settingsFrom(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LabSettings {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { url: { type: 'string' }, metrics: { type: 'string', multiple: true }, provider: { type: 'string' } },
    allowPositionals: true,
  });
  const scenario = positionals[0] as Scenario | undefined;
  if (!scenario || !SCENARIOS.includes(scenario) || positionals.length > 1) {
    throw new UsageError(`usage: npm run load -- <${SCENARIOS.join('|')}> [--url <base> [--metrics <url>]... [--provider <url>]]`);
  }
  const port = intSetting(env, 'LAB_PORT', DEFAULT_PORTS.api);
  return {
    scenario,
    url: values.url ?? null,
    metricsUrls: values.metrics ?? [],
    providerUrl: values.provider ?? null,
    model: modelFromEnv(env),
    lengths: {
      normalSec: intSetting(env, 'LAB_NORMAL_SECONDS', DEFAULT_LENGTHS.normalSec),
      baseSec: intSetting(env, 'LAB_BASE_SECONDS', DEFAULT_LENGTHS.baseSec),
      rampSec: intSetting(env, 'LAB_RAMP_SECONDS', DEFAULT_LENGTHS.rampSec),
      holdSec: intSetting(env, 'LAB_HOLD_SECONDS', DEFAULT_LENGTHS.holdSec),
      easeSec: intSetting(env, 'LAB_EASE_SECONDS', DEFAULT_LENGTHS.easeSec, 0),
      soakMin: intSetting(env, 'LAB_SOAK_MINUTES', DEFAULT_LENGTHS.soakMin),
      stepSec: intSetting(env, 'LAB_STEP_SECONDS', DEFAULT_LENGTHS.stepSec),
    },
    products: intSetting(env, 'LAB_PRODUCTS', 10_000),
    dataDir: path.resolve(ROOT, env.LAB_DATA_DIR || path.join('.atelier', 'lab')),
    ports: {
      api: port,
      apiMetrics: port + 1,
      workerMetrics: port + 2,
      provider: port + 3,
      postgres: intSetting(env, 'LAB_PG_PORT', DEFAULT_PORTS.postgres),
    },
    apiProcesses: intSetting(env, 'LAB_API_PROCESSES', 2),
    windowMs: intSetting(env, 'LAB_WINDOW_MS', 2000, 100),
    reportDir: path.resolve(ROOT, env.LAB_REPORT_DIR || path.join('load', 'reports')),
    maxSessions: intSetting(env, 'LAB_MAX_SESSIONS', 20_000),
    seed: intSetting(env, 'LAB_SEED', 1),
    capacitySteps: stepsSetting(env.LAB_CAPACITY_STEPS),
  };
}

/** LAB_CAPACITY_STEPS: daily users per step, comma separated and rising; unset, CAPACITY_STEPS. */
function stepsSetting(raw: string | undefined): number[] {
  if (raw === undefined || raw === '') return [...CAPACITY_STEPS];
  const steps = raw.split(',').map((x) => Number(x.trim()));
  if (steps.some((n, i) => !Number.isInteger(n) || n < 1 || (i > 0 && n <= steps[i - 1]!))) {
    throw new UsageError(`LAB_CAPACITY_STEPS must be rising whole numbers of daily users, comma separated (got "${raw}")`);
  }
  return steps;
}

const fmt = (n: number, d = 0) => n.toLocaleString('en', { maximumFractionDigits: d });

/** What every run of one invocation shares: the shoppers' catalog, accounts and the TV product. */
type Stage = { catalog: Catalog; accounts: Account[]; flashVariantId: string };

async function prepareStage(s: LabSettings, d: Deployment, log: (l: string) => void): Promise<Stage> {
  const target = new Target(d.base, 16);
  try {
    const flash = await featuredProduct(target, s.model.flashUnits);
    const catalog = await sampleCatalog(target, Math.max(s.products, 100), flash.productId);
    // Flash buyers each need an account of their own; the other buyers share a pool (a few orders each).
    const flashes = s.scenario === 'spike' || s.scenario === 'without';
    const accounts = await customers(target, (flashes ? s.model.flashBuyers : 0) + 40, s.url ? null : s.dataDir, log);
    log(
      `  stage: ${fmt(catalog.productIds.length)} products, ${catalog.categorySlugs.length} categories, ${accounts.length} customers, the TV product with ${s.model.flashUnits} units`,
    );
    await warmUp(target, catalog);
    return { catalog, accounts, flashVariantId: flash.variantId };
  } finally {
    target.close();
  }
}

/** A few reads of each kind before the clock starts, as a deployment is warmed before it takes traffic. */
async function warmUp(target: Target, catalog: Catalog): Promise<void> {
  const paths = [
    '/',
    '/products',
    `/products/${catalog.featuredId}`,
    `/api/v1/products/${catalog.featuredId}`,
    '/api/v1/products?limit=24',
  ];
  for (const id of catalog.productIds.slice(0, 20)) paths.push(`/products/${id}`, `/api/v1/products/${id}`);
  for (const term of catalog.searchTerms.slice(0, 5))
    paths.push(`/search?q=${encodeURIComponent(term)}`, `/api/v1/search?q=${encodeURIComponent(term.slice(0, 3))}&limit=5`);
  for (const slug of catalog.categorySlugs.slice(0, 5)) paths.push(`/categories/${slug}`);
  // Four at a time: a burst of every path at once would itself be shed, and a limit that adapts
  // to it would start the run lower than it needs to be.
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < paths.length; i += 4) {
      await Promise.all(
        paths
          .slice(i, i + 4)
          .map((p) => target.send({ method: 'GET', path: p, headers: { 'x-forwarded-for': '10.251.0.1' } }).catch(() => null)),
      );
    }
  }
  // Past the shedding's hold (a second after the last pressure), so the clock starts on a settled server.
  await new Promise((r) => setTimeout(r, 2000));
}

/** One run of a timeline against a deployment: load, server series, invariants, verdicts. */
async function runOnce(
  s: LabSettings,
  d: Deployment,
  stage: Stage,
  label: string,
  timeline: Timeline,
  log: (l: string) => void,
  opts: { flash: boolean; steps?: readonly number[]; invariants?: boolean } = { flash: false },
): Promise<RunReport> {
  const target = new Target(d.base, 1024);
  const recorder = new Recorder(performance.now(), s.windowMs);
  const sampler = startSampler(d.metrics, recorder.startedAt);
  let stopped = false;
  let accountAt = opts.flash ? s.model.flashBuyers : 0;
  const accepted: string[] = [];
  const ctx = {
    target,
    recorder,
    model: s.model,
    catalog: stage.catalog,
    accepted,
    nextAccount: () => stage.accounts[accountAt++ % stage.accounts.length]!,
    stopping: () => stopped,
    stop: () => void (stopped = true),
  };
  const steps: NonNullable<RunReport['steps']>[number][] = [];
  const stepMs = s.lengths.stepSec * 1000;
  const judgeStep = (i: number) => {
    // Sessions last a while (a few pages, think times): the rate of requests settles some 20-30 s
    // after the rate of arrivals changes. Each step is judged on its second half.
    const from = i * stepMs + Math.max(s.windowMs, Math.floor(stepMs / 2 / s.windowMs) * s.windowMs);
    const slice = recorder.slice(from, (i + 1) * stepMs);
    const totals = Object.fromEntries(slice);
    const verdicts = judgeSlos(totals, null);
    const secs = ((i + 1) * stepMs - from) / 1000;
    let served = 0;
    let good = 0;
    for (const t of slice.values()) {
      served += t.ok;
      good += t.good;
    }
    const users = opts.steps![i]!;
    steps.push({
      dailyUsers: users,
      offeredPerSec: sessionsPerSecond(s.model, users) * requestsPerSession(s.model),
      servedPerSec: served / secs,
      goodputPerSec: good / secs,
      pass: verdicts.every((v) => v.pass),
      broke: firstBroken(verdicts),
    });
    const last = steps[steps.length - 1]!;
    log(
      `    ${fmt(users)} daily users: ${fmt(last.offeredPerSec)} requests/s offered, ${fmt(last.servedPerSec)} served, goodput ${fmt(last.goodputPerSec)}/s: ${last.pass ? 'within SLOs' : `broke ${last.broke}`}`,
    );
  };
  const outcome = await runLoad(ctx, {
    durationMs: timeline.durationMs,
    rateAt: timeline.rateAt,
    maxSessions: s.maxSessions,
    seed: s.seed,
    ...(opts.flash && timeline.flashAtMs !== null
      ? {
          flashSale: {
            atMs: timeline.flashAtMs,
            variantId: stage.flashVariantId,
            buyers: stage.accounts.slice(0, s.model.flashBuyers),
            units: s.model.flashUnits,
          },
        }
      : {}),
    ...(opts.steps
      ? {
          // Past the knee two more steps show goodput under overload; then the run ends.
          keepGoing: (t: number) => {
            while (steps.length < Math.floor(t / stepMs) && steps.length < opts.steps!.length) judgeStep(steps.length);
            return steps.filter((x) => !x.pass).length < 2;
          },
        }
      : {}),
  });
  if (opts.steps && steps.length < Math.min(opts.steps.length, Math.round(outcome.durationMs / stepMs))) judgeStep(steps.length);
  const server = await sampler.stop();
  target.close();
  log(
    `  ${label}: ${fmt(outcome.sessions)} sessions over ${fmt(outcome.durationMs / 1000)} s; ${fmt(accepted.length)} orders accepted; checking the invariants...`,
  );
  const after =
    opts.invariants === false
      ? { invariants: [], payment: { count: 0, p50: 0, p90: 0, p99: 0, max: 0, pending: 0 } }
      : await afterRun(d.env, d.providerUrl, accepted, outcome.flashSale, opts.flash ? stage.flashVariantId : null);
  const totals = recorder.totalsReport();
  const report: RunReport = {
    label,
    deployment: d.settings,
    windowMs: s.windowMs,
    durationMs: outcome.durationMs,
    windows: recorder.windowsReport(),
    server,
    totals,
    errorsByKind: recorder.errorsByKind,
    payment: after.payment,
    flashSale: outcome.flashSale,
    slo: judgeSlos(totals, after.payment),
    invariants: after.invariants,
    generator: outcome.generator,
    ...(opts.steps ? { steps } : {}),
  };
  recorder.destroy();
  return report;
}

/** The last step of the unbroken run of passing steps from the first: what the deployment carries. */
function kneeOf(steps: NonNullable<RunReport['steps']>): NonNullable<RunReport['steps']>[number] | undefined {
  const broken = steps.findIndex((x) => !x.pass);
  return broken === 0 ? undefined : steps[(broken === -1 ? steps.length : broken) - 1];
}

const held = (r: RunReport) => r.slo.every((v) => v.pass) && r.invariants.every((i) => i.pass);

function verdictOf(s: LabSettings, runs: readonly RunReport[]): { pass: boolean; verdict: string; knee?: LabReport['knee'] } {
  const [first] = runs;
  if (!first) return { pass: false, verdict: 'No run completed.' };
  const broken = first.invariants.filter((i) => !i.pass);
  const slo = firstBroken(first.slo);
  const peak = fmt(s.model.spikeDailyUsers);
  switch (s.scenario) {
    case 'capacity': {
      const steps = first.steps ?? [];
      const knee = kneeOf(steps);
      const failed = steps.find((x) => !x.pass);
      const words = knee
        ? `This deployment carries ${fmt(knee.dailyUsers)} daily users within its SLOs (${fmt(knee.servedPerSec)} requests/s served)`
        : `This deployment did not hold even the first step (${fmt(steps[0]?.dailyUsers ?? 0)} daily users)`;
      const next = failed ? `; at ${fmt(failed.dailyUsers)} the first SLO broke: ${failed.broke}` : '; no step broke an SLO';
      const floorRun = runs[1];
      const floorSteps = floorRun?.steps ?? [];
      const floorKnee = kneeOf(floorSteps);
      const floorWords = floorRun
        ? ` The floor, the same shoppers against a server with no Atelier code on this machine, ${floorKnee ? `carried ${fmt(floorKnee.dailyUsers)}` : 'did not hold the first step'}${floorSteps.every((x) => x.pass) ? ' (every step)' : ''}.`
        : '';
      return {
        pass: Boolean(knee) && broken.length === 0,
        verdict: `${words}${next}.${floorWords}${broken.length ? ` Invariants broken: ${broken.map((b) => b.name).join(', ')}.` : ''}`,
        knee: knee ? { dailyUsers: knee.dailyUsers, requestsPerSec: knee.servedPerSec } : null,
      };
    }
    case 'without': {
      const [withRun, withoutRun] = runs;
      const describe = (r: RunReport | undefined) => {
        if (!r) return 'did not run';
        if (held(r)) return 'held every SLO';
        const page = r.totals.page;
        const failed = page ? ((page.errors + page.shed) / Math.max(1, page.answered)) * 100 : 0;
        return `broke ${r.slo.filter((v) => !v.pass).length} SLOs (pages p99 ${fmt(page?.latency.p99 ?? 0)} ms, ${fmt(failed, 1)} % failed)`;
      };
      return {
        pass: Boolean(withRun && held(withRun)),
        verdict: `The same spike to ${peak} daily users: with the scaling practices Atelier ${describe(withRun)}; without them it ${describe(withoutRun)}.`,
      };
    }
    case 'soak': {
      const soak = soakFigures(first);
      const pass = held(first) && soak.rssGrowth < 0.1 && soak.p99Change < 0.2;
      return {
        pass,
        verdict:
          `${pass ? 'Held' : 'Did not hold'}: ${fmt(s.lengths.soakMin)} minutes at ${peak} daily users; resident memory ${soak.rssGrowth >= 0 ? 'grew' : 'shrank'} ${fmt(Math.abs(soak.rssGrowth) * 100, 1)} % (limit 10 %), ` +
          `pages p99 moved ${fmt(soak.p99Change * 100, 1)} % from its first five minutes (limit 20 %)${slo ? `; ${slo}` : ''}.`,
      };
    }
    default: {
      const users = s.scenario === 'normal' ? fmt(s.model.dailyUsers) : peak;
      if (held(first)) return { pass: true, verdict: `Held: at ${users} daily users every SLO passed and every checkout invariant held.` };
      return {
        pass: false,
        verdict: `Did not hold at ${users} daily users: ${broken.length ? `invariants broken: ${broken.map((b) => b.name).join(', ')}` : ''}${broken.length && slo ? '; ' : ''}${slo ?? ''}.`,
      };
    }
  }
}

/** Soak: RSS of the last five minutes against the first five (after the first), and the pages' p99 the same way. */
export function soakFigures(r: RunReport): { rssGrowth: number; p99Change: number } {
  const five = 5 * 60_000;
  const span = Math.min(five, r.durationMs / 3);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const rssAt = (from: number, to: number) => mean(r.server.filter((x) => x.at >= from && x.at < to).map((x) => x.rssBytes));
  const first = rssAt(span * 0.2, span);
  const last = rssAt(r.durationMs - span, r.durationMs + 1);
  const p99At = (from: number, to: number) => {
    const ws = r.windows.filter((w) => w.at >= from && w.at < to).map((w) => w.perClass.page?.latency.p99 ?? 0);
    return ws.length ? [...ws].sort((a, b) => a - b)[Math.floor(ws.length / 2)]! : 0;
  };
  const p99First = p99At(0, span);
  const p99Last = p99At(r.durationMs - span, r.durationMs + 1);
  return { rssGrowth: first ? (last - first) / first : 0, p99Change: p99First ? Math.abs(p99Last - p99First) / p99First : 0 };
}

export async function runLab(
  s: LabSettings,
  log: (l: string) => void = console.log,
): Promise<{ report: LabReport; files: { html: string; json: string } }> {
  const startedAt = new Date();
  log(`load lab: ${s.scenario}`);
  const model = describeModel(s.model);
  for (const d of model.derived) log(`  ${d.name}: ${fmt(d.value, 2)}  (${d.how})`);
  let database: EmbeddedServer | null = null;
  const runs: RunReport[] = [];
  const tag = Date.now().toString(36);
  let deployment: Deployment | null = null;
  try {
    if (s.url) {
      deployment = targetDeployment(s.url, s.metricsUrls, s.providerUrl);
    } else {
      const redis = await findRedis();
      if (!givenPostgres()) database = await startDatabase(s.dataDir, s.ports.postgres);
      const catalogUrl = database ? database.urlFor(EMBEDDED_CATALOG_DB) : process.env.CATALOG_DATABASE_URL!;
      const seedEnv = atelierEnv(s.dataDir, s.ports, practices(true, null, 1), tag);
      log(`  catalog: ${fmt(await ensureCatalog(catalogUrl, seedEnv, s.products, log))} published products`);
      log(
        `  starting the deployment (level 1: ${s.apiProcesses} API processes, a worker, Redis ${redis ? 'on' : 'off: none answered'})...`,
      );
      deployment = await startDeployment(s.dataDir, s.ports, practices(true, redis, s.apiProcesses), tag);
    }
    const stage = await prepareStage(s, deployment, log);
    if (s.scenario === 'capacity') {
      const timeline = capacityTimeline(s.model, s.capacitySteps, s.lengths.stepSec);
      log(
        `  capacity: steps of ${s.lengths.stepSec} s at ${s.capacitySteps.map((u) => fmt(u)).join(', ')} daily users, until two steps break an SLO`,
      );
      runs.push(await runOnce(s, deployment, stage, 'Atelier', timeline, log, { flash: false, steps: s.capacitySteps }));
      // The floor: the same shoppers against a server with no Atelier code (load/floor-server.ts).
      log('  capacity floor: the same steps against a server that only sends bytes captured from Atelier...');
      // Up to the issue's goal of 5,000,000 daily users, or Atelier's last step if it went further.
      const reached = runs[0]!.steps?.at(-1)?.dailyUsers ?? 0;
      const floorSteps = s.capacitySteps.filter((u, i) => i === 0 || u <= Math.max(FLOOR_GOAL, reached));
      const floor = await startFloor(deployment, stage.catalog, s.ports.provider + 1);
      try {
        runs.push(
          await runOnce(s, floor, stage, 'floor (no Atelier code)', capacityTimeline(s.model, floorSteps, s.lengths.stepSec), log, {
            flash: false,
            steps: floorSteps,
            invariants: false,
          }),
        );
      } finally {
        await floor.stop();
      }
    } else {
      const timeline = timelineFor(s.scenario, s.model, s.lengths);
      log(`  ${s.scenario}: ${fmt(timeline.durationMs / 1000)} s, up to ${fmt(Math.max(...sample(timeline)), 2)} sessions/s`);
      const label = s.scenario === 'without' ? 'with the practices' : s.scenario;
      runs.push(await runOnce(s, deployment, stage, label, timeline, log, { flash: s.scenario !== 'normal' && s.scenario !== 'soak' }));
      if (s.scenario === 'without' && !s.url) {
        await deployment.stop();
        log('  without: the same code, caches off, one API process, no load shedding, no checkout line, no Redis...');
        deployment = await startDeployment(s.dataDir, s.ports, practices(false, null, 1), `${tag}-without`);
        const flash = await featuredProduct(new Target(deployment.base, 4), s.model.flashUnits);
        const again: Stage = { ...stage, flashVariantId: flash.variantId, catalog: { ...stage.catalog, featuredId: flash.productId } };
        runs.push(await runOnce(s, deployment, again, 'without the practices', timeline, log, { flash: true }));
      }
    }
  } finally {
    await deployment?.stop();
    await stopAllAtelier();
    await database?.stop();
  }
  const v = verdictOf(s, runs);
  const report: LabReport = {
    scenario: s.scenario,
    startedAt: startedAt.toISOString(),
    verdict: v.verdict,
    pass: v.pass,
    model,
    runs,
    ...(v.knee !== undefined ? { knee: v.knee } : {}),
    machine: { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  };
  const files = await writeReport(report, s.reportDir);
  return { report, files };
}

function sample(t: Timeline): number[] {
  const out: number[] = [];
  for (let x = 0; x <= t.durationMs; x += 1000) out.push(t.rateAt(x));
  return out;
}

export function describeRun(r: RunReport): string[] {
  const lines = r.slo.map((v) => `    ${v.pass ? 'pass' : 'FAIL'}  ${v.class.padEnd(9)} ${v.measured}  (objective ${v.objective})`);
  for (const i of r.invariants) lines.push(`    ${i.pass ? 'held' : 'BROKEN'}  ${i.name}: ${i.detail}`);
  if (r.flashSale) {
    const f = r.flashSale;
    lines.push(
      `    flash sale: ${f.buyers} buyers, ${f.units} units: ${f.sold} sold, ${f.soldOut409} sold out; buyer wait p50 ${fmt(f.buyerWait.p50)} ms, p99 ${fmt(f.buyerWait.p99)} ms; over after ${fmt(f.overAfterMs)} ms`,
    );
  }
  lines.push(
    `    generator: ${fmt(r.generator.cpu * 100)} % of a core, arrivals late p99 ${fmt(r.generator.lateness.p99)} ms${r.generator.warning ? `; WARNING ${r.generator.warning}` : ''}`,
  );
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let settings: LabSettings;
  try {
    settings = settingsFrom(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const stop = () => void stopAllAtelier().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { report, files } = await runLab(settings);
    for (const r of report.runs) {
      console.log(`  ${r.label}:`);
      for (const line of describeRun(r)) console.log(line);
    }
    console.log(
      `\n${report.verdict}\n  report: ${path.relative(process.cwd(), files.html)}\n  data:   ${path.relative(process.cwd(), files.json)}`,
    );
    process.exit(report.pass ? 0 : 1);
  } catch (err) {
    console.error(err);
    process.exit(1);
  }
}
