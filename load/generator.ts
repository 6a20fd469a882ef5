import * as hdr from 'hdr-histogram-js';
import { percentilesOf } from './recorder.ts';
import { randomSource, Shopper, type Account, type ShopperContext } from './shopper.ts';
import type { Percentiles, RunReport } from './types.ts';

/**
 * The open model: shoppers arrive at the rate the scenario asks for at each moment, whether or not
 * the site keeps up with the ones already there (a closed loop would slow its arrivals down as the
 * server slows, and hide the collapse it is meant to find). Arrivals are a Poisson process: the gap
 * to the next one is exponential around 1/rate, with the rate read at each arrival.
 *
 * The generator watches itself: its CPU, and how late it sent arrivals against their schedule. On
 * two shared cores it competes with the server it measures; when it is the limit the report says so.
 */
export type LoadPlan = Readonly<{
  durationMs: number;
  /** Session arrivals per second, `t` ms after the start. */
  rateAt(t: number): number;
  /** The flash sale, if any: when, and on which variant. */
  flashSale?: Readonly<{ atMs: number; variantId: string; buyers: readonly Account[]; units: number }>;
  /** Most sessions open at once; arrivals past it are dropped and counted (the generator's own limit). */
  maxSessions: number;
  seed: number;
  /** Asked as time passes (`t` ms after the start); false ends the run early (capacity, past the knee). */
  keepGoing?(t: number): boolean;
}>;

export type LoadOutcome = Readonly<{
  durationMs: number;
  sessions: number;
  dropped: number;
  flashSale: RunReport['flashSale'];
  generator: RunReport['generator'];
}>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLoad(ctx: ShopperContext & { stop(): void }, plan: LoadPlan): Promise<LoadOutcome> {
  const rand = randomSource(plan.seed);
  const lateness = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  const open = new Set<Promise<void>>();
  const started = ctx.recorder.startedAt;
  const cpuBefore = process.cpuUsage();
  let sessions = 0;
  let dropped = 0;
  let flash: Promise<RunReport['flashSale']> | null = null;

  let next = started;
  while (performance.now() - started < plan.durationMs) {
    const t = next - started;
    if (plan.keepGoing && !plan.keepGoing(t)) break;
    const rate = plan.rateAt(t);
    ctx.recorder.offer(next, rate);
    if (plan.flashSale && flash === null && t >= plan.flashSale.atMs) flash = flashSale(ctx, plan.flashSale);
    if (rate <= 0) {
      next += 100;
    } else {
      const now = performance.now();
      if (next > now) await sleep(next - now);
      if (performance.now() - started >= plan.durationMs) break;
      lateness.recordValue(Math.max(1, Math.round((performance.now() - next) * 1000)));
      if (open.size >= plan.maxSessions) {
        dropped++;
      } else {
        const visit = new Shopper(ctx, randomSource(plan.seed + 7919 * ++sessions), next, sessions)
          .visit()
          .catch(() => undefined)
          .finally(() => open.delete(visit));
        open.add(visit);
      }
      next += (-Math.log(1 - rand()) / rate) * 1000;
    }
    if (next - started > plan.durationMs) break;
  }
  const durationMs = performance.now() - started;
  ctx.stop();
  // Sessions stop at their next step; give the ones mid-request time to hear back.
  await Promise.race([Promise.all(open), sleep(30_000)]);
  const flashResult = flash ? await flash : null;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPerSec = (cpu.user + cpu.system) / 1000 / durationMs;
  const late = percentilesOf(lateness);
  lateness.destroy();
  return {
    durationMs,
    sessions,
    dropped,
    flashSale: flashResult,
    generator: { cpu: cpuPerSec, lateness: late, warning: generatorWarning(cpuPerSec, late, dropped) },
  };
}

/**
 * When the generator was likely the limit: nearly a whole core busy (it is one process, one event
 * loop), arrivals sent late, or sessions dropped.
 */
export function generatorWarning(cpu: number, lateness: Percentiles, dropped: number): string | null {
  const why: string[] = [];
  if (cpu > 0.85) why.push(`the load generator used ${(cpu * 100).toFixed(0)} % of a core`);
  if (lateness.p99 > 50) why.push(`it sent arrivals late (p99 ${lateness.p99.toFixed(0)} ms behind schedule)`);
  if (dropped > 0) why.push(`it dropped ${dropped} arrivals at its limit of open sessions`);
  return why.length === 0 ? null : `${why.join('; ')}: some of the latency may be the generator's, not the server's.`;
}

/** N buyers press "buy now" on one product at one moment; each keeps its place in line until the final answer. */
async function flashSale(ctx: ShopperContext, sale: NonNullable<LoadPlan['flashSale']>): Promise<NonNullable<RunReport['flashSale']>> {
  const at = performance.now();
  const waits = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
  let sold = 0;
  let soldOut409 = 0;
  let lastSoldAt = at;
  await Promise.all(
    sale.buyers.map(async (buyer, i) => {
      const shopper = new Shopper(ctx, randomSource(1_000_003 + i), at, 0x0f0000 + i);
      const result = await shopper.checkout(buyer.token, {
        lines: [{ variantId: sale.variantId, quantity: 1 }],
        shippingAddress: { name: 'Flash Buyer', line1: '2 Sale Street', city: 'Lyon', postalCode: '69002', country: 'FR' },
      });
      const done = performance.now();
      waits.recordValue(Math.max(1, Math.round((done - at) * 1000)));
      if (result.orderId) {
        sold++;
        lastSoldAt = Math.max(lastSoldAt, done);
      } else if (result.status === 409) soldOut409++;
    }),
  );
  const buyerWait = percentilesOf(waits);
  waits.destroy();
  return {
    at: at - ctx.recorder.startedAt,
    buyers: sale.buyers.length,
    units: sale.units,
    sold,
    soldOut409,
    buyerWait,
    overAfterMs: lastSoldAt - at,
  };
}
