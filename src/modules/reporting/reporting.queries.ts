import { sql, type Kysely } from 'kysely';
import { view } from '../../platform/postgres/database.ts';
import type { Money } from '../../shared/money.ts';
import type { ReportingTables } from './reporting.tables.ts';

/**
 * The reporting endpoints' reads. They touch reporting's own tables only: never a shard, never
 * another module's tables (docs/reporting.md). Days are UTC calendar days, `from` and `to`
 * inclusive, as 'YYYY-MM-DD'.
 */
export type DayRange = Readonly<{ from: string; to: string }>;

export type SellerSummary = Readonly<{
  from: string;
  to: string;
  /** Days with at least one paid order, oldest first; one row per currency sold in. */
  days: Array<{ day: string; orders: number; revenue: Money }>;
  totals: Array<{ orders: number; revenue: Money }>;
  topProducts: Array<{ productId: string; title: string | null; units: number; revenue: Money }>;
  stockAlerts: Array<{
    variantId: string;
    productId: string;
    title: string | null;
    sku: string;
    available: number;
    threshold: number;
    raisedAt: string;
  }>;
}>;

/**
 * The instants a day range covers, [start of `from`, start of the day after `to`), in UTC. Written
 * out rather than cast from a date in SQL, which would use the session's time zone.
 */
function instants(range: DayRange): { start: Date; end: Date } {
  return { start: new Date(`${range.from}T00:00:00.000Z`), end: new Date(Date.parse(`${range.to}T00:00:00.000Z`) + 86_400_000) };
}

export const TOP_PRODUCTS = 10;
export const MAX_STOCK_ALERTS = 50;

export async function sellerSummary(db: Kysely<unknown>, sellerId: string, range: DayRange): Promise<SellerSummary> {
  const t = view<ReportingTables>(db);
  const { start, end } = instants(range);
  const [days, top, alerts] = await Promise.all([
    t
      .selectFrom('reporting_seller_daily')
      .select([sql<string>`day::text`.as('day'), 'currency', 'orders', 'revenue'])
      .where('seller_id', '=', sellerId)
      .where('day', '>=', range.from)
      .where('day', '<=', range.to)
      .orderBy('day')
      .orderBy('currency')
      .execute(),
    t
      .selectFrom('reporting_seller_products as p')
      .leftJoin('reporting_product_titles as n', 'n.product_id', 'p.product_id')
      .select([
        'p.product_id',
        'p.currency',
        'n.title',
        sql<number>`sum(p.units)::bigint`.as('units'),
        sql<number>`sum(p.revenue)::bigint`.as('revenue'),
      ])
      .where('p.seller_id', '=', sellerId)
      .where('p.day', '>=', range.from)
      .where('p.day', '<=', range.to)
      .groupBy(['p.product_id', 'p.currency', 'n.title'])
      .orderBy(sql`sum(p.revenue)`, 'desc')
      .orderBy(sql`sum(p.units)`, 'desc')
      .orderBy('p.product_id')
      .limit(TOP_PRODUCTS)
      .execute(),
    t
      .selectFrom('reporting_stock_alerts as a')
      .leftJoin('reporting_product_titles as n', 'n.product_id', 'a.product_id')
      .select(['a.variant_id', 'a.product_id', 'n.title', 'a.sku', 'a.available', 'a.threshold', 'a.raised_at'])
      .where('a.seller_id', '=', sellerId)
      .where('a.raised_at', '>=', start)
      .where('a.raised_at', '<', end)
      .orderBy('a.raised_at', 'desc')
      .orderBy('a.variant_id')
      .limit(MAX_STOCK_ALERTS)
      .execute(),
  ]);
  const totals = new Map<string, { orders: number; amount: number }>();
  for (const d of days) {
    const sum = totals.get(d.currency) ?? { orders: 0, amount: 0 };
    sum.orders += d.orders;
    sum.amount += Number(d.revenue);
    totals.set(d.currency, sum);
  }
  return {
    from: range.from,
    to: range.to,
    days: days.map((d) => ({ day: d.day, orders: d.orders, revenue: { amount: Number(d.revenue), currency: d.currency } })),
    totals: [...totals].map(([currency, s]) => ({ orders: s.orders, revenue: { amount: s.amount, currency } })),
    topProducts: top.map((p) => ({
      productId: p.product_id,
      title: p.title,
      units: Number(p.units),
      revenue: { amount: Number(p.revenue), currency: p.currency },
    })),
    stockAlerts: alerts.map((a) => ({
      variantId: a.variant_id,
      productId: a.product_id,
      title: a.title,
      sku: a.sku,
      available: a.available,
      threshold: a.threshold,
      raisedAt: new Date(a.raised_at).toISOString(),
    })),
  };
}

