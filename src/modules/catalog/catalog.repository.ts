import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import type { ProductSort } from './catalog.cursor.ts';

/**
 * The catalog's queries. Each takes the database or the current transaction first, so the service
 * decides what runs together. Reads that feed a page are single statements: a product with its
 * shop, category and variants is one query (variants folded in with json_agg), so a cache miss
 * costs one round trip.
 */
export type CatalogDb = Kysely<unknown>;
/** A pg pool (or client), for the one statement that runs prepared. */
export type Queryable = Pick<pg.Pool, 'query'>;

/** Test-visible counters: how many product detail queries reached the database. */
export const repositoryStats = { productDetailQueries: 0 };

export type CategoryRow = { id: string; slug: string; name: string; parent_id: string | null };
export type ShopStatusValue = 'pending' | 'active' | 'suspended';
export type ShopRow = {
  id: string;
  slug: string;
  name: string;
  description: string;
  owner_id: string;
  currency: string;
  created_at: Date;
  status: ShopStatusValue;
  status_reason: string | null;
  status_changed_at: Date | null;
  story: string;
  shipping_policy: string;
  returns_policy: string;
  logo: ImageJson | null;
  banner: ImageJson | null;
};
/** What a seller may write about their shop (an edit sets only the fields it names). */
export type ShopText = { name?: string; description?: string; story?: string; shipping_policy?: string; returns_policy?: string };
export type ImageJson = { id: string; alt: string; urls: { thumb: string; card: string; full: string } };
export type VariantJson = { id: string; sku: string; options: Record<string, string>; price: number; position: number };
/** A product as read: the stored columns plus what the read joins in from shops, categories, variants. */
export type ProductRow = NewProductRow & {
  created_at: Date;
  updated_at: Date;
  shop_slug: string;
  shop_name: string;
  category_name: string | null;
  /** The shop's status: a product is public only while it is published and its shop active. */
  shop_status: ShopStatusValue;
  /** Set while an operator holds the product unpublished: the reason its seller reads. */
  moderation_note: string | null;
  variants: VariantJson[];
  /** created_at as PostgreSQL prints it (microseconds), for keyset cursors. */
  created_key: string;
};
export type ProductListRow = {
  id: string;
  title: string;
  shop_slug: string;
  shop_name: string;
  category_id: string | null;
  price_min: number;
  currency: string;
  image: ImageJson | null;
  created_at: Date;
  created_key: string;
};

const rows = async <T>(db: CatalogDb, q: RawBuilder<T>): Promise<T[]> => (await q.execute(db)).rows;
const first = async <T>(db: CatalogDb, q: RawBuilder<T>): Promise<T | null> => (await q.execute(db)).rows[0] ?? null;

/** The detail projection: product, shop name/slug, category name and ordered variants in one row. */
const PRODUCT_SELECT = `
  select p.id, p.shop_id, p.owner_id, p.title, p.description, p.category_id, p.status, p.price_min, p.currency,
    p.images, p.created_at, p.updated_at, p.created_at::text as created_key,
    s.slug as shop_slug, s.name as shop_name, s.status as shop_status, p.moderation_note, c.name as category_name,
    coalesce((
      select json_agg(json_build_object('id', v.id, 'sku', v.sku, 'options', v.options, 'price', v.price, 'position', v.position)
                      order by v.position, v.id)
      from catalog_variants v where v.product_id = p.id
    ), '[]'::json) as variants
  from catalog_products p
  join catalog_shops s on s.id = p.shop_id
  left join catalog_categories c on c.id = p.category_id`;
const PRODUCT_COLUMNS_FROM = sql.raw(PRODUCT_SELECT);

/**
 * The product detail statement, prepared once per connection (a named statement): it is the
 * query behind every product-page cache miss, and with the cache off it runs per request, so
 * skipping parse and plan each time is worth the bypass of the query builder.
 */
const PRODUCT_BY_ID = { name: 'catalog_product_by_id', text: `${PRODUCT_SELECT} where p.id = $1` };

// ---- categories

