import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createCache, type Cache } from '../platform/cache/cache.ts';
import { createRedisConnections, type RedisConnections } from '../platform/redis/redis.ts';
import { createEventBus, eventLogMigrations, type EventBus } from '../platform/events.ts';
import { addMetricSources, startProcessMetrics } from '../platform/observability/metrics.ts';
import { queueFigures } from '../platform/observability/queue-metrics.ts';
import { flushTracing, startTracing, traceLogFields } from '../platform/observability/tracing.ts';
import type { ModuleDefinition } from '../platform/module.ts';
import { migrateStore, type ModuleMigrations } from '../platform/postgres/migrations.ts';
import { platformMigrations } from '../platform/postgres/platform-migrations.ts';
import { assembleStores, closeDatabases, openDatabases, type OpenedDatabases, type Stores } from '../platform/postgres/stores.ts';
import { migrateQueue } from '../platform/queue/queue.ts';
import { catalogMigrations, createCatalog, type CatalogModule } from '../modules/catalog/index.ts';
import { createIdentity, identityMigrations, type IdentityModule } from '../modules/identity/index.ts';
import { createMedia, mediaMigrations, type MediaModule } from '../modules/media/index.ts';
import { createSearch, searchMigrations, type SearchModule } from '../modules/search/index.ts';
import { cartMigrations, createCart, type CartModule } from '../modules/cart/index.ts';
import { createInventory, inventoryMigrations, type InventoryModule } from '../modules/inventory/index.ts';
import { createNotifications, notificationsMigrations, type NotificationsModule } from '../modules/notifications/index.ts';
import { createOrders, ordersMigrations, type OrdersModule } from '../modules/orders/index.ts';
import { createPayments, paymentsMigrations, type PaymentsModule } from '../modules/payments/index.ts';
import { createReporting, reportingMigrations, type ReportingModule } from '../modules/reporting/index.ts';
import { createWebhooks, webhooksMigrations, type WebhooksModule } from '../modules/webhooks/index.ts';
import { auditMigrations, auditRecorder, createAudit, type AuditModule } from '../modules/audit/index.ts';
import { createOps, type OpsModule } from '../modules/ops/index.ts';
import type { Config } from './config.ts';

/**
 * The composition root: the only place that wires modules to adapters. Every process role
 * (start, api, worker, migrate, seed) builds the same container; they differ only in what they run.
 */
export type Container = Readonly<{
  config: Config;
  log: Logger;
  stores: Stores;
  cache: Cache;
  /** The Redis connections when `REDIS_URL` is set (shared cache tier, bus, rate-limit counters). */
  redis: RedisConnections | null;
  events: EventBus;
  identity: IdentityModule;
  catalog: CatalogModule;
  search: SearchModule;
  media: MediaModule;
  inventory: InventoryModule;
  cart: CartModule;
  payments: PaymentsModule;
  notifications: NotificationsModule;
  orders: OrdersModule;
  reporting: ReportingModule;
  webhooks: WebhooksModule;
  audit: AuditModule;
  ops: OpsModule;
  modules: ReadonlyArray<ModuleDefinition>;
  migrations: ReadonlyArray<ModuleMigrations>;
  close(): Promise<void>;
}>;

export function createLogger(config: Pick<Config, 'logLevel'>, role: string): Logger {
  // The mixin adds traceId/spanId to every line written inside a traced operation (nothing when tracing is off).
  return pino({ level: config.logLevel, base: { role, pid: process.pid }, mixin: traceLogFields });
}

async function migrateAll(opened: OpenedDatabases, migrations: ReadonlyArray<ModuleMigrations>, log: Logger): Promise<void> {
  const applied: string[] = [];
  applied.push(...(await migrateStore(opened.catalog.db, 'catalog', [platformMigrations, ...migrations], 'catalog')));
  for (const shard of opened.shardDatabases) {
    applied.push(...(await migrateStore(shard.db, 'shard', migrations, shard.name)));
  }
  for (const handle of [opened.catalog, ...opened.shardDatabases]) await migrateQueue(handle);
  if (applied.length > 0) log.info({ applied }, `applied ${applied.length} migrations`);
}

/** The payment provider to call: the configured one, or the simulator `atelier start` runs locally. */
export function paymentProviderUrl(config: Config): string {
  return config.payments.providerUrl ?? `http://127.0.0.1:${config.payments.simulatorPort}`;
}

