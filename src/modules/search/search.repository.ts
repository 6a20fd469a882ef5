import { sql, type Kysely, type RawBuilder } from 'kysely';

/** Queries over search_documents, the search module's own table. */
export type SearchDb = Kysely<unknown>;

export type DocumentInput = {
  product_id: string;
  shop_id: string;
  category_id: string | null;
  status: string;
  title: string;
  description: string;
  shop_slug: string;
  shop_name: string;
  category_name: string | null;
  price_min: number;
  currency: string;
  image: unknown;
  created_at: string;
  source_updated_at: string;
};

/** Longer descriptions add little to matching and a lot to every rank computation. */
const MAX_DESCRIPTION_CHARS = 4000;

/**
 * Upserts many documents in one statement. An older version of a product never overwrites a newer
 * one (events may be handled out of order), which also makes a replayed event a no-op.
 */
export function upsertDocuments(db: SearchDb, docs: readonly DocumentInput[]): Promise<unknown> {
  const rows = docs.map((d) => ({ ...d, description: d.description.slice(0, MAX_DESCRIPTION_CHARS) }));
  return sql`
    insert into search_documents as d (product_id, shop_id, category_id, status, title, shop_slug, shop_name, price_min, currency,
      image, created_at, source_updated_at, indexed_at, title_document, document)
    select x.product_id, x.shop_id, x.category_id, x.status, x.title, x.shop_slug, x.shop_name, x.price_min, x.currency,
      x.image, x.created_at, x.source_updated_at, now(),
      to_tsvector('english', x.title),
      setweight(to_tsvector('english', x.title), 'A')
        || setweight(to_tsvector('english', x.shop_name || ' ' || coalesce(x.category_name, '')), 'B')
        || setweight(to_tsvector('english', x.description), 'C')
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
      product_id uuid, shop_id uuid, category_id uuid, status text, title text, description text, shop_slug text, shop_name text,
      category_name text, price_min bigint, currency char(3), image jsonb, created_at timestamptz, source_updated_at timestamptz)
    on conflict (product_id) do update set
      shop_id = excluded.shop_id, category_id = excluded.category_id, status = excluded.status, title = excluded.title,
      shop_slug = excluded.shop_slug, shop_name = excluded.shop_name, price_min = excluded.price_min, currency = excluded.currency,
      image = excluded.image, created_at = excluded.created_at, source_updated_at = excluded.source_updated_at,
      indexed_at = excluded.indexed_at, title_document = excluded.title_document, document = excluded.document
    where d.source_updated_at <= excluded.source_updated_at`.execute(db);
}

export function deleteDocuments(db: SearchDb, productIds: readonly string[]): Promise<unknown> {
  return sql`delete from search_documents where product_id = any(${[...productIds]}::uuid[])`.execute(db);
}

export async function productIdsOfShop(db: SearchDb, shopId: string): Promise<string[]> {
  const { rows } = await sql<{ product_id: string }>`select product_id from search_documents where shop_id = ${shopId}`.execute(db);
  return rows.map((r) => r.product_id);
}

export type SearchRow = {
  product_id: string;
  title: string;
  shop_slug: string;
  shop_name: string;
  price_min: number;
  currency: string;
  image: unknown;
  title_hit: boolean;
  rank: number;
};

export type SearchParams = {
  tsquery: string;
  /** Continue after this row of the previous page. */
  after: { titleHit: boolean; rank: number; id: string } | null;
  limit: number;
  /** How many matches of each kind are ranked at most. */
  candidates: number;
  /** Only the title zone (the title candidates): enough when it fills the page. */
  titleOnly?: boolean;
};

/**
 * Ranked full-text search, built so that a common word (tens of thousands of matches) costs about
 * the same as a rare one: at most `candidates` title matches (the title zone, ranked first) and
 * `candidates` matches anywhere are taken from the GIN indexes, and only those are ranked, by
 * ts_rank over the weighted document (title A > shop/category B > description C), then id.
 * A match anywhere that is not among the title candidates ranks in the second zone even if its
 * title matches (only possible beyond `candidates` title matches); that keeps the title zone
 * exactly the title candidates, so a page served from it alone (`titleOnly`) is the same page.
 */