export function insertCategory(db: CatalogDb, c: CategoryRow): Promise<unknown> {
  return sql`insert into catalog_categories (id, slug, name, parent_id) values (${c.id}, ${c.slug}, ${c.name}, ${c.parent_id})`.execute(db);
}

export function listCategories(db: CatalogDb): Promise<CategoryRow[]> {
  return rows(db, sql<CategoryRow>`select id, slug, name, parent_id from catalog_categories order by name, id`);
}

export async function categoryExists(db: CatalogDb, id: string): Promise<boolean> {
  return (await first(db, sql<{ one: number }>`select 1 as one from catalog_categories where id = ${id}`)) !== null;
}

// ---- shops

const SHOP_COLUMNS = sql`id, slug, name, description, owner_id, currency, created_at, status, status_reason, status_changed_at,
  story, shipping_policy, returns_policy, logo, banner`;

export type NewShopRow = Required<ShopText> & { id: string; slug: string; owner_id: string; currency: string; status: ShopStatusValue };

export function insertShop(db: CatalogDb, s: NewShopRow): Promise<ShopRow | null> {
  return first(
    db,
    sql<ShopRow>`insert into catalog_shops (id, slug, name, description, owner_id, currency, status, story, shipping_policy, returns_policy)
      values (${s.id}, ${s.slug}, ${s.name}, ${s.description}, ${s.owner_id}, ${s.currency}, ${s.status}, ${s.story},
        ${s.shipping_policy}, ${s.returns_policy})
      returning ${SHOP_COLUMNS}`,
  );
}

export function shopBySlug(db: CatalogDb, slug: string, opts: { forUpdate?: boolean } = {}): Promise<ShopRow | null> {
  return first(
    db,
    sql<ShopRow>`select ${SHOP_COLUMNS} from catalog_shops where slug = ${slug} ${opts.forUpdate ? sql`for update` : sql``}`,
  );
}

export function shopByOwner(db: CatalogDb, ownerId: string): Promise<ShopRow | null> {
  return first(db, sql<ShopRow>`select ${SHOP_COLUMNS} from catalog_shops where owner_id = ${ownerId}`);
}

export function shopById(db: CatalogDb, id: string, opts: { forUpdate?: boolean } = {}): Promise<ShopRow | null> {
  return first(db, sql<ShopRow>`select ${SHOP_COLUMNS} from catalog_shops where id = ${id} ${opts.forUpdate ? sql`for update` : sql``}`);
}

export function updateShop(db: CatalogDb, id: string, patch: ShopText): Promise<ShopRow | null> {
  return first(
    db,
    sql<ShopRow>`update catalog_shops set
        name = coalesce(${patch.name ?? null}, name),
        description = coalesce(${patch.description ?? null}, description),
        story = coalesce(${patch.story ?? null}, story),
        shipping_policy = coalesce(${patch.shipping_policy ?? null}, shipping_policy),
        returns_policy = coalesce(${patch.returns_policy ?? null}, returns_policy),
        updated_at = now()
      where id = ${id} returning ${SHOP_COLUMNS}`,
  );
}

export function setShopImage(db: CatalogDb, id: string, slot: 'logo' | 'banner', image: ImageJson): Promise<unknown> {
  const json = JSON.stringify(image);
  return (
    slot === 'logo'
      ? sql`update catalog_shops set logo = ${json}::jsonb, updated_at = now() where id = ${id}`
      : sql`update catalog_shops set banner = ${json}::jsonb, updated_at = now() where id = ${id}`
  ).execute(db);
}

/**
 * An operator's decision on a shop, and its copy on every product of the shop (shop_active); the
 * caller holds the shop row's lock (shopById forUpdate) and checked the move.
 */
export async function setShopStatus(db: CatalogDb, id: string, status: ShopStatusValue, reason: string | null): Promise<ShopRow | null> {
  const row = await first(
    db,
    sql<ShopRow>`update catalog_shops set status = ${status}, status_reason = ${reason}, status_changed_at = now(), updated_at = now()
      where id = ${id} returning ${SHOP_COLUMNS}`,
  );
  await sql`update catalog_products set shop_active = ${status === 'active'}
    where shop_id = ${id} and shop_active <> ${status === 'active'}`.execute(db);
  return row;
}

