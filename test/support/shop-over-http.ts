import { randomUUID } from 'node:crypto';
import http from 'node:http';

/**
 * A shop driven over real HTTP, for tests that run Atelier as processes (rolling restarts, killed
 * nodes): a seller, a product in stock and customers made through the public API, and a load of
 * shoppers that records every answer. Plain `http.request`: the tests choose per request whether
 * it rides a keep-alive connection (an `http.Agent`) or a fresh one (`agent: false`), which is
 * what a draining node treats differently.
 */
export type Answer = Readonly<{ status: number; headers: http.IncomingHttpHeaders; body: unknown }>;

export type Call = Readonly<{
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** A keep-alive agent, or false for a new connection that closes after the answer. */
  agent: http.Agent | false;
  timeoutMs?: number;
}>;

/** One request; rejects on a connection error (reset, refused, timeout), resolves with any HTTP status. */
export function call(base: string, path: string, opts: Call): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      `${base}${path}`,
      {
        method: opts.method ?? 'GET',
        agent: opts.agent,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        timeout: opts.timeoutMs ?? 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('error', reject);
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${opts.method ?? 'GET'} ${path}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export const ADDRESS = { name: 'Ada Maker', line1: '1 Loom Lane', city: 'Lyon', postalCode: '69001', country: 'FR' } as const;

export type Customer = Readonly<{ id: string; auth: { authorization: string } }>;

async function expectStatus(what: string, status: number, a: Promise<Answer>): Promise<Answer> {
  const got = await a;
  if (got.status !== status) throw new Error(`${what}: expected ${status}, got ${got.status} ${JSON.stringify(got.body)}`);
  return got;
}

/** Sign-up never signs in (it answers 202 either way, revealing nothing): a sign-up, then a log-in. */
export async function signUp(base: string, role: 'seller' | 'customer'): Promise<Customer> {
  const credentials = { email: `${role}-${randomUUID()}@example.test`, password: 'correct horse battery' };
  await expectStatus(
    `sign-up (${role})`,
    202,
    call(base, '/api/v1/auth/signup', { method: 'POST', agent: false, body: { ...credentials, name: `A ${role}`, role } }),
  );
  const a = await expectStatus(
    `log-in (${role})`,
    200,
    call(base, '/api/v1/auth/login', { method: 'POST', agent: false, body: credentials }),
  );
  const body = a.body as { account: { id: string }; token: string };
  return { id: body.account.id, auth: { authorization: `Bearer ${body.token}` } };
}

/**
 * A seller's shop with one published product of `variants` variants, each with `stock` units, and
 * `customers` customers (signed up a few at a time: argon2 is slow on purpose).
 */
export async function openShop(
  base: string,
  opts: { variants: number; stock: number; customers: number },
): Promise<{ productId: string; title: string; variantIds: string[]; customers: Customer[] }> {
  const seller = await signUp(base, 'seller');
  const slug = `shop-${randomUUID().slice(0, 8)}`;
  await expectStatus(
    'open shop',
    201,
    call(base, '/api/v1/shops', { method: 'POST', agent: false, headers: seller.auth, body: { slug, name: slug } }),
  );
  const product = await expectStatus(
    'list product',
    201,
    call(base, '/api/v1/products', {
      method: 'POST',
      agent: false,
      headers: seller.auth,
      body: {
        title: `Bowl ${slug}`,
        description: 'Thrown by hand',
        status: 'published',
        variants: Array.from({ length: opts.variants }, (_, i) => ({ options: { size: `S${i}` }, price: 1200 + i * 100 })),
      },
    }),
  );
  const { id: productId, variants } = product.body as { id: string; variants: Array<{ id: string }> };
  const variantIds = variants.map((v) => v.id);
  for (const variantId of variantIds) {
    await expectStatus(
      'restock',
      200,
      call(base, `/api/v1/inventory/variants/${variantId}/restock`, {
        method: 'POST',
        agent: false,
        headers: seller.auth,
        body: { quantity: opts.stock },
      }),
    );
  }
  const customers: Customer[] = [];
  while (customers.length < opts.customers) {
    const batch = Math.min(4, opts.customers - customers.length);
    customers.push(...(await Promise.all(Array.from({ length: batch }, () => signUp(base, 'customer')))));
  }
  return { productId, title: `Bowl ${slug}`, variantIds, customers };
}

/** What a load run saw: answers by kind and status, and each failure in words. */
export type LoadTally = {
  requests: number;
  byKind: Record<string, number>;
  failures: string[];
  /** Idempotency-Key -> the order id its 202 named (after retries, if any). */
  accepted: Map<string, string>;
  /** Checkouts whose first attempt failed on the connection and were retried with the same key. */
  retried: number;
  /** Time of each answer (ms since the epoch), to count those within a window. */
  answeredAt: number[];
};

export type ShopperLoad = Readonly<{
  base: string;
  productId: string;
  variantIds: readonly string[];
  customers: readonly Customer[];
  /** Keep-alive readers; fresh-connection readers; shoppers (cart + checkout, keep-alive). */
  readers: number;
  freshReaders: number;
  /**
   * Retry a checkout that failed on the connection, with the same Idempotency-Key, up to this many
   * times (0: a connection error is a failure). A reset POST may or may not have been processed:
   * the key is what makes a retry safe.
   */
  checkoutRetries: number;
  /** Ends the load (checked between requests). */
  done(): boolean;
}>;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Continuous traffic until `done()`: readers fetch the product page and /health on keep-alive
 * connections, fresh readers do the same on a new connection each, and each customer loops
 * "put one unit in the cart, check out with a new Idempotency-Key". Any answer other than the
 * expected one, and any connection error not retried, is a failure.
 */
export async function runShopperLoad(load: ShopperLoad): Promise<LoadTally> {
  const tally: LoadTally = { requests: 0, byKind: {}, failures: [], accepted: new Map(), retried: 0, answeredAt: [] };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const note = (kind: string, a: Answer | Error, expected: number) => {
    tally.requests++;
    tally.answeredAt.push(Date.now());
    const key = a instanceof Error ? `${kind} ${(a as NodeJS.ErrnoException).code ?? a.message}` : `${kind} ${a.status}`;
    tally.byKind[key] = (tally.byKind[key] ?? 0) + 1;
    if (a instanceof Error || a.status !== expected) {
      tally.failures.push(a instanceof Error ? `${kind}: ${a.message}` : `${kind}: ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
    }
  };
  const attempt = async (kind: string, path: string, opts: Call, expected: number) => {
    try {
      const a = await call(load.base, path, opts);
      note(kind, a, expected);
      return a;
    } catch (err) {
      note(kind, err as Error, expected);
      return null;
    }
  };

  const reader = async (fresh: boolean) => {
    const kind = fresh ? 'GET (new connection)' : 'GET (keep-alive)';
    for (let i = 0; !load.done(); i++) {
      const path = i % 2 === 0 ? `/api/v1/products/${load.productId}` : '/health';
      await attempt(kind, path, { agent: fresh ? false : agent }, 200);
    }
  };

  const shopper = async (customer: Customer, slot: number) => {
    for (let i = 0; !load.done(); i++) {
      const variantId = load.variantIds[(slot + i) % load.variantIds.length]!;
      const put = await attempt(
        'PUT cart line',
        `/api/v1/cart/lines/${variantId}`,
        { method: 'PUT', agent, headers: customer.auth, body: { quantity: 1 } },
        200,
      );
      if (!put || put.status !== 200) {
        await pause(50);
        continue;
      }
      const key = randomUUID();
      const opts: Call = {
        method: 'POST',
        agent,
        headers: { ...customer.auth, 'idempotency-key': key },
        body: { shippingAddress: ADDRESS },
      };
      for (let tries = 0; ; tries++) {
        let a: Answer;
        try {
          a = await call(load.base, '/api/v1/checkout', opts);
        } catch (err) {
          if (tries < load.checkoutRetries) {
            tally.retried++;
            tally.byKind['POST checkout (retried after a connection error)'] =
              (tally.byKind['POST checkout (retried after a connection error)'] ?? 0) + 1;
            await pause(200);
            continue;
          }
          note('POST checkout', err as Error, 202);
          break;
        }
        note('POST checkout', a, 202);
        if (a.status === 202) tally.accepted.set(key, (a.body as { order: { id: string } }).order.id);
        break;
      }
    }
  };

  await Promise.all([
    ...Array.from({ length: load.readers }, () => reader(false)),
    ...Array.from({ length: load.freshReaders }, () => reader(true)),
    ...load.customers.map((c, i) => shopper(c, i)),
  ]);
  agent.destroy();
  return tally;
}

/** Answers given between two instants. */
export function answeredBetween(tally: LoadTally, from: number, to: number): number {
  return tally.answeredAt.filter((t) => t >= from && t <= to).length;
}
