import { randomUUID } from 'node:crypto';
import { CookieJar, errorCode, type Reply, type RequestSpec, type Target } from './http.ts';
import { PRODUCT_VIEW_SHARE, type Model } from './model.ts';
import type { Outcome, Recorder } from './recorder.ts';
import type { RequestClass } from './types.ts';

/**
 * One shopper's visit, as people walk a storefront: the home page or the app's first screen, a
 * few listings and product pages (with their images), maybe a search typed a few letters at a
 * time, maybe something into the cart, and for the few who buy: sign in, check out, look at the
 * order. Most browse; few buy (load/model.ts sets the shares). A quarter of the shoppers use the
 * JSON API (the app) instead of the HTML pages.
 *
 * Every request is recorded by class with its latency from the moment it was meant to start: the
 * end of the think time before it, or the arrival itself for the first.
 */
export type Catalog = Readonly<{
  productIds: readonly string[];
  featuredId: string;
  categorySlugs: readonly string[];
  searchTerms: readonly string[];
}>;

export type Account = Readonly<{ email: string; password: string; token: string }>;

export const ADDRESS = { name: 'Spike Shopper', line1: '1 Television Street', city: 'Lyon', postalCode: '69001', country: 'FR' } as const;

/** What a run shares between its shoppers. */
export type ShopperContext = Readonly<{
  target: Target;
  recorder: Recorder;
  model: Model;
  catalog: Catalog;
  /** The next account for a buyer (a pool prepared before the run). */
  nextAccount(): Account;
  /** Every order the server accepted, for the invariants. */
  accepted: string[];
  /** True once the run is over: a session stops at its next step. */
  stopping(): boolean;
}>;