/**
 * The shop's status, read under a share lock until the transaction ends: a product made now gets
 * the right shop_active, because an operator's status change (which locks the row for update)
 * either waits for this transaction or has committed before the read.
 */
export async function lockShopStatus(db: CatalogDb, id: string): Promise<ShopStatusValue | null> {
  const row = await first(db, sql<{ status: ShopStatusValue }>`select status from catalog_shops where id = ${id} for share`);
  return row?.status ?? null;
}

export type ShopFilter = {
  /** Matched against the name (anywhere, any case) and the slug (its start). */
  q: string | null;
  status: ShopStatusValue | null;
  after: { k: string; id: string } | null;
  limit: number;
};

/** `%`, `_` and `\` in what a person typed match themselves, not any text. */
export const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Shops for the console, newest first, a keyset page (catalog_shops_newest / catalog_shops_status_newest). */
export function listShops(db: CatalogDb, f: ShopFilter): Promise<Array<ShopRow & { created_key: string }>> {
  const where = [sql`true`];
  if (f.status !== null) where.push(sql`status = ${f.status}`);
  if (f.q !== null) {
    const q = likeEscaped(f.q);
    where.push(sql`(name ilike ${`%${q}%`} or slug like ${`${q.toLowerCase()}%`})`);
  }
  if (f.after) where.push(sql`(created_at, id) < (${f.after.k}::timestamptz, ${f.after.id}::uuid)`);
  return rows(
    db,
    sql<ShopRow & { created_key: string }>`select ${SHOP_COLUMNS}, created_at::text as created_key from catalog_shops
      where ${sql.join(where, sql` and `)} order by created_at desc, id desc limit ${f.limit}`,
  );
}

/** How many products a shop has, by what its seller and the operator made of them. */
export async function shopProductCounts(db: CatalogDb, shopId: string): Promise<{ published: number; draft: number; held: number }> {
  const row = await first(
    db,
    sql<{ published: string; draft: string; held: string }>`select
        count(*) filter (where status = 'published') as published,
        count(*) filter (where status = 'draft' and moderation_note is null) as draft,
        count(*) filter (where moderation_note is not null) as held
      from catalog_products where shop_id = ${shopId}`,
  );
  return { published: Number(row?.published ?? 0), draft: Number(row?.draft ?? 0), held: Number(row?.held ?? 0) };
}

// ---- products

export type NewProductRow = {
  id: string;
  shop_id: string;
  owner_id: string;
  title: string;
  description: string;
  category_id: string | null;
  status: 'draft' | 'published';
  price_min: number;
  currency: string;
  images: ImageJson[];
  /** Whether the shop is active when the product is made: read under the shop row's lock (lockShopStatus). */
  shop_active: boolean;
};
export type NewVariantRow = {
  id: string;
  product_id: string;
  sku: string;
  options: Record<string, string>;
  price: number;
  position: number;
};

/** Multi-row insert through one jsonb parameter: no parameter-count limit, one round trip per batch. */
export function insertProducts(db: CatalogDb, products: readonly NewProductRow[]): Promise<unknown> {
  return sql`insert into catalog_products (id, shop_id, owner_id, title, description, category_id, status, price_min, currency, images,
      shop_active)
    select x.id, x.shop_id, x.owner_id, x.title, x.description, x.category_id, x.status, x.price_min, x.currency, x.images,
      x.shop_active
    from jsonb_to_recordset(${JSON.stringify(products)}::jsonb) as x(
      id uuid, shop_id uuid, owner_id uuid, title text, description text, category_id uuid, status text,
      price_min bigint, currency char(3), images jsonb, shop_active boolean)`.execute(db);
}

