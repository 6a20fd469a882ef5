/**
 * The traffic model of the load lab, in one file: who arrives, how often, and what they do. Every
 * number here is a default a reader can argue with; each can be changed for one run with an
 * environment variable (`LAB_<NAME>` in upper snake case, e.g. `LAB_PEAK_HOUR_SHARE=0.2`), and the
 * report prints the values used and the rates derived from them.
 *
 * Shoppers, not requests: a day's users come in sessions, a fixed share of the day's sessions
 * falls in the peak hour, and the lab replays that hour's arrival rate (compressed: the rate of the
 * peak hour, held for the length of the scenario rather than an hour). Each session walks the
 * storefront (load/shopper.ts) with think times between steps, so the requests per second follow
 * from the sessions per second and what each session does.
 */
import type { ModelReport } from './types.ts';

export type Model = Readonly<{
  /** Daily users of an ordinary day, before the TV feature. */
  dailyUsers: number;
  /** The day the TV feature airs: a hundred times as many. */
  spikeDailyUsers: number;
  /** Sessions a user opens in a day. */
  sessionsPerUser: number;
  /**
   * Share of the day's sessions that fall in the peak hour. Even traffic would be 1/24 (4.2 %);
   * shopping peaks in the evening, and a TV feature puts much of the day into the hour after it.
   */
  peakHourShare: number;
  /** Pages a session views, on average (storefront pages or the app's screens). */
  pagesPerSession: number;
  /** Share of sessions that use the JSON API (the mobile app) rather than the HTML pages. */
  appShare: number;
  /** Share of sessions that search (typing: a suggestion request per pause, then the results). */
  searchShare: number;
  /** Suggestion requests while typing one query (one per pause in typing). */
  keystrokesPerSearch: number;
  /** Share of sessions that add something to the cart. */
  addToCartShare: number;
  /** Share of sessions that buy (sign in, check out, look at the order): the conversion rate. */
  conversion: number;
  /** Images per product view that reach the origin (the rest come from the browser's cache). */
  imagesPerProductView: number;
  /** Share of product views that land on the product the TV showed. */
  featuredShare: number;
  /**
   * Mean pause between two steps of a session, seconds. People pause 10-30 s; the lab compresses
   * think time, which keeps each session's requests but shortens it, so fewer sessions are open
   * at once for the same request rate. Requests per second are what the server feels.
   */
  thinkTimeSec: number;
  /** The flash sale: this many buyers press "buy now" on one product at one moment... */
  flashBuyers: number;
  /** ...which has this many units. */
  flashUnits: number;
}>;

export const DEFAULT_MODEL: Model = {
  dailyUsers: 5_000,
  spikeDailyUsers: 500_000,
  sessionsPerUser: 1.4,
  peakHourShare: 0.15,
  pagesPerSession: 6,
  appShare: 0.25,
  searchShare: 0.35,
  keystrokesPerSearch: 3,
  addToCartShare: 0.08,
  conversion: 0.025,
  imagesPerProductView: 2,
  featuredShare: 0.2,
  thinkTimeSec: 2,
  flashBuyers: 500,
  flashUnits: 200,
};

const SHARES = ['peakHourShare', 'appShare', 'searchShare', 'addToCartShare', 'conversion', 'featuredShare'] as const;

/** The default model with any `LAB_*` overrides; a bad value stops the run with its name. */
export function modelFromEnv(env: NodeJS.ProcessEnv = process.env, base: Model = DEFAULT_MODEL): Model {
  const out: Record<string, number> = { ...base };
  for (const key of Object.keys(base)) {
    const name = `LAB_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number >= 0 (got "${raw}")`);
    out[key] = n;
  }
  const model = out as Model;
  for (const s of SHARES) if (model[s] > 1) throw new Error(`${s} is a share: 0 to 1 (got ${model[s]})`);
  if (model.conversion > model.addToCartShare) throw new Error('conversion must not exceed addToCartShare: a buyer adds to the cart first');
  if (model.pagesPerSession < 1) throw new Error('pagesPerSession must be at least 1');
  if (model.flashUnits > model.flashBuyers) throw new Error('flashUnits must not exceed flashBuyers: the sale is about selling out');
  return model;
}

/** Session arrivals per second in the peak hour of a day with `dailyUsers` users. */
export function sessionsPerSecond(model: Model, dailyUsers: number): number {
  return (dailyUsers * model.sessionsPerUser * model.peakHourShare) / 3600;
}

/**
 * Requests one session sends on average, by what it does (load/shopper.ts follows the same walk):
 * its pages, the images of its product views, the typing of a search, adding to the cart, and
 * for buyers the sign-in, checkout page, checkout and order status.
 */
export function requestsPerSession(model: Model): number {
  const productViews = (model.pagesPerSession - 1) * PRODUCT_VIEW_SHARE;
  const searching = model.searchShare * model.keystrokesPerSearch;
  const buying = model.conversion * BUYER_REQUESTS;
  return model.pagesPerSession + productViews * model.imagesPerProductView + searching + model.addToCartShare + buying;
}

/** Of the pages after the first, the share that are product views (the rest are listings). */
export const PRODUCT_VIEW_SHARE = 0.6;
/** Sign-in, the checkout page, the checkout, the order's page. */
export const BUYER_REQUESTS = 4;

const fmt = (n: number, digits = 1) => n.toLocaleString('en', { maximumFractionDigits: digits });

/** The model and the rates it gives at the ordinary day and the spike, with the arithmetic. */
export function describeModel(model: Model): ModelReport {
  const derived = [model.dailyUsers, model.spikeDailyUsers].flatMap((users) => {
    const sessions = sessionsPerSecond(model, users);
    const perSession = requestsPerSession(model);
    return [
      {
        name: `sessions/s in the peak hour, ${fmt(users, 0)} daily users`,
        value: sessions,
        how: `${fmt(users, 0)} users x ${model.sessionsPerUser} sessions x ${fmt(model.peakHourShare * 100)} % in the peak hour / 3,600 s`,
      },
      {
        name: `requests/s, ${fmt(users, 0)} daily users`,
        value: sessions * perSession,
        how: `${fmt(sessions, 2)} sessions/s x ${fmt(perSession, 2)} requests per session`,
      },
      {
        name: `orders/s, ${fmt(users, 0)} daily users`,
        value: sessions * model.conversion,
        how: `${fmt(sessions, 2)} sessions/s x ${fmt(model.conversion * 100)} % conversion`,
      },
    ];
  });
  derived.push({
    name: 'requests per session',
    value: requestsPerSession(model),
    how:
      `${model.pagesPerSession} pages + ${fmt((model.pagesPerSession - 1) * PRODUCT_VIEW_SHARE)} product views x ${model.imagesPerProductView} images` +
      ` + ${fmt(model.searchShare * 100)} % searching x ${model.keystrokesPerSearch} suggestions + ${fmt(model.addToCartShare * 100)} % add to cart` +
      ` + ${fmt(model.conversion * 100)} % buying x ${BUYER_REQUESTS}`,
  });
  return { parameters: { ...model }, derived };
}
