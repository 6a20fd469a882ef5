import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { startAtelier } from '../bench/children.ts';
import { errorCode, type Reply, type Target } from './http.ts';
import type { Account, Catalog } from './shopper.ts';

/**
 * What a run needs before its first shopper arrives, made the way people make it: the catalog
 * (seeded once by `atelier seed` into the lab's data folder and reused), customers with accounts
 * (signed up once, their tokens kept beside the data), and for each run a seller's new product, the
 * one the TV shows: its page draws the featured share of views and its stock is the flash sale's.
 * Everything but the seeding goes through the public API, so it works against `--url` too.
 */
const PASSWORD = 'lab horse battery staple';

/**
 * Seeds the catalog up to `products` if it has fewer (drafts and held products count: the seeder
 * makes some, as sellers do); later runs reuse it. Returns the published count.
 */
export async function ensureCatalog(
  catalogUrl: string,
  env: NodeJS.ProcessEnv,
  products: number,
  log: (s: string) => void,
): Promise<number> {
  const pool = new pg.Pool({ connectionString: catalogUrl, max: 1 });
  const count = async () => {
    try {
      const { rows } = await pool.query<{ total: number; published: number }>(
        `select count(*)::int as total, (count(*) filter (where status = 'published'))::int as published from catalog_products`,
      );
      return rows[0]!;
    } catch (err) {
      if ((err as { code?: string }).code === '42P01') return { total: 0, published: 0 }; // no tables yet: nothing seeded
      throw err;
    }
  };
  try {
    const have = await count();
    if (have.total >= products) return have.published;
    log(`  catalog: ${have.total} products, seeding ${products - have.total} more (once; later runs reuse them)...`);
    const seed = startAtelier('seed', ['seed', '--products', String(products - have.total)], env);
    const code = await seed.exited;
    if (code !== 0) throw new Error(`atelier seed exited with ${code}:\n${seed.tail()}`);
    return (await count()).published;
  } finally {
    await pool.end();
  }
}

async function json(target: Target, what: string, want: number, send: () => Promise<Reply>): Promise<Record<string, unknown>> {
  let reply = await send();
  // A freshly started server may shed for a moment (its warm-up), or a limit may ask to wait.
  for (let i = 0; i < 60 && (reply.status === 503 || reply.status === 429); i++) {
    await new Promise((r) => setTimeout(r, 500));
    reply = await send();
  }
  if (reply.status !== want)
    throw new Error(`${what}: expected ${want}, got ${reply.status} ${errorCode(reply) ?? reply.text.slice(0, 200)}`);
  return reply.text ? (JSON.parse(reply.text) as Record<string, unknown>) : {};
}

/** Ids of up to `limit` published products, the category slugs and words shoppers would type. */
export async function sampleCatalog(target: Target, limit: number, featuredId: string): Promise<Catalog> {
  const productIds: string[] = [];
  const titles: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await json(target, 'product list', 200, () =>
      target.send({ method: 'GET', path: `/api/v1/products?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}` }),
    );
    for (const item of page.items as Array<{ id: string; title: string }>) {
      productIds.push(item.id);
      if (titles.length < 3000) titles.push(item.title);
    }
    cursor = page.nextCursor as string | null;
  } while (cursor && productIds.length < limit);
  const tree = await json(target, 'categories', 200, () => target.send({ method: 'GET', path: '/api/v1/categories' }));
  const slugs: string[] = [];
  const walk = (nodes: Array<{ slug: string; children: unknown[] }>) => {
    for (const n of nodes) {
      slugs.push(n.slug);
      walk(n.children as typeof nodes);
    }
  };
  walk(tree.categories as Array<{ slug: string; children: unknown[] }>);
  return { productIds: productIds.filter((id) => id !== featuredId), featuredId, categorySlugs: slugs, searchTerms: searchTerms(titles) };
}