/** A small seeded PRNG (mulberry32), so that a run's shoppers are the same from run to run. */
export function randomSource(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How often a buyer refused for load (503) tries again before giving up. */
const MAX_OVERLOADED_RETRIES = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How an answer counts for the SLOs: a shed 503 is its own outcome; a sold-out 409 or a place in line is a correct answer. */
export function judge(c: RequestClass, reply: Reply): { outcome: Outcome; kind?: string } {
  if (reply.status < 400) return { outcome: 'ok' };
  const code = errorCode(reply);
  const kind = `${reply.status} ${code ?? (reply.headers['content-type']?.toString().startsWith('text/html') ? 'page' : 'no code')}`;
  if (reply.status === 503 && reply.headers['retry-after'] !== undefined) return { outcome: 'shed', kind };
  // Sold out is a clear, correct answer, at checkout and when adding to the cart.
  if ((c === 'checkout' || c === 'cart') && reply.status === 409 && (code === undefined || code.startsWith('INVENTORY_'))) {
    return { outcome: 'ok' };
  }
  if (c === 'checkout' && reply.status === 429 && (code === undefined || code === 'ORDERS_CHECKOUT_QUEUED')) return { outcome: 'ok' };
  return { outcome: 'error', kind };
}

/** How one surface (the HTML pages or the app's JSON API) does the steps of a browsing walk. */
type Surface = Readonly<{
  /** The results page after typing (the app shows its suggestions only). */
  searchResults?(term: string): Promise<void>;
  /** A product view: its first variant and its images, or null when it did not load. */
  product(id: string): Promise<{ variantId: string | undefined; images: string[] } | null>;
  /** A listing: a category's, or all products. */
  listing(categorySlug: string | undefined): Promise<void>;
}>;

export class Shopper {
  private readonly jar = new CookieJar();
  private readonly ip: string;
  private intended: number;

  constructor(
    private readonly ctx: ShopperContext,
    private readonly rand: () => number,
    arrivedAt: number,
    n: number,
  ) {
    this.intended = arrivedAt;
    // A client address of its own (10.x.y.z), so per-address rate limits count shoppers, not the generator.
    this.ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  /** Sends one request of class `c` and records it; null on a network failure (recorded too). */
  private async call(c: RequestClass, spec: RequestSpec, auth?: string, at?: number): Promise<Reply | null> {
    const headers: Record<string, string> = { 'x-forwarded-for': this.ip, ...(spec.headers ?? {}) };
    if (auth) headers.authorization = `Bearer ${auth}`;
    const intendedAt = at ?? this.intended;
    try {
      const reply = await this.ctx.target.send({ ...spec, headers }, auth ? undefined : this.jar);
      const done = performance.now();
      const j = judge(c, reply);
      this.ctx.recorder.record(c, intendedAt, done, j.outcome, j.kind);
      if (at === undefined) this.intended = done;
      return reply;
    } catch (err) {
      const done = performance.now();
      this.ctx.recorder.record(c, intendedAt, done, 'error', `network ${(err as Error).message}`);
      if (at === undefined) this.intended = done;
      return null;
    }
  }

  /** The pause before the next step: exponential around the model's mean think time. */
  private async think(meanSec = this.ctx.model.thinkTimeSec): Promise<boolean> {
    const ms = -Math.log(1 - this.rand()) * meanSec * 1000;
    this.intended = performance.now() + ms;
    await sleep(ms);
    return !this.ctx.stopping();
  }

  /** A product id: the featured one for `featuredShare` of views, else the long tail, weighted towards the front. */
  private product(): string {
    const { catalog, model } = this.ctx;
    if (this.rand() < model.featuredShare) return catalog.featuredId;
    return catalog.productIds[Math.floor(catalog.productIds.length * this.rand() ** 2)]!;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)]!;
  }

  async visit(): Promise<void> {
    const m = this.ctx.model;
    const app = this.rand() < m.appShare;
    const buys = this.rand() < m.conversion;
    const carts = buys || this.rand() < (m.addToCartShare - m.conversion) / Math.max(1e-9, 1 - m.conversion);
    const searches = this.rand() < m.searchShare;
    // Pages: 1 + geometric with the model's mean.
    let pages = 1;
    while (this.rand() < 1 - 1 / m.pagesPerSession) pages++;
    return app ? this.appVisit(pages, searches, carts, buys) : this.webVisit(pages, searches, carts, buys);
  }

  /**
   * The browsing both surfaces share: after the first page, `pages - 1` steps with a think time
   * before each, one of them the search for a searching shopper, the rest product views (with
   * their images) and listings. Returns the variant of the last product viewed, or null when the
   * run ended mid-walk.
   */
  private async browse(pages: number, searches: boolean, surface: Surface): Promise<{ variantId: string | undefined } | null> {
    let variantId: string | undefined;
    const searchAt = searches ? 1 + Math.floor(this.rand() * Math.max(1, pages - 1)) : -1;
    for (let i = 1; i < pages; i++) {
      if (!(await this.think())) return null;
      if (i === searchAt) {
        await this.typeSearch();
        await surface.searchResults?.(this.pick(this.ctx.catalog.searchTerms));
      } else if (this.rand() < PRODUCT_VIEW_SHARE) {
        const viewed = await surface.product(this.product());
        variantId = viewed?.variantId ?? variantId;
        if (viewed) await this.images(viewed.images);
      } else {
        const slugs = this.ctx.catalog.categorySlugs;
        await surface.listing(slugs.length > 0 && this.rand() < 0.5 ? this.pick(slugs) : undefined);
      }
    }
    return { variantId };
  }

  private async webVisit(pages: number, searches: boolean, carts: boolean, buys: boolean): Promise<void> {
    await this.call('page', { method: 'GET', path: '/' });
    const walked = await this.browse(pages, searches, {
      searchResults: async (term) => void (await this.call('search', { method: 'GET', path: `/search?q=${encodeURIComponent(term)}` })),
      product: async (id) => {
        const reply = await this.call('page', { method: 'GET', path: `/products/${id}` });
        if (reply?.status !== 200) return null;
        return {
          variantId: /name="variantId"[^>]*value="([0-9a-f-]{36})"/.exec(reply.text)?.[1],
          images: [...reply.text.matchAll(/src="(\/media\/[^"]+)"/g)].map((x) => x[1]!),
        };
      },
      listing: async (slug) => void (await this.call('page', { method: 'GET', path: slug ? `/categories/${slug}` : '/products' })),
    });
    const variantId = walked?.variantId;
    if (!carts || variantId === undefined || !(await this.think())) return;
    await this.call('cart', { method: 'POST', path: '/cart/lines', form: new URLSearchParams({ variantId, quantity: '1' }) });
    if (buys && (await this.think())) await this.webCheckout();
  }

  /** Sign in through the form, open the checkout page, post it with the key it carries, look at the order. */
  private async webCheckout(): Promise<void> {
    const account = this.ctx.nextAccount();
    await this.call('account', {
      method: 'POST',
      path: '/sign-in',
      form: new URLSearchParams({ email: account.email, password: account.password, next: '/checkout' }),
    });
    const page = await this.call('page', { method: 'GET', path: '/checkout' });
    const key = page ? /name="idempotencyKey" value="([^"]+)"/.exec(page.text)?.[1] : undefined;
    if (!key || !(await this.think())) return;
    const form = new URLSearchParams({ ...ADDRESS, line2: '', idempotencyKey: key });
    for (let attempt = 0; attempt < 20; attempt++) {
      const placed = await this.call('checkout', { method: 'POST', path: '/checkout', form });
      if (placed?.status === 303) {
        const orderPath = placed.headers.location?.split('?', 1)[0];
        const id = orderPath?.split('/').pop();
        if (id) this.ctx.accepted.push(id);
        if (orderPath && (await this.think())) await this.call('account', { method: 'GET', path: orderPath });
        return;
      }
      if (placed?.status === 503 && placed.headers['retry-after'] !== undefined && attempt < MAX_OVERLOADED_RETRIES) {
        await this.wait(Math.min(10, Number(placed.headers['retry-after']) || 1) * 1000);
        continue;
      }
      if (placed?.status !== 429) return;
      // A place in the checkout line: the page says when to come back (Retry-After, seconds).
      await this.wait(Number(placed.headers['retry-after'] ?? 1) * 1000);
    }
  }

  private async appVisit(pages: number, searches: boolean, carts: boolean, buys: boolean): Promise<void> {
    const list = '/api/v1/products?limit=24';
    await this.call('read', { method: 'GET', path: list });
    const walked = await this.browse(pages, searches, {
      product: async (id) => {
        const reply = await this.call('read', { method: 'GET', path: `/api/v1/products/${id}` });
        if (reply?.status !== 200) return null;
        const p = JSON.parse(reply.text) as { variants?: Array<{ id: string }>; images?: Array<{ urls: { card: string } }> };
        return { variantId: p.variants?.[0]?.id, images: (p.images ?? []).map((im) => im.urls.card) };
      },
      listing: async (slug) => void (await this.call('read', { method: 'GET', path: slug ? `${list}&category=${slug}` : list })),
    });
    const variantId = walked?.variantId;
    if (!carts || variantId === undefined) return;
    // The app keeps its shopper signed in (a token from an earlier visit).
    const account = this.ctx.nextAccount();
    if (!(await this.think())) return;
    await this.call('cart', { method: 'PUT', path: `/api/v1/cart/lines/${variantId}`, json: { quantity: 1 } }, account.token);
    if (!buys || !(await this.think())) return;
    const id = await this.checkout(account.token, { shippingAddress: ADDRESS });
    if (id.orderId && (await this.think()))
      await this.call('account', { method: 'GET', path: `/api/v1/orders/${id.orderId}` }, account.token);
  }

  /** Suggestions as the shopper types: the first letters of a term, one request per pause in typing. */
  private async typeSearch(): Promise<void> {
    const term = this.pick(this.ctx.catalog.searchTerms);
    const strokes = Math.max(1, this.ctx.model.keystrokesPerSearch);
    for (let k = 1; k <= strokes; k++) {
      const prefix = term.slice(0, Math.max(2, Math.ceil((term.length * k) / strokes)));
      await this.call('search', { method: 'GET', path: `/api/v1/search?q=${encodeURIComponent(prefix)}&limit=5` });
      if (k < strokes && !(await this.think(0.3))) return;
    }
  }

  private async images(urls: readonly string[]): Promise<void> {
    const take = Math.min(urls.length, Math.round(this.ctx.model.imagesPerProductView));
    // A browser fetches a page's images together, all meant to start when the page arrived.
    const at = this.intended;
    await Promise.all(urls.slice(0, take).map((path) => this.call('read', { method: 'GET', path }, undefined, at)));
    this.intended = performance.now();
  }

  private async wait(ms: number): Promise<void> {
    this.intended = performance.now() + ms;
    await sleep(ms);
  }

  /**
   * A JSON checkout (the app's cart, or a flash sale's "buy now" with `lines`), sent again with the
   * same Idempotency-Key while the answer is a place in the checkout line. Returns the accepted
   * order's id (null when sold out, refused or failed) and the final answer's status (0: no answer).
   */
  async checkout(token: string, body: Record<string, unknown>): Promise<{ orderId: string | null; status: number }> {
    const key = randomUUID();
    let overloaded = 0;
    for (let attempt = 0; attempt < 200; attempt++) {
      const a = await this.call(
        'checkout',
        { method: 'POST', path: '/api/v1/checkout', json: body, headers: { 'idempotency-key': key } },
        token,
      );
      if (a?.status === 202) {
        const id = (JSON.parse(a.text) as { order: { id: string } }).order.id;
        this.ctx.accepted.push(id);
        return { orderId: id, status: 202 };
      }
      if (a?.status === 429 && errorCode(a) === 'ORDERS_CHECKOUT_QUEUED') {
        const details = (JSON.parse(a.text) as { error: { details?: { retryAfterMs?: number } } }).error.details;
        await this.wait(details?.retryAfterMs ?? 1000);
        continue;
      }
      // Refused for load (503 with Retry-After): the app tries again when told, a few times, as a
      // buyer pressing again would; the same key makes that safe.
      if (a?.status === 503 && a.headers['retry-after'] !== undefined && overloaded++ < MAX_OVERLOADED_RETRIES) {
        await this.wait(Math.min(10, Number(a.headers['retry-after']) || 1) * 1000);
        continue;
      }
      if (a === null && attempt < 3) continue; // a dropped connection: the same key again is safe
      return { orderId: null, status: a?.status ?? 0 };
    }
    return { orderId: null, status: 429 };
  }
}
