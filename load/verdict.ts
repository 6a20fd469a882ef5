import { createContainer, createLogger } from '../src/app/container.ts';
import { loadConfig } from '../src/app/config.ts';
import { checkRunInvariants, orderStatuses, type ProviderCharge } from '../bench/checkout-invariants.ts';
import { describeObjective, objectiveOf, PAYMENT_OBJECTIVE, REQUEST_OBJECTIVES } from '../ops/slo.ts';
import type { Invariant, Percentiles, RunReport, SloVerdict } from './types.ts';

/**
 * After a run: the checkout invariants (the same four the bench checks, on this run's orders),
 * how long accepted orders took to be paid, and the SLO verdict per class. A broken invariant fails
 * the run whatever the latencies.
 */
const fmt = (n: number) => n.toLocaleString('en', { maximumFractionDigits: 0 });
const pct = (r: number) => `${(r * 100).toLocaleString('en', { maximumFractionDigits: 2, minimumFractionDigits: 2 })} %`;

type Totals = RunReport['totals'];

/** Answers a class needs before its p99 is judged. */
export const MIN_FOR_P99 = 100;

/** Each class that had requests, judged against ops/slo.ts. */
export function judgeSlos(totals: Totals, payment: RunReport['payment'] | null): SloVerdict[] {
  const out: SloVerdict[] = [];
  for (const o of REQUEST_OBJECTIVES) {
    const t = totals[o.class];
    if (!t || t.answered === 0) continue;
    const failed = t.errors + t.shed;
    const errorRatio = failed / t.answered;
    // A p99 of a few dozen answers is their slowest one: it says nothing about the 99th percentile.
    const enough = t.answered >= MIN_FOR_P99;
    const pass = (!enough || t.latency.p99 <= o.p99Ms) && errorRatio <= o.maxErrorRatio;
    out.push({
      class: o.class,
      objective: describeObjective(o),
      measured: `${enough ? '' : `too few for a p99 (under ${MIN_FOR_P99}, judged on errors): `}p99 ${fmt(t.latency.p99)} ms, ${failed === 0 ? 'no errors' : `${pct(errorRatio)} failed (${fmt(t.errors)} errors, ${fmt(t.shed)} shed)`} of ${fmt(t.answered)}`,
      p99Ms: t.latency.p99,
      errorRatio,
      pass,
    });
  }
  if (payment && payment.count + payment.pending > 0) {
    out.push({
      class: 'payment',
      objective: `p99 < ${fmt(PAYMENT_OBJECTIVE.p99Ms / 1000)} s from acceptance to paid`,
      measured: `p99 ${(payment.p99 / 1000).toFixed(1)} s over ${fmt(payment.count)} paid orders${payment.pending ? `, ${payment.pending} still pending` : ''}`,
      p99Ms: payment.p99,
      errorRatio: null,
      pass: payment.p99 <= PAYMENT_OBJECTIVE.p99Ms && payment.pending === 0,
    });
  }
  return out;
}

/** The first objective a step broke, in words, or null. */
export function firstBroken(verdicts: readonly SloVerdict[]): string | null {
  const v = verdicts.find((x) => !x.pass);
  return v
    ? `${v.class}: ${v.measured} (objective ${v.class === 'payment' ? v.objective : describeObjective(objectiveOf(v.class))})`
    : null;
}

function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  return { count: s.length, p50: at(50), p90: at(90), p99: at(99), max: s[s.length - 1]! };
}

export type AfterRun = Readonly<{ invariants: Invariant[]; payment: RunReport['payment'] }>;

/**
 * Waits (up to `drainSec`) for the run's accepted orders to leave pending_payment, then checks the
 * invariants. Without database access (`--url` without CATALOG_DATABASE_URL) it says so instead.
 */
export async function afterRun(
  env: NodeJS.ProcessEnv | null,
  providerUrl: string | null,
  accepted: readonly string[],
  flash: RunReport['flashSale'],
  flashVariantId: string | null,
  drainSec = 60,
): Promise<AfterRun> {
  if (!env) {
    return {
      invariants: [
        {
          name: 'checkout invariants',
          pass: true,
          detail: 'not checked: the lab has no access to the target database (set CATALOG_DATABASE_URL and SHARD_DATABASE_URLS)',
        },
      ],
      payment: { count: 0, p50: 0, p90: 0, p99: 0, max: 0, pending: 0 },
    };
  }
  const app = await createContainer(loadConfig(env), { role: 'bench', migrate: false, log: createLogger({ logLevel: 'warn' }, 'lab') });
  try {
    const deadline = Date.now() + drainSec * 1000;
    let rows = await orderStatuses(app, accepted);
    while (rows.some((r) => r.status === 'pending_payment') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      rows = await orderStatuses(app, accepted);
    }
    // Acceptance is the order's creation; paid is its last change (nothing after payment runs here).
    const paidMs = rows.filter((r) => r.status === 'paid').map((r) => r.updatedAt.getTime() - r.createdAt.getTime());
    const pending = rows.filter((r) => r.status === 'pending_payment').length;
    let charges: ProviderCharge[] = [];
    if (providerUrl) {
      const res = await fetch(`${providerUrl}/v1/charges`, { signal: AbortSignal.timeout(60_000) });
      if (!res.ok) throw new Error(`the payment provider's GET /v1/charges answered ${res.status}`);
      charges = ((await res.json()) as { items: ProviderCharge[] }).items;
    }
    const problems = await checkRunInvariants(app, charges, accepted);
    const invariants: Invariant[] = [
      named(problems, 'nothing oversold', /oversold/),
      named(problems, 'no order charged twice', /charged \d+ times/),
      named(
        problems,
        'every accepted order exists, and is paid or within its payment deadline',
        /do not exist|past its deadline|without a succeeded charge/,
      ),
      named(problems, 'every paid order emailed once', /confirmation email/),
    ];
    if (flash && flashVariantId) {
      // The TV product is also bought by ordinary shoppers during the run: the sale is judged on the
      // variant's stock, whoever bought it. With more buyers than units, it must sell out exactly.
      const [level] = await app.inventory.service.levels([flashVariantId]);
      const sold = (level?.sold ?? 0) + (level?.reserved ?? 0);
      // Nothing over the stock in any case; sold out exactly when there were more buyers than units.
      const notOver = level !== undefined && sold <= level.onHand;
      const soldOut = notOver && (flash.buyers < flash.units || (level.available === 0 && sold === level.onHand));
      invariants.push({
        name: 'the flash sale sold out exactly, nothing over',
        pass: soldOut,
        detail:
          `${sold} of ${flash.units} units sold or reserved (${flash.sold} to the ${flash.buyers} flash buyers, the rest to other shoppers), ` +
          `${level?.available ?? '?'} left; ${flash.soldOut409} buyers told "sold out"`,
      });
    }
    return { invariants, payment: { ...percentiles(paidMs), pending } };
  } finally {
    await app.close();
  }
}

function named(problems: readonly string[], name: string, match: RegExp): Invariant {
  const mine = problems.filter((p) => match.test(p));
  return {
    name,
    pass: mine.length === 0,
    detail: mine.length === 0 ? 'held' : `${mine.length} broken, e.g. ${mine.slice(0, 3).join('; ')}`,
  };
}
