import { sessionsPerSecond, type Model } from './model.ts';
import type { Scenario } from './types.ts';

/**
 * The shape of each scenario over time: session arrivals per second at each moment, from the
 * model's daily users. Lengths are in seconds and can be changed per run (`LAB_*_SECONDS`).
 */
export type Timeline = Readonly<{
  durationMs: number;
  rateAt(t: number): number;
  /** Daily users at `t`, for the report's words. */
  usersAt(t: number): number;
  flashAtMs: number | null;
}>;

export type Lengths = Readonly<{
  normalSec: number;
  baseSec: number;
  rampSec: number;
  holdSec: number;
  easeSec: number;
  soakMin: number;
  stepSec: number;
}>;

export const DEFAULT_LENGTHS: Lengths = { normalSec: 45, baseSec: 20, rampSec: 60, holdSec: 120, easeSec: 40, soakMin: 30, stepSec: 45 };

/** Daily users per capacity step: the spike's 500,000 and up, to twenty times the spike. */
export const CAPACITY_STEPS = [500_000, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000, 6_000_000, 8_000_000, 10_000_000];

function timelineOf(users: (t: number) => number, model: Model, durationMs: number, flashAtMs: number | null): Timeline {
  return { durationMs, usersAt: users, rateAt: (t) => sessionsPerSecond(model, users(t)), flashAtMs };
}

/**
 * `spike`: the ordinary day's rate, then within `rampSec` (a minute) the TV moment's hundred times
 * that, held, then easing to a fifth of it (the audience stays a while). The flash sale is in the
 * middle of the hold.
 */
export function spikeTimeline(model: Model, l: Lengths): Timeline {
  const a = l.baseSec * 1000;
  const b = a + l.rampSec * 1000;
  const c = b + l.holdSec * 1000;
  const d = c + l.easeSec * 1000;
  const low = model.dailyUsers;
  const high = model.spikeDailyUsers;
  const eased = high / 5;
  const users = (t: number) => {
    if (t < a) return low;
    if (t < b) return low + ((high - low) * (t - a)) / (b - a);
    if (t < c) return high;
    return high + (eased - high) * Math.min(1, (t - c) / Math.max(1, d - c));
  };
  return timelineOf(users, model, d, b + (c - b) / 2);
}

export function timelineFor(scenario: Exclude<Scenario, 'capacity'>, model: Model, l: Lengths): Timeline {
  switch (scenario) {
    case 'normal':
      return timelineOf(() => model.dailyUsers, model, l.normalSec * 1000, null);
    case 'spike':
    case 'without':
      return spikeTimeline(model, l);
    case 'soak':
      return timelineOf(() => model.spikeDailyUsers, model, l.soakMin * 60_000, null);
  }
}

/** `capacity`: each step's daily users held for `stepSec`. */
export function capacityTimeline(model: Model, steps: readonly number[], stepSec: number): Timeline {
  const users = (t: number) => steps[Math.min(steps.length - 1, Math.floor(t / (stepSec * 1000)))]!;
  return timelineOf(users, model, steps.length * stepSec * 1000, null);
}
