import { decimalAmount } from '../../shared/money.ts';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { view } from '../../platform/postgres/database.ts';
import { enqueue, PermanentJobError, type TaskHandler } from '../../platform/queue/queue.ts';
import { isId, newId } from '../../shared/ids.ts';
import type { OrdersService, SellerOrderSummary, SellerSubOrderView } from '../orders/index.ts';
import { reportingErrors } from './reporting.errors.ts';
import type { ExportStatus, ReportingTables } from './reporting.tables.ts';

export const EXPORT_ORDERS_TASK = 'reporting.export-orders';
const EXPORT_MAX_ATTEMPTS = 5;
/** Rows read from the seller index per query while writing the file. */
const PAGE = 500;

export type ExportView = Readonly<{
  id: string;
  kind: 'orders';
  status: ExportStatus;
  /** Rows of the file once ready, header excluded: one per order line. */
  rowCount: number | null;
  bytes: number | null;
  /** Why it failed, when it did. */
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** Where to fetch the file once ready. */
  downloadUrl: string | null;
}>;

type ExportRow = ReportingTables['reporting_exports'] & { created_at: Date };

function toView(r: ExportRow): ExportView {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    rowCount: r.row_count,
    bytes: r.bytes === null ? null : Number(r.bytes),
    error: r.error,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    downloadUrl: r.status === 'ready' ? `/api/v1/seller/exports/${r.id}/download` : null,
  };
}

/**
 * The CSV's columns, in order: one row per order line, with its sub-order's columns repeated on
 * each (the shape packing and shipping tools import: one row per thing to pick, the address on it).
 * Amounts twice: in major units for people, in minor units for programs.
 */
export const CSV_COLUMNS = [
  'sub_order_id',
  'order_id',
  'placed_at',
  'status',
  'currency',
  'total',
  'total_minor',
  'line',
  'product_id',
  'variant_id',
  'sku',
  'title',
  'options',
  'quantity',
  'unit_price',
  'unit_price_minor',
  'line_total',
  'line_total_minor',
  'ship_name',
  'ship_line1',
  'ship_line2',
  'ship_city',
  'ship_postal_code',
  'ship_country',
] as const;

type CsvRow = Record<(typeof CSV_COLUMNS)[number], string | number>;

/**
 * Text a person typed (a title, a name, an address), made safe to open in a spreadsheet: a cell
 * starting with = + - @ or a tab or carriage return is read as a formula by Excel, LibreOffice
 * and Sheets (CSV injection, OWASP), so it gets a leading apostrophe, which they show as text.
 */
export function spreadsheetText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Sub-orders whose lines and address are read at once while writing a page. */
const DETAIL_CONCURRENCY = 8;

/**
 * A seller's CSV exports. Asking creates a row and enqueues the job in one transaction (so the
 * job exists if and only if the row does); the job writes the file under the data folder and marks
 * the row ready. Files are written to a temporary name and renamed, so a download never sees half
 * a file, and a re-run after a crash simply writes it again.
 *
 * The file lives on the local disk of the node that ran the job, like media's originals: with
 * several hosts the exports folder must be shared storage (or an object store behind the same
 * three calls: write, stat, read).
 */
