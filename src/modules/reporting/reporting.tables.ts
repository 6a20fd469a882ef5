import type { Generated } from 'kysely';

/** Reporting's tables (reporting.migrations.ts), as Kysely sees them. Dates go in as ISO text. */
export type ReportingTables = {
  reporting_processed_events: { event_id: string; subscriber: string; processed_at: Generated<Date> };
  reporting_seller_daily: { seller_id: string; day: string; currency: string; orders: number; revenue: number };
  reporting_seller_products: {
    seller_id: string;
    day: string;
    product_id: string;
    currency: string;
    units: number;
    revenue: number;
  };
  reporting_product_titles: { product_id: string; title: string };
  reporting_stock_alerts: {
    variant_id: string;
    seller_id: string;
    product_id: string;
    sku: string;
    available: number;
    threshold: number;
    raised_at: string | Date;
    event_id: string;
  };
  reporting_platform_minutes: { minute: string | Date; currency: string; orders: number; gross: number };
  reporting_platform_daily: { day: string; currency: string; orders: number; gross: number };
  reporting_customer_orders: { order_id: string; customer_id: string; paid_at: string | Date };
  reporting_cart_starts: {
    event_id: string;
    owner_id: string;
    owner_kind: 'account' | 'guest';
    started_at: string | Date;
    merged_guest_id: string | null;
    into_open_cart: boolean;
  };
  reporting_exports: {
    id: string;
    seller_id: string;
    kind: 'orders';
    status: ExportStatus;
    row_count: number | null;
    bytes: number | null;
    error: string | null;
    created_at: Generated<Date>;
    finished_at: Date | null;
  };
};

export type ExportStatus = 'pending' | 'running' | 'ready' | 'failed';