export function searchQuery(p: SearchParams): RawBuilder<SearchRow> {
  // The tsquery is written inline (not in a CTE) so the planner sees a constant and can estimate
  // how many rows each GIN lookup returns.
  const q = sql`to_tsquery('english'::regconfig, ${p.tsquery})`;
  const rank = sql`ts_rank(r.document, ${q})`;
  const keyset = p.after
    ? sql`where (not r.title_hit and ${p.after.titleHit})
          or (r.title_hit = ${p.after.titleHit} and (${rank} < ${p.after.rank}::real or (${rank} = ${p.after.rank}::real and r.product_id > ${p.after.id}::uuid)))`
    : sql``;
  const titleZone = sql`(select d.product_id, d.title, d.shop_slug, d.shop_name, d.price_min, d.currency, d.image, d.document, true as title_hit
      from search_documents d
      where d.status = 'published' and d.title_document @@ ${q} limit ${p.candidates})`;
  // A product in both sets is kept once, as a title candidate.
  const candidates = p.titleOnly
    ? titleZone
    : sql`(select distinct on (u.product_id) u.* from (
        ${titleZone}
        union all
        (select d.product_id, d.title, d.shop_slug, d.shop_name, d.price_min, d.currency, d.image, d.document, false as title_hit
          from search_documents d
          where d.status = 'published' and d.document @@ ${q} limit ${p.candidates})
      ) u
      order by u.product_id, u.title_hit desc)`;
  return sql<SearchRow>`
    select r.product_id, r.title, r.shop_slug, r.shop_name, r.price_min, r.currency, r.image, r.title_hit, ${rank} as rank
    from ${candidates} r
    ${keyset}
    order by r.title_hit desc, rank desc, r.product_id
    limit ${p.limit}`;
}

/**
 * One page of results. When the page lies inside the title zone, the title index alone answers
 * it (the common case for words people type: they are in titles); otherwise both sets are read.
 */
export async function search(db: SearchDb, p: SearchParams): Promise<SearchRow[]> {
  if (!p.after || p.after.titleHit) {
    const { rows } = await searchQuery({ ...p, titleOnly: true }).execute(db);
    if (rows.length >= p.limit) return rows;
  }
  return (await searchQuery({ ...p, titleOnly: false }).execute(db)).rows;
}

/** SQLSTATE query_canceled: what PostgreSQL answers when a statement runs past its statement_timeout. */
const QUERY_CANCELED = '57014';

/**
 * `search` under its own time budget, or `null` when PostgreSQL cancelled it for running past
 * `timeoutMs`. The budget is a `SET LOCAL statement_timeout` in a transaction, so it ends with the
 * transaction and never leaks into the pooled connection; the server stops the work itself (a
 * client-side timer would leave the query running). `null` rather than an error, so a read on a
 * replica is not retried on the primary only to time out again.
 */
export async function searchWithin(db: SearchDb, p: SearchParams, timeoutMs: number): Promise<SearchRow[] | null> {
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`select set_config('statement_timeout', ${String(timeoutMs)}, true)`.execute(trx);
      return search(trx, p);
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === QUERY_CANCELED) return null;
    throw err;
  }
}

/**
 * The simpler query search falls back to: published products whose title matches, at most
 * `candidates` of them taken straight from the title index, ordered by title. No rank (ts_rank
 * over the weighted documents is the expensive part), no description or shop-name matches, no
 * later pages. Runs under the pool's ordinary statement timeout.
 */
export async function titleMatches(db: SearchDb, p: { tsquery: string; limit: number; candidates: number }): Promise<SearchRow[]> {
  const { rows } = await sql<SearchRow>`
    select r.* from (
      select d.product_id, d.title, d.shop_slug, d.shop_name, d.price_min, d.currency, d.image, true as title_hit, 0::real as rank
      from search_documents d
      where d.status = 'published' and d.title_document @@ to_tsquery('english'::regconfig, ${p.tsquery})
      limit ${p.candidates}
    ) r
    order by r.title, r.product_id
    limit ${p.limit}`.execute(db);
  return rows;
}