export function createExports(deps: { db: Kysely<unknown>; orders: OrdersService; dir: string; log: Logger }) {
  const { orders, dir, log } = deps;
  const db = view<ReportingTables>(deps.db);
  const fileOf = (id: string) => path.join(dir, `${id}.csv`);

  async function find(sellerId: string, id: string): Promise<ExportRow> {
    if (!isId(id)) throw reportingErrors.exportNotFound();
    const row = await db.selectFrom('reporting_exports').selectAll().where('id', '=', id).executeTakeFirst();
    // Someone else's export is "not found", so ids cannot be probed.
    if (!row || row.seller_id !== sellerId) throw reportingErrors.exportNotFound();
    return row as ExportRow;
  }

  /** The CSV rows of one sub-order: one per line. */
  function rowsOfSubOrder(d: SellerSubOrderView): CsvRow[] {
    const { currency } = d.total;
    const a = d.shippingAddress;
    return d.lines.map((l, i) => ({
      sub_order_id: d.id,
      order_id: d.orderId,
      placed_at: d.placedAt,
      status: d.status,
      currency,
      total: decimalAmount(d.total.amount, currency),
      total_minor: d.total.amount,
      line: i + 1,
      product_id: l.productId,
      variant_id: l.variantId,
      sku: spreadsheetText(l.sku),
      title: spreadsheetText(l.title),
      options: spreadsheetText(
        Object.entries(l.options)
          .map(([k, v]) => `${k}: ${v}`)
          .join('; '),
      ),
      quantity: l.quantity,
      unit_price: decimalAmount(l.unitPrice.amount, currency),
      unit_price_minor: l.unitPrice.amount,
      line_total: decimalAmount(l.unitPrice.amount * l.quantity, currency),
      line_total_minor: l.unitPrice.amount * l.quantity,
      ship_name: spreadsheetText(a.name),
      ship_line1: spreadsheetText(a.line1),
      ship_line2: spreadsheetText(a.line2 ?? ''),
      ship_city: spreadsheetText(a.city),
      ship_postal_code: spreadsheetText(a.postalCode),
      ship_country: spreadsheetText(a.country),
    }));
  }

  /** The seller's paid sub-orders from their index, newest first, each with its lines and address. */
  async function* rowsOf(sellerId: string): AsyncGenerator<CsvRow> {
    let cursor: string | null = null;
    do {
      const page: { items: SellerOrderSummary[]; nextCursor: string | null } = await orders.listSellerOrders(sellerId, cursor, PAGE);
      for (let i = 0; i < page.items.length; i += DETAIL_CONCURRENCY) {
        const details = await Promise.all(
          page.items.slice(i, i + DETAIL_CONCURRENCY).map((s) => orders.getSellerSubOrder(sellerId, s.subOrderId)),
        );
        for (const d of details) yield* rowsOfSubOrder(d);
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }

  /** Writes the file; returns its row count and size. */
  async function writeCsv(sellerId: string, id: string): Promise<{ rows: number; bytes: number }> {
    await mkdir(dir, { recursive: true });
    const target = fileOf(id);
    const tmp = `${target}.${newId()}.tmp`;
    let rows = 0;
    const counted = async function* () {
      for await (const r of rowsOf(sellerId)) {
        rows++;
        yield r;
      }
    };
    try {
      // csv-stringify quotes a field when it holds the delimiter, a quote or a line break and
      // doubles inner quotes (RFC 4180). Text typed by people (titles, names, addresses) goes
      // through spreadsheetText, so no cell of it is read as a formula.
      await pipeline(Readable.from(counted()), stringify({ header: true, columns: [...CSV_COLUMNS] }), createWriteStream(tmp));
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { rows, bytes: (await stat(target)).size };
  }

  const task: TaskHandler = async (payload, ctx) => {
    const id = payload.exportId;
    if (typeof id !== 'string' || !isId(id)) throw new PermanentJobError('job payload has no valid exportId');
    const row = await db.selectFrom('reporting_exports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new PermanentJobError(`export ${id} does not exist`);
    if (row.status === 'ready' || row.status === 'failed') return; // a re-run after it finished changes nothing
    await db.updateTable('reporting_exports').set({ status: 'running' }).where('id', '=', id).where('status', '=', 'pending').execute();
    try {
      const { rows, bytes } = await writeCsv(row.seller_id, id);
      await db
        .updateTable('reporting_exports')
        .set({ status: 'ready', row_count: rows, bytes, finished_at: new Date(), error: null })
        .where('id', '=', id)
        .execute();
      ctx.log.info({ exportId: id, rows, bytes }, 'orders export ready');
    } catch (err) {
      if (ctx.attempt >= ctx.maxAttempts) {
        await db
          .updateTable('reporting_exports')
          .set({ status: 'failed', error: String((err as Error).message ?? err).slice(0, 500), finished_at: new Date() })
          .where('id', '=', id)
          .execute();
      }
      throw err;
    }
  };

  return {
    /**
     * Starts an export of the seller's orders, or returns the one already pending or running (one
     * in flight per seller: a double click does not build two files).
     */
    async request(sellerId: string): Promise<{ export: ExportView; created: boolean }> {
      // Twice at most: the open export we collided with may finish before we read it back.
      for (let attempt = 0; ; attempt++) {
        const answer = await deps.db.transaction().execute(async (trx) => {
          const t = view<ReportingTables>(trx);
          const id = newId();
          const inserted = await t
            .insertInto('reporting_exports')
            .values({
              id,
              seller_id: sellerId,
              kind: 'orders',
              status: 'pending',
              row_count: null,
              bytes: null,
              error: null,
              finished_at: null,
            })
            .onConflict((oc) =>
              // The index predicate is written as constants: PostgreSQL matches a partial unique index
              // to ON CONFLICT by proving the index's predicate from this one when it plans, and a
              // generic plan (a prepared statement from its sixth run on) cannot prove it from
              // parameters: "no unique or exclusion constraint matching the ON CONFLICT specification".
              oc
                .columns(['seller_id', 'kind'])
                .where(sql<boolean>`status in ('pending', 'running')`)
                .doNothing(),
            )
            .returningAll()
            .executeTakeFirst();
          if (inserted) {
            await enqueue(trx, { task: EXPORT_ORDERS_TASK, payload: { exportId: id }, maxAttempts: EXPORT_MAX_ATTEMPTS });
            return { export: toView(inserted as ExportRow), created: true };
          }
          const open = await t
            .selectFrom('reporting_exports')
            .selectAll()
            .where('seller_id', '=', sellerId)
            .where('kind', '=', 'orders')
            .where('status', 'in', ['pending', 'running'])
            .executeTakeFirst();
          return open ? { export: toView(open as ExportRow), created: false } : null;
        });
        if (answer) return answer;
        if (attempt >= 1) throw new Error('could not start or find an export after two attempts');
      }
    },

    async get(sellerId: string, id: string): Promise<ExportView> {
      return toView(await find(sellerId, id));
    },

    /** The file of a ready export: 404 for someone else's or an unknown id, 409 while not ready. */
    async open(sellerId: string, id: string): Promise<{ body: Readable; size: number; filename: string }> {
      const row = await find(sellerId, id);
      if (row.status !== 'ready') throw reportingErrors.exportNotReady(row.status);
      const file = fileOf(row.id);
      let size: number;
      try {
        size = (await stat(file)).size;
      } catch (err) {
        log.error({ err, exportId: id }, 'export marked ready but its file is missing');
        throw reportingErrors.exportNotFound();
      }
      const day = (row.finished_at ?? row.created_at).toISOString().slice(0, 10);
      return { body: createReadStream(file), size, filename: `orders-${day}-${row.id.slice(0, 8)}.csv` };
    },

    tasks: { [EXPORT_ORDERS_TASK]: task } as Record<string, TaskHandler>,
  };
}

export type Exports = ReturnType<typeof createExports>;