export function insertVariants(db: CatalogDb, variants: readonly NewVariantRow[]): Promise<unknown> {
  return sql`insert into catalog_variants (id, product_id, sku, options, price, position)
    select x.id, x.product_id, x.sku, x.options, x.price, x.position
    from jsonb_to_recordset(${JSON.stringify(variants)}::jsonb) as x(
      id uuid, product_id uuid, sku text, options jsonb, price bigint, position int)`.execute(db);
}

export type ProductHead = { id: string; shop_id: string; owner_id: string; status: 'draft' | 'published'; moderation_note: string | null };

/** Locks the product row: every write to a product or its variants serialises on it (price_min stays right). */
export function lockProduct(db: CatalogDb, id: string): Promise<ProductHead | null> {
  return first(
    db,
    sql<ProductHead>`select id, shop_id, owner_id, status, moderation_note from catalog_products where id = ${id} for update`,
  );
}

/** An operator's hold (note set: unpublished, the seller may not publish) or its release (note null). */
export function setProductHold(db: CatalogDb, id: string, note: string | null): Promise<unknown> {
  return sql`update catalog_products set
      moderation_note = ${note},
      moderated_at = now(),
      status = case when ${note}::text is null then status else 'draft' end,
      updated_at = now()
    where id = ${id}`.execute(db);
}

export function productHead(db: CatalogDb, id: string): Promise<ProductHead | null> {
  return first(db, sql<ProductHead>`select id, shop_id, owner_id, status, moderation_note from catalog_products where id = ${id}`);
}

export function updateProduct(
  db: CatalogDb,
  id: string,
  patch: { title?: string; description?: string; categoryId?: string | null; status?: 'draft' | 'published' },
): Promise<unknown> {
  const sets = [sql`updated_at = now()`];
  if (patch.title !== undefined) sets.push(sql`title = ${patch.title}`);
  if (patch.description !== undefined) sets.push(sql`description = ${patch.description}`);
  if (patch.categoryId !== undefined) sets.push(sql`category_id = ${patch.categoryId}`);
  if (patch.status !== undefined) sets.push(sql`status = ${patch.status}`);
  return sql`update catalog_products set ${sql.join(sets)} where id = ${id}`.execute(db);
}

/** Recomputes the denormalised lowest price; call inside the transaction that changed a variant. */
export function refreshPriceMin(db: CatalogDb, productId: string): Promise<unknown> {
  return sql`update catalog_products set price_min = (select min(price) from catalog_variants where product_id = ${productId}),
      updated_at = now() where id = ${productId}`.execute(db);
}

export function setImages(db: CatalogDb, productId: string, images: readonly ImageJson[]): Promise<{ shop_id: string } | null> {
  return first(
    db,
    sql<{ shop_id: string }>`update catalog_products set images = ${JSON.stringify(images)}::jsonb, updated_at = now()
      where id = ${productId} returning shop_id`,
  );
}

/** One product with everything a detail page shows: exactly one query. */
export async function productById(pool: Queryable, id: string): Promise<ProductRow | null> {
  repositoryStats.productDetailQueries++;
  const { rows } = await pool.query<ProductRow>({ ...PRODUCT_BY_ID, values: [id] });
  return rows[0] ?? null;
}

export function productsByIds(db: CatalogDb, ids: readonly string[]): Promise<ProductRow[]> {
  return rows(db, sql<ProductRow>`${PRODUCT_COLUMNS_FROM} where p.id = any(${[...ids]}::uuid[])`);
}

export function productIdsAfter(db: CatalogDb, afterId: string | null, limit: number): Promise<string[]> {
  return rows(
    db,
    sql<{ id: string }>`select id from catalog_products ${afterId ? sql`where id > ${afterId}` : sql``} order by id limit ${limit}`,
  ).then((r) => r.map((x) => x.id));
}

/**
 * Published products with their last change, in id order, `limit` from `offset`: a page of the
 * sitemap. Offset rather than keyset because a sitemap file is named by its number; the walk is
 * over the primary key and the pages are cached by the caller, so the cost is paid rarely.
 */