/** The frequent words of the titles (four letters or more), most frequent first. */
export function searchTerms(titles: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of titles) for (const w of t.toLowerCase().match(/\p{L}{4,}/gu) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  const words = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([w]) => w);
  return words.length > 0 ? words.slice(0, 40) : ['bowl', 'vase', 'ceramic'];
}

const client = (i: number) => ({ 'x-forwarded-for': `10.250.${(i >> 8) & 255}.${i & 255}` });

async function signUp(target: Target, role: 'customer' | 'seller', i: number): Promise<Account> {
  const email = `lab-${role}-${randomUUID().slice(0, 13)}@lab.test`;
  await json(target, `sign-up (${role})`, 202, () =>
    target.send({
      method: 'POST',
      path: '/api/v1/auth/signup',
      headers: client(i),
      json: { email, password: PASSWORD, name: `Lab ${role} ${i}`, role },
    }),
  );
  return logIn(target, { email, password: PASSWORD }, i);
}

async function logIn(target: Target, who: { email: string; password: string }, i: number): Promise<Account> {
  const body = await json(target, 'log-in', 200, () =>
    target.send({ method: 'POST', path: '/api/v1/auth/login', headers: client(i), json: who }),
  );
  return { ...who, token: String(body.token) };
}

/**
 * `n` customers, each signed in once. With a data folder they are kept in `lab-accounts.json` and
 * reused while their token still works (sign-up and log-in hash passwords: seconds per hundred).
 */
export async function customers(target: Target, n: number, dataDir: string | null, log: (s: string) => void): Promise<Account[]> {
  const file = dataDir ? path.join(dataDir, 'lab-accounts.json') : null;
  let kept: Account[] = [];
  if (file) {
    try {
      kept = JSON.parse(await readFile(file, 'utf8')) as Account[];
    } catch {
      kept = [];
    }
    if (kept.length > 0) {
      const me = await target.send({ method: 'GET', path: '/api/v1/auth/me', headers: { authorization: `Bearer ${kept[0]!.token}` } });
      if (me.status !== 200) kept = [];
    }
  }
  if (kept.length < n) {
    const started = Date.now();
    const fresh: Account[] = [];
    for (let i = kept.length; i < n; i += 8) {
      const batch = Array.from({ length: Math.min(8, n - i) }, (_, k) => signUp(target, 'customer', i + k));
      fresh.push(...(await Promise.all(batch)));
    }
    kept = [...kept, ...fresh];
    log(`  customers: ${fresh.length} signed up in ${((Date.now() - started) / 1000).toFixed(1)} s (password hashing; once)`);
    if (file) await writeFile(file, JSON.stringify(kept));
  }
  return kept.slice(0, n);
}

/** A seller's new product, published with `units` in stock: the one on TV, and the flash sale's. */
export async function featuredProduct(target: Target, units: number): Promise<{ productId: string; variantId: string }> {
  const seller = await signUp(target, 'seller', 4000);
  const auth = { authorization: `Bearer ${seller.token}`, ...client(4000) };
  const slug = `tv-${Date.now().toString(36)}`;
  await json(target, 'shop', 201, () =>
    target.send({ method: 'POST', path: '/api/v1/shops', headers: auth, json: { slug, name: `The TV shop ${slug}` } }),
  );
  const product = await json(target, 'product', 201, () =>
    target.send({
      method: 'POST',
      path: '/api/v1/products',
      headers: auth,
      json: {
        title: 'Hand-thrown teapot as seen on TV',
        description: 'The teapot from the evening show, thrown by hand in small batches.',
        status: 'published',
        variants: [{ options: { glaze: 'celadon' }, price: 4800 }],
      },
    }),
  );
  const variantId = (product.variants as Array<{ id: string }>)[0]!.id;
  await json(target, 'restock', 200, () =>
    target.send({ method: 'POST', path: `/api/v1/inventory/variants/${variantId}/restock`, headers: auth, json: { quantity: units } }),
  );
  return { productId: String(product.id), variantId };
}
