import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/platform/postgres/embedded-postgres.ts';
import { EMBEDDED_CATALOG_DB } from '../src/platform/postgres/stores.ts';
import { startAtelier, stopAtelier, waitUntilReady, type AtelierChild } from '../bench/children.ts';
import type { MetricsSource } from './sampler.ts';

/**
 * The deployment a run tests. By default the lab starts one itself, at level 1
 * (docs/capacity.md): the API on several processes, a worker, the simulated payment provider, Redis
 * when one answers, and the embedded PostgreSQL in the lab's own data folder, which later runs
 * reuse. `without` starts the same code with the scaling practices turned off by settings. With
 * `--url` the lab targets a deployment someone else runs and starts nothing.
 */
export type Practices = Readonly<{
  /** The in-process read cache (and the Redis tier when Redis is there). */
  cache: boolean;
  apiProcesses: number;
  /** Load shedding. */
  shedding: boolean;
  /** The checkout admission line for hot variants. */
  checkoutLine: boolean;
  redisUrl: string | null;
}>;

export type Deployment = Readonly<{
  base: string;
  metrics: readonly MetricsSource[];
  /** The simulated payment provider, whose charges the invariants read (null: not ours to read). */
  providerUrl: string | null;
  /** The environment of the Atelier processes, for the lab's own container (invariants); null for `--url`. */
  env: NodeJS.ProcessEnv | null;
  /** What is running, in words, for the report. */
  settings: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}>;

export type Ports = Readonly<{ api: number; apiMetrics: number; workerMetrics: number; provider: number; postgres: number }>;

export const DEFAULT_PORTS: Ports = { api: 3600, apiMetrics: 3601, workerMetrics: 3602, provider: 3603, postgres: 54360 };

/** The practices of level 1, and the same deployment without them. */
export function practices(on: boolean, redisUrl: string | null, apiProcesses: number): Practices {
  return on
    ? { cache: true, apiProcesses, shedding: true, checkoutLine: true, redisUrl }
    : { cache: false, apiProcesses: 1, shedding: false, checkoutLine: false, redisUrl: null };
}

/** REDIS_URL, else a Redis on the default local port if one answers within half a second, else none. */
export async function findRedis(): Promise<string | null> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  const url = 'redis://127.0.0.1:6379';
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500, enableOfflineQueue: false });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? url : null;
  } catch {
    return null;
  } finally {
    client.disconnect();
  }
}

export function givenPostgres(): boolean {
  return Boolean(process.env.CATALOG_DATABASE_URL);
}

/** The lab's PostgreSQL: started once per run and kept across the two deployments of `without`. */
export async function startDatabase(dataDir: string, port: number): Promise<EmbeddedServer> {
  return startEmbeddedPostgres({ dataDir, port, databases: [EMBEDDED_CATALOG_DB], log: pino({ level: 'warn' }) });
}

export function atelierEnv(dataDir: string, ports: Ports, p: Practices, runTag: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A given PostgreSQL (CATALOG_DATABASE_URL with SHARD_DATABASE_URLS) is used as it is; else the embedded one.
  if (!givenPostgres()) {
    delete env.CATALOG_DATABASE_URL;
    delete env.SHARD_DATABASE_URLS;
  }
  for (const key of ['MEDIA_DIR', 'OUTBOX_DIR', 'SMTP_URL', 'REDIS_URL', 'PAYMENT_PROVIDER_URL']) {
    delete env[key];
  }
  return {
    ...env,
    ATELIER_DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(ports.postgres),
    HOST: '127.0.0.1',
    PORT: String(ports.api),
    PAYMENT_PROVIDER_PORT: String(ports.provider),
    PAYMENT_PROVIDER_URL: `http://127.0.0.1:${ports.provider}`,
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'warn',
    DEMO_SEED: 'false',
    // Rate limits stay on, as in production: every simulated shopper has its own address.
    RATE_LIMIT_ENABLED: 'true',
    SHED_ENABLED: String(p.shedding),
    CACHE_ENABLED: String(p.cache),
    ADMISSION_HOT_CONCURRENCY: p.checkoutLine ? (process.env.ADMISSION_HOT_CONCURRENCY ?? '32') : '0',
    API_PROCESSES: String(p.apiProcesses),
    ...(p.redisUrl ? { REDIS_URL: p.redisUrl, REDIS_KEY_PREFIX: `atelier-lab-${runTag}` } : {}),
  };
}

/** Starts the provider, the worker and the API (in that order: the worker applies migrations first). */
export async function startDeployment(dataDir: string, ports: Ports, p: Practices, runTag: string): Promise<Deployment> {
  const env = atelierEnv(dataDir, ports, p, runTag);
  const children: AtelierChild[] = [];
  const stop = async () => {
    for (const c of children.reverse()) await stopAtelier(c);
  };
  try {
    const provider = startAtelier('payment provider', ['payment-provider'], env);
    children.push(provider);
    await waitUntilReady(provider, `http://127.0.0.1:${ports.provider}/v1/charges`);
    const worker = startAtelier('worker', ['worker'], { ...env, METRICS_PORT: String(ports.workerMetrics) });
    children.push(worker);
    await waitUntilReady(worker, `http://127.0.0.1:${ports.workerMetrics}/metrics`);
    const api = startAtelier('api', ['api'], { ...env, METRICS_PORT: String(ports.apiMetrics) });
    children.push(api);
    await waitUntilReady(api, `http://127.0.0.1:${ports.api}/ready`);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    base: `http://127.0.0.1:${ports.api}`,
    metrics: [
      { role: 'api', url: `http://127.0.0.1:${ports.apiMetrics}/metrics` },
      { role: 'worker', url: `http://127.0.0.1:${ports.workerMetrics}/metrics` },
    ],
    providerUrl: `http://127.0.0.1:${ports.provider}`,
    env,
    settings: {
      layout: `atelier api (${p.apiProcesses} API process${p.apiProcesses > 1 ? 'es' : ''}), atelier worker, simulated payment provider`,
      postgres: givenPostgres()
        ? 'given (CATALOG_DATABASE_URL, SHARD_DATABASE_URLS)'
        : `embedded, ${path.relative(process.cwd(), dataDir) || dataDir}`,
      redis: p.redisUrl ? 'on (shared cache tier, rate limits, checkout line)' : 'off',
      cache: p.cache ? 'on' : 'off',
      'load shedding': p.shedding ? 'on' : 'off',
      'checkout line': p.checkoutLine ? `on (${env.ADMISSION_HOT_CONCURRENCY} in flight per variant)` : 'off',
      'rate limits': 'on, per shopper address',
    },
    stop,
  };
}

/** `--url`: someone else's deployment; the lab starts and stops nothing. */
export function targetDeployment(url: string, metricsUrls: readonly string[], providerUrl: string | null): Deployment {
  return {
    base: url.replace(/\/$/, ''),
    metrics: metricsUrls.map((u, i) => ({ role: metricsUrls.length === 1 ? 'server' : `server ${i + 1}`, url: u })),
    providerUrl,
    env: null,
    settings: { target: url, metrics: metricsUrls.join(', ') || 'not read' },
    stop: async () => undefined,
  };
}