export function publishedProductsByOffset(db: CatalogDb, offset: number, limit: number): Promise<Array<{ id: string; updated_at: Date }>> {
  return rows(
    db,
    sql<{
      id: string;
      updated_at: Date;
    }>`select id, updated_at from catalog_products where status = 'published' and shop_active order by id offset ${offset} limit ${limit}`,
  );
}

export async function countPublishedProducts(db: CatalogDb): Promise<number> {
  const row = await first(db, sql<{ n: string }>`select count(*) as n from catalog_products where status = 'published' and shop_active`);
  return Number(row?.n ?? 0);
}

/** Shops' slugs and last change, by slug: the sitemap's list of shops. */
export function shopSlugs(db: CatalogDb, limit: number): Promise<Array<{ slug: string; updated_at: Date }>> {
  return rows(
    db,
    sql<{
      slug: string;
      updated_at: Date;
    }>`select slug, updated_at from catalog_shops where status = 'active' order by slug limit ${limit}`,
  );
}

/** What a seller's product list can be narrowed to: `unpublished` is a draft the operator holds. */
export type SellerProductFilter = { q: string | null; status: 'draft' | 'published' | 'unpublished' | null };

/** A seller's own products, drafts included, newest first (catalog_products_owner), optionally searched by title and status. */
export function productsByOwner(
  db: CatalogDb,
  ownerId: string,
  after: { k: string; id: string } | null,
  limit: number,
  filter: SellerProductFilter = { q: null, status: null },
): Promise<ProductRow[]> {
  const where = [sql`p.owner_id = ${ownerId}`];
  if (after) where.push(sql`(p.created_at, p.id) < (${after.k}::timestamptz, ${after.id}::uuid)`);
  if (filter.q !== null) where.push(sql`p.title ilike ${`%${likeEscaped(filter.q)}%`}`);
  if (filter.status === 'published') where.push(sql`p.status = 'published'`);
  if (filter.status === 'draft') where.push(sql`p.status = 'draft' and p.moderation_note is null`);
  if (filter.status === 'unpublished') where.push(sql`p.moderation_note is not null`);
  return rows(
    db,
    sql<ProductRow>`${PRODUCT_COLUMNS_FROM}
      where ${sql.join(where, sql` and `)}
      order by p.created_at desc, p.id desc limit ${limit}`,
  );
}

export type ListFilter = {
  sort: ProductSort;
  categoryIds: readonly string[] | null;
  shopSlug: string | null;
  shopId: string | null;
  minPrice: number | null;
  maxPrice: number | null;
  /** Price filters compare amounts, so they only make sense in one currency. */
  priceCurrency: string;
  after: { k: string | number; id: string } | null;
  limit: number;
};

/** Published products for public lists: one keyset page, served by the index of its sort order. */
export function listPublished(db: CatalogDb, f: ListFilter): Promise<ProductListRow[]> {
  return rows(db, listPublishedQuery(f));
}

/** The statement behind listPublished, exposed so a test can EXPLAIN exactly what runs. */
export function listPublishedQuery(f: ListFilter): RawBuilder<ProductListRow> {
  // A product is public while it is published and its shop is active (not pending, not suspended):
  // the partial index of each sort order covers exactly these rows (catalog.migrations.ts 0002).
  const where = [sql`p.status = 'published'`, sql`p.shop_active`];
  if (f.categoryIds) where.push(sql`p.category_id = any(${[...f.categoryIds]}::uuid[])`);
  if (f.shopSlug !== null) where.push(sql`s.slug = ${f.shopSlug}`);
  if (f.shopId !== null) where.push(sql`p.shop_id = ${f.shopId}`);
  if (f.minPrice !== null || f.maxPrice !== null) where.push(sql`p.currency = ${f.priceCurrency}`);
  if (f.minPrice !== null) where.push(sql`p.price_min >= ${f.minPrice}`);
  if (f.maxPrice !== null) where.push(sql`p.price_min <= ${f.maxPrice}`);
  let order: RawBuilder<unknown>;
  switch (f.sort) {
    case 'newest':
      if (f.after) where.push(sql`(p.created_at, p.id) < (${f.after.k}::timestamptz, ${f.after.id}::uuid)`);
      order = sql`p.created_at desc, p.id desc`;
      break;
    case 'price_asc':
      if (f.after) where.push(sql`(p.price_min, p.id) > (${f.after.k}::int8, ${f.after.id}::uuid)`);
      order = sql`p.price_min, p.id`;
      break;
    case 'price_desc':
      if (f.after) where.push(sql`(p.price_min, p.id) < (${f.after.k}::int8, ${f.after.id}::uuid)`);
      order = sql`p.price_min desc, p.id desc`;
      break;
  }
  return sql<ProductListRow>`select p.id, p.title, s.slug as shop_slug, s.name as shop_name, p.category_id, p.price_min, p.currency,
        p.images -> 0 as image, p.created_at, p.created_at::text as created_key
      from catalog_products p join catalog_shops s on s.id = p.shop_id
      where ${sql.join(where, sql` and `)}
      order by ${order} limit ${f.limit}`;
}