export async function createContainer(config: Config, opts: { role: string; migrate: boolean; log?: Logger }): Promise<Container> {
  const log = opts.log ?? createLogger(config, opts.role);
  // Before any pool or cache is made: they look at whether tracing is on when they are created.
  if (config.observability.tracing) await startTracing({ ...config.observability.tracing, role: opts.role });
  startProcessMetrics();
  const opened = await openDatabases(config, log, opts.role);
  let redis: RedisConnections | null = null;
  try {
    redis = config.redis ? createRedisConnections(config.redis, log) : null;
    // Start-up waits a moment for Redis, then goes on without it: the tier joins when Redis does.
    if (redis && !(await redis.waitUntilReady(2000))) log.warn('redis not reachable at start-up; starting with the in-process cache only');
    const cache = createCache(config.cache, redis ? { redis, log } : null);
    const events = createEventBus();
    // Migrations run before the stores are assembled, because the shard map is itself made by one.
    const migrations = [
      eventLogMigrations,
      identityMigrations,
      catalogMigrations,
      searchMigrations,
      mediaMigrations,
      inventoryMigrations,
      cartMigrations,
      paymentsMigrations,
      notificationsMigrations,
      ordersMigrations,
      reportingMigrations,
      webhooksMigrations,
      auditMigrations,
    ];
    if (opts.migrate) await migrateAll(opened, migrations, log);
    const stores = await assembleStores(config, opened);

    // Before identity, which queues account emails through it.
    const notifications = createNotifications({ stores, settings: config.mail, log });
    // Every audited action publishes through it, in the transaction of its change.
    const recorder = auditRecorder(events);
    const identity = createIdentity({
      stores,
      cache,
      log,
      settings: { ...config.session, logicalShards: config.logicalShards },
      emailJob: notifications.service.emailJob,
      audit: recorder,
    });
    const httpCache = config.httpCache;
    const catalog = createCatalog({
      stores,
      cache,
      events,
      guards: identity.guards,
      httpCache,
      currency: config.currency,
      cookieSecure: config.session.cookieSecure,
      audit: recorder,
      shopApproval: config.shopApproval,
      log,
    });
    const search = createSearch({ stores, cache, events, catalog: catalog.service, httpCache, settings: config.search, log });
    const media = createMedia({
      stores,
      events,
      audit: recorder,
      guards: identity.guards,
      catalog: catalog.service,
      settings: config.media,
      log,
    });
    const inventory = createInventory({
      stores,
      cache,
      events,
      audit: recorder,
      guards: identity.guards,
      catalog: catalog.service,
      httpCache,
      log,
    });
    const cart = createCart({
      stores,
      guards: identity.guards,
      catalog: catalog.service,
      inventory: inventory.service,
      events,
      cookieSecure: config.session.cookieSecure,
      logicalShards: config.logicalShards,
      log,
    });
    const payments = createPayments({
      stores,
      settings: {
        providerUrl: paymentProviderUrl(config),
        timeoutMs: config.payments.timeoutMs,
        breakerHalfOpenAfterMs: config.payments.breakerHalfOpenAfterMs,
      },
      log,
    });
    const orders = createOrders({
      stores,
      events,
      guards: identity.guards,
      identity: identity.service,
      catalog: catalog.service,
      inventory: inventory.service,
      cart: cart.service,
      payments: payments.service,
      notifications: notifications.service,
      audit: recorder,
      settings: {
        ...config.checkout,
        sweepIntervalSeconds: config.sweeper.intervalSeconds,
        jobLockTimeoutSeconds: config.sweeper.jobLockTimeoutSeconds,
        admission: config.admission,
      },
      redis,
      log,
    });
    const reporting = createReporting({
      stores,
      events,
      guards: identity.guards,
      catalog: catalog.service,
      orders: orders.service,
      exportsDir: path.join(config.dataDir, 'exports'),
      batchDelayMs: config.reporting.batchDelayMs,
      log,
    });
    const webhooks = createWebhooks({ stores, events, audit: recorder, guards: identity.guards, settings: config.webhooks, log });
    const audit = createAudit({ stores, events, requireAdmin: identity.guards.requireRole('admin'), log });
    const ops = createOps({ stores, audit: recorder, guards: identity.guards, replicaSettings: config.catalogReplicas, log });
    // Named once: the container's fields, and (in this order) the modules whose routes and tasks are mounted.
    const named = { identity, catalog, search, media, inventory, cart, payments, notifications, orders, reporting, webhooks, audit, ops };
    const modules: ModuleDefinition[] = Object.values(named);

    // What /metrics reads at scrape time from this container: queues, breakers, replicas.
    const removeMetricSources = addMetricSources({
      queues: () => Promise.all(stores.all().map(async (h) => ({ database: h.name, figures: await queueFigures(h.db) }))),
      breakers: { payments: () => payments.service.breakerState(), mail: () => notifications.service.breakerState() },
      replicas: () => stores.catalogReplicas.status(),
    });

    return {
      config,
      log,
      stores,
      cache,
      redis,
      events,
      ...named,
      modules,
      migrations: [platformMigrations, ...migrations],
      async close() {
        removeMetricSources();
        ops.close();
        await webhooks.close();
        await cache.close();
        await redis?.close();
        await closeDatabases(opened);
        await flushTracing();
      },
    };
  } catch (err) {
    await redis?.close();
    await closeDatabases(opened);
    throw err;
  }
}