export type PlatformFigures = Readonly<{
  ordersPerMinute: Readonly<{ from: string; to: string; minutes: Array<{ minute: string; orders: number }> }>;
  from: string;
  to: string;
  grossSales: Array<{ orders: number; gross: Money }>;
  conversion: Readonly<{ cartsStarted: number; cartsConverted: number; rate: number | null }>;
}>;

/**
 * Platform figures: paid orders in each of the last `minutes` minutes (the current minute last,
 * zeros included), gross sales per currency over the day range, and the cart-to-order conversion
 * of the carts started in the day range.
 */
export async function platformFigures(db: Kysely<unknown>, range: DayRange, minutes: number, now: Date): Promise<PlatformFigures> {
  const t = view<ReportingTables>(db);
  const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const start = new Date(end.getTime() - (minutes - 1) * 60_000);
  const [perMinute, gross, conversion] = await Promise.all([
    t
      .selectFrom('reporting_platform_minutes')
      .select(['minute', sql<number>`sum(orders)::int`.as('orders')])
      .where('minute', '>=', start)
      .where('minute', '<=', end)
      .groupBy('minute')
      .execute(),
    t
      .selectFrom('reporting_platform_daily')
      .select(['currency', sql<number>`sum(orders)::bigint`.as('orders'), sql<number>`sum(gross)::bigint`.as('gross')])
      .where('day', '>=', range.from)
      .where('day', '<=', range.to)
      .groupBy('currency')
      .orderBy('currency')
      .execute(),
    cartConversion(db, range),
  ]);
  const byMinute = new Map(perMinute.map((r) => [new Date(r.minute).getTime(), r.orders]));
  const series = Array.from({ length: minutes }, (_, i) => {
    const at = start.getTime() + i * 60_000;
    return { minute: new Date(at).toISOString(), orders: byMinute.get(at) ?? 0 };
  });
  return {
    ordersPerMinute: { from: start.toISOString(), to: new Date(end.getTime() + 60_000).toISOString(), minutes: series },
    from: range.from,
    to: range.to,
    grossSales: gross.map((g) => ({ orders: Number(g.orders), gross: { amount: Number(g.gross), currency: g.currency } })),
    conversion,
  };
}

/**
 * Carts started in the range, and how many of them reached a paid order. A cart belongs to its
 * account, or for a guest's cart to the account it was merged into at sign-in (a guest cart merged
 * into an account cart that already had lines is part of that cart, not a cart of its own). It
 * converted when its customer paid an order after it started and before their next cart started.
 * Computed at read time from facts (cart starts, paid orders), so the order in which the events
 * were applied cannot change the answer.
 */
async function cartConversion(db: Kysely<unknown>, range: DayRange): Promise<PlatformFigures['conversion']> {
  const { start, end } = instants(range);
  const { rows } = await sql<{ started: number; converted: number }>`
    with starts as (
      select s.started_at,
             case when s.owner_kind = 'account' then s.owner_id else m.owner_id end as customer_id,
             case when s.owner_kind = 'account' then s.started_at else m.started_at end as since
      from reporting_cart_starts s
      left join lateral (
        select owner_id, started_at, into_open_cart from reporting_cart_starts m
        where m.merged_guest_id = s.owner_id order by m.started_at, m.event_id limit 1
      ) m on s.owner_kind = 'guest'
      where s.merged_guest_id is null
        and s.started_at >= ${start} and s.started_at < ${end}
        and not coalesce(m.into_open_cart, false)
    )
    select count(*)::int as started,
      count(*) filter (where st.customer_id is not null and exists (
        select 1 from reporting_customer_orders o
        where o.customer_id = st.customer_id and o.paid_at >= st.started_at
          and o.paid_at < coalesce((
            select min(n.started_at) from reporting_cart_starts n
            where n.owner_id = st.customer_id and n.merged_guest_id is null and n.started_at > st.since
          ), 'infinity')
      ))::int as converted
    from starts st`.execute(db);
  const { started, converted } = rows[0] ?? { started: 0, converted: 0 };
  return {
    cartsStarted: started,
    cartsConverted: converted,
    rate: started === 0 ? null : Math.round((converted / started) * 10_000) / 10_000,
  };
}