// ---- variants

export function variantSkus(db: CatalogDb, productId: string): Promise<Array<{ id: string; sku: string; position: number }>> {
  return rows(
    db,
    sql<{ id: string; sku: string; position: number }>`select id, sku, position from catalog_variants where product_id = ${productId}`,
  );
}

export function updateVariant(
  db: CatalogDb,
  productId: string,
  variantId: string,
  patch: { sku?: string; options?: Record<string, string>; price?: number; position?: number },
): Promise<{ id: string } | null> {
  const sets = [sql`product_id = product_id`];
  if (patch.sku !== undefined) sets.push(sql`sku = ${patch.sku}`);
  if (patch.options !== undefined) sets.push(sql`options = ${JSON.stringify(patch.options)}::jsonb`);
  if (patch.price !== undefined) sets.push(sql`price = ${patch.price}`);
  if (patch.position !== undefined) sets.push(sql`position = ${patch.position}`);
  return first(
    db,
    sql<{ id: string }>`update catalog_variants set ${sql.join(sets)} where id = ${variantId} and product_id = ${productId} returning id`,
  );
}

export type VariantForSaleRow = {
  variant_id: string;
  product_id: string;
  product_title: string;
  sku: string;
  options: Record<string, string>;
  price: string | number;
  currency: string;
  shop_id: string;
  shop_name: string;
  owner_id: string;
  status: 'draft' | 'published';
  shop_status: ShopStatusValue;
};

/** Variants with their product and shop, for carts and checkout: one statement for any number of ids. */
export function variantsForSale(db: CatalogDb, ids: readonly string[]): Promise<VariantForSaleRow[]> {
  return rows(
    db,
    sql<VariantForSaleRow>`select v.id as variant_id, v.product_id, p.title as product_title, v.sku, v.options, v.price, p.currency,
        p.shop_id, s.name as shop_name, p.owner_id, p.status, s.status as shop_status
      from catalog_variants v
      join catalog_products p on p.id = v.product_id
      join catalog_shops s on s.id = p.shop_id
      where v.id = any(${[...ids]}::uuid[])`,
  );
}

export function variantOwner(db: CatalogDb, variantId: string): Promise<{ product_id: string; owner_id: string } | null> {
  return first(
    db,
    sql<{ product_id: string; owner_id: string }>`select v.product_id, p.owner_id
      from catalog_variants v join catalog_products p on p.id = v.product_id where v.id = ${variantId}`,
  );
}

/** PostgreSQL's unique_violation, with the constraint that fired. */
export function uniqueViolation(err: unknown): string | null {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' ? (e.constraint ?? '') : null;
}

export function productIdsOfShop(db: CatalogDb, shopId: string, afterId: string | null, limit: number): Promise<string[]> {
  return rows(
    db,
    sql<{ id: string }>`select id from catalog_products where shop_id = ${shopId} ${afterId ? sql`and id > ${afterId}` : sql``}
      order by id limit ${limit}`,
  ).then((r) => r.map((x) => x.id));
}
