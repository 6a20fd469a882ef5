/**
 * Reporting: read models (CQRS) for the seller dashboard and the platform figures, built by event
 * handlers into reporting's own tables in the catalog store, idempotent per event, rebuildable from
 * the event log; and the sellers' CSV exports of their orders, built by a job. The reporting
 * endpoints read only these tables: never the shards, never another module's tables.
 */
import type { Logger } from 'pino';
import type { EventBus } from '../../platform/events.ts';
import type { ModuleDefinition } from '../../platform/module.ts';
import type { Stores } from '../../platform/postgres/stores.ts';
import { PermanentJobError } from '../../platform/queue/queue.ts';
import { CART_EVENTS } from '../cart/index.ts';
import type { CatalogService } from '../catalog/index.ts';
import type { AuthGuards } from '../identity/index.ts';
import type { OrdersService } from '../orders/index.ts';
import { createExports } from './reporting.exports.ts';
import { reportingMigrations } from './reporting.migrations.ts';
import { createProjections, parseEvent, PROJECTED_EVENTS, REPORTING_SUBSCRIBER, type ParsedEvent } from './reporting.projections.ts';
import { rebuildReadModels, type RebuildResult } from './reporting.rebuild.ts';
import { reportingRoutes } from './reporting.routes.ts';

/** The graphile-worker queue of reporting's totals jobs (order.paid, stock.low): one at a time per database. */
const REPORTING_TOTALS_QUEUE = 'reporting-totals';

export { reportingMigrations };
export type { RebuildResult } from './reporting.rebuild.ts';
export { EXPORT_ORDERS_TASK } from './reporting.exports.ts';

export type ReportingModule = ModuleDefinition &
  Readonly<{
    /**
     * Empties the read models and replays the event log of every database into them
     * (`atelier reporting rebuild`). Safe while workers run; refuses to run twice at once.
     */
    rebuild(): Promise<RebuildResult>;
  }>;

export function createReporting(deps: {
  stores: Stores;
  events: EventBus;
  guards: AuthGuards;
  catalog: CatalogService;
  orders: OrdersService;
  /** Where export files are written (a folder under the data folder). */
  exportsDir: string;
  /** How long an event may wait to be applied with others in one job (REPORTING_BATCH_DELAY_MS). */
  batchDelayMs: number;
  log: Logger;
}): ReportingModule {
  const log = deps.log.child({ module: 'reporting' });
  const db = deps.stores.catalog.db;
  const projections = createProjections({ db, catalog: deps.catalog, log });
  const exports = createExports({ db, orders: deps.orders, dir: deps.exportsDir, log });

  for (const type of PROJECTED_EVENTS) {
    deps.events.subscribeBatched(
      type,
      REPORTING_SUBSCRIBER,
      async (events, ctx) => {
        const batch: Array<{ id: string; parsed: ParsedEvent }> = [];
        for (const event of events) {
          const parsed = parseEvent(event);
          // The whole batch fails; the bus then delivers its events one by one, so only this one fails for good.
          if (!parsed) throw new PermanentJobError(`${type} event ${String(event.id)} has a payload reporting does not understand`);
          batch.push({ id: event.id, parsed });
        }
        const applied = await projections.handle(batch);
        if (applied < batch.length) ctx.log.debug({ events: batch.length, applied }, 'some events already applied');
      },
      // Logged, so `rebuild` can replay them. Batched: one job and one transaction per window of
      // events instead of per event (sums and latest-by-time values do not mind the grouping).
      // Not cart.started: it is published in the add-to-cart request's own transaction, which would
      // then wait on every other first line's commit for the window's job row (events.ts). The
      // totals (per seller and platform, per day and minute: rows every paid order updates) run
      // one job at a time per database instead of as a convoy on those rows.
      type === CART_EVENTS.started
        ? { replayable: true, maxDelayMs: 0 }
        : { replayable: true, maxDelayMs: deps.batchDelayMs, queueName: REPORTING_TOTALS_QUEUE },
    );
  }

  return {
    name: 'reporting',
    migrations: reportingMigrations,
    routes: reportingRoutes({ db, exports, guards: deps.guards }),
    tasks: exports.tasks,
    rebuild: () => rebuildReadModels({ catalog: db, databases: deps.stores.all(), projections, log }),
  };
}
