import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/app/config.ts';
import { createContainer, type Container } from '../../src/app/container.ts';
import { buildHttpServer } from '../../src/app/http.ts';
import { runDueJobsOnce } from '../../src/platform/queue/queue.ts';
import { collectTasks } from '../../src/app/worker.ts';
import { startFakeProvider, type FakeProvider } from '../../src/modules/payments/index.ts';
import { alterDatabaseStatements } from './pg-settings.ts';

/**
 * A whole Atelier on real PostgreSQL for one test file: its own catalog database and two physical
 * shard databases on the server `npm test` started, migrated, with the HTTP server ready for
 * `inject` and a way to run queued jobs to completion.
 */
export type TestApp = Readonly<{
  app: Container;
  server: FastifyInstance;
  /** The simulated payment provider this app charges through (configure it to fail, count charges). */
  provider: FakeProvider;
  /** Database URLs, for tests that start processes of their own against the same stores. */
  env: Record<string, string>;
  /** Runs every queued job on every database until all queues are empty. */
  drainJobs(): Promise<void>;
  close(): Promise<void>;
}>;

export function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error('TEST_PG_ADMIN_URL is not set: run the tests with `npm test`');
  return url;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates test databases with the test settings (pg-settings.ts), on whichever server runs the tests. */
export async function createDatabases(names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    for (const n of names) {
      await client.query(`create database ${client.escapeIdentifier(n)}`);
      for (const stmt of alterDatabaseStatements(client.escapeIdentifier(n))) await client.query(stmt);
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabases(names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    for (const n of names) await client.query(`drop database if exists ${client.escapeIdentifier(n)} with (force)`);
  } finally {
    await client.end();
  }
}

/** Points a URL at another host:port (a fault proxy in front of the same server). */
function withAddress(url: string, address: string): string {
  const u = new URL(url);
  u.host = address;
  return u.toString();
}

/**
 * The protections that would refuse a test's requests for reasons it is not about, off (their own
 * tests turn each on): rate limits, since every request of a test comes from one address; load
 * shedding, since on a machine busy with other test files the event loop passes its thresholds;
 * the checkout line, since stampede tests hit the stock row itself.
 */
export const PROTECTIONS_OFF: Readonly<Record<string, string>> = {
  RATE_LIMIT_ENABLED: 'false',
  SHED_ENABLED: 'false',
  ADMISSION_HOT_CONCURRENCY: '0',
};

export type TestAppOptions = Readonly<{
  /**
   * Reach a database through another address (`host:port`), such as a fault proxy in front of the
   * test server (test/support/fault-proxy.ts): `catalog`, or a shard database by name (`shard0`,
   * `shard1`). Migrations and every query of the app go that way; the test's own set-up and
   * clean-up reach the server directly.
   */
  via?: Readonly<Partial<Record<'catalog' | 'shard0' | 'shard1', string>>>;
}>;

export async function createTestApp(overrides: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const tag = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const names = [`${tag}_catalog`, `${tag}_shard0`, `${tag}_shard1`];
  await createDatabases(names);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'atelier-app-'));
  const provider = await startFakeProvider();
  const urlOf = (name: 'catalog' | 'shard0' | 'shard1', database: string) => {
    const direct = withDatabase(adminUrl(), database);
    const via = options.via?.[name];
    return via ? withAddress(direct, via) : direct;
  };
  const env: Record<string, string> = {
    CATALOG_DATABASE_URL: urlOf('catalog', names[0]!),
    SHARD_DATABASE_URLS: `shard0=${urlOf('shard0', names[1]!)},shard1=${urlOf('shard1', names[2]!)}`,
    LOGICAL_SHARDS: '16',
    ATELIER_DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    COOKIE_SECURE: 'false',
    DEMO_SEED: 'false',
    PG_POOL_MAX: '5',
    PAYMENT_PROVIDER_URL: provider.url,
    ...PROTECTIONS_OFF,
    // Reporting's event jobs due at once, so `drainJobs` runs them; tests of the batching turn it on.
    REPORTING_BATCH_DELAY_MS: '0',
    WEBHOOKS_BATCH_DELAY_MS: '0',
    ...overrides,
  };
  const config = loadConfig(env);
  const app = await createContainer(config, { role: 'test', migrate: true, log: pino({ level: env.LOG_LEVEL! }) });
  const server = await buildHttpServer(app);
  await server.ready();

  async function drainJobs(): Promise<void> {
    const tasks = collectTasks(app);
    // Jobs can enqueue jobs on other databases (an event on the catalog feeds a shard), so loop
    // until one full pass finds nothing left to run.
    for (let pass = 0; pass < 10; pass++) {
      let ran = 0;
      for (const handle of app.stores.all()) {
        const { rows } = await handle.pool.query<{ n: number }>(
          'select count(*)::int as n from graphile_worker.jobs where attempts < max_attempts and run_at <= now() and locked_at is null',
        );
        if ((rows[0]?.n ?? 0) === 0) continue;
        ran += rows[0]!.n;
        await runDueJobsOnce(handle, tasks, app.log);
      }
      if (ran === 0) return;
    }
  }

  return {
    app,
    server,
    provider,
    env,
    drainJobs,
    async close() {
      await server.close();
      await app.close();
      await provider.close();
      await dropDatabases(names);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
