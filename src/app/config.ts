import path from 'node:path';
import { z } from 'zod';
import type { WebhooksSettings } from '../modules/webhooks/index.ts';
import { DEFAULT_MEMORY_FRACTION, memoryLimits, type LoadSheddingSettings } from '../platform/http/load-shedding.ts';

/**
 * Every setting Atelier reads, from environment variables only. Read once at start, validated,
 * frozen. A bad value stops start-up with a message naming the variable, because a marketplace
 * that boots with a half-understood setting fails later and further from the cause.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, { message: 'must be a whole number' }).transform(Number).pipe(z.number().int().min(min).max(max));

const postgresUrl = z.string().refine((v) => /^postgres(ql)?:\/\//.test(v), { message: 'must be a postgres:// URL' });

const schema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  API_PROCESSES: int(1, 64).default(1),
  SHUTDOWN_TIMEOUT_SECONDS: int(1, 3600).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ATELIER_DATA_DIR: z.string().min(1).default('.atelier'),
  CATALOG_DATABASE_URL: postgresUrl.optional(),
  SHARD_DATABASE_URLS: z.string().min(1).optional(),
  EMBEDDED_PG_PORT: int(1, 65535).default(54329),
  EMBEDDED_SHARD_DATABASES: int(1, 64).default(2),
  LOGICAL_SHARDS: int(1, 4096).default(64),
  PG_POOL_MAX: int(1, 500).default(10),
  PG_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(5000),
  PG_PREPARED_STATEMENTS: bool.default(true),
  CATALOG_REPLICA_URLS: z.string().optional(),
  REPLICA_MAX_LAG_MS: int(50, 600_000).default(1000),
  REPLICA_CHECK_INTERVAL_MS: int(50, 60_000).default(500),
  REPLICA_READ_YOUR_WRITES_MS: int(0, 3_600_000).default(5000),
  CACHE_ENABLED: bool.default(true),
  CACHE_TTL_SECONDS: int(1, 86_400).default(60),
  CACHE_GRACE_SECONDS: int(0, 604_800).default(6 * 3600),
  CACHE_MAX_ITEMS: int(100, 10_000_000).default(50_000),
  SEARCH_FULLTEXT_TIMEOUT_MS: int(1, 600_000).default(500),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\//.test(v), { message: 'must be a redis:// or rediss:// URL' })
    .optional(),
  REDIS_TIMEOUT_MS: int(5, 10_000).default(50),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'must be 1-64 characters of A-Z, a-z, 0-9, ":", "_", ".", "-"' })
    .default('atelier'),
  SESSION_CACHE_SECONDS: int(0, 300).default(30),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|[0-9A-Za-z.:/, ]+)$/, { message: 'must be true, false, or comma-separated addresses, CIDRs or loopback' })
    .default('loopback'),
  RATE_LIMIT_ENABLED: bool.default(true),
  RATE_LIMIT_WINDOW_SECONDS: int(1, 3600).default(60),
  RATE_LIMIT_IP_MAX: int(1, 10_000_000).default(1200),
  RATE_LIMIT_ACCOUNT_MAX: int(1, 10_000_000).default(600),
  RATE_LIMIT_STRICT_IP_MAX: int(1, 10_000_000).default(30),
  RATE_LIMIT_STRICT_ACCOUNT_MAX: int(1, 10_000_000).default(10),
  SHED_ENABLED: bool.default(true),
  SHED_EVENT_LOOP_DELAY_MS: int(0, 60_000).default(100),
  SHED_EVENT_LOOP_UTILIZATION: z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, { message: 'must be a number from 0 to 1' })
    .transform(Number)
    .default(0.95),
  SHED_HEAP_USED_BYTES: int(0, Number.MAX_SAFE_INTEGER).optional(),
  SHED_RSS_BYTES: int(0, Number.MAX_SAFE_INTEGER).optional(),
  SHED_RETRY_AFTER_SECONDS: int(1, 3600).default(5),
  SHED_SAMPLE_INTERVAL_MS: int(10, 60_000).default(100),
  HTTP_S_MAXAGE_SECONDS: int(0, 86_400).default(30),
  HTTP_STALE_WHILE_REVALIDATE_SECONDS: int(0, 86_400).default(300),
  SESSION_IDLE_MINUTES: int(5, 525_600).default(7 * 24 * 60),
  SESSION_ABSOLUTE_DAYS: int(1, 365).default(30),
  COOKIE_SECURE: bool.default(true),
  SESSION_STAFF_IDLE_MINUTES: int(5, 1440).default(30),
  SESSION_STAFF_ABSOLUTE_HOURS: int(1, 168).default(12),
  SESSION_REAUTH_MINUTES: int(1, 1440).default(10),
  LOGIN_ACCOUNT_HOURLY_MAX: int(1, 100_000).default(100),
  LOGIN_CLIENT_MINUTE_MAX: int(1, 100_000).default(5),
  LOGIN_CLIENT_HOURLY_MAX: int(1, 100_000).default(30),
  PASSWORD_RESET_MINUTES: int(5, 1440).default(30),
  EMAIL_VERIFY_HOURS: int(1, 720).default(48),
  PUBLIC_URL: z
    .string()
    .refine((v) => /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(v), { message: 'must be an http(s):// URL with no query or fragment' })
    .optional(),
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  MEDIA_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  MEDIA_DIR: z.string().min(1).optional(),
  MEDIA_CONCURRENCY: int(1, 100).default(2),
  WORKER_CONCURRENCY: int(1, 100).default(4),
  DEMO_SEED: bool.default(true),
  BENCH_ROUTES: bool.default(false),
  PAYMENT_PROVIDER_URL: z
    .string()
    .refine((v) => /^https?:\/\//.test(v), { message: 'must be an http(s):// URL' })
    .optional(),
  PAYMENT_PROVIDER_PORT: int(0, 65535).default(3100),
  PAYMENT_TIMEOUT_MS: int(50, 60_000).default(2000),
  PAYMENT_BREAKER_HALF_OPEN_MS: int(100, 600_000).default(10_000),
  RESERVATION_TTL_SECONDS: int(5, 86_400).default(900),
  PAYMENT_DEADLINE_MINUTES: int(1, 10_080).default(24 * 60),
  SWEEP_INTERVAL_SECONDS: int(1, 3600).default(30),
  JOB_LOCK_TIMEOUT_SECONDS: int(2, 86_400).default(300),
  REPORTING_BATCH_DELAY_MS: int(0, 60_000).default(200),
  IDEMPOTENCY_TTL_HOURS: int(24, 720).default(48),
  ADMISSION_HOT_CONCURRENCY: int(0, 10_000).default(32),
  ADMISSION_GRACE_SECONDS: int(1, 3600).default(5),
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\//.test(v), { message: 'must be an smtp:// or smtps:// URL' })
    .optional(),
  MAIL_FROM: z.string().min(3).max(200).default('Atelier <orders@atelier.test>'),
  OUTBOX_DIR: z.string().min(1).optional(),
  SMTP_TIMEOUT_MS: int(100, 300_000).default(10_000),
  MAIL_CONCURRENCY: int(1, 100).default(2),
  MAIL_RETRY_BASE_MS: int(10, 3_600_000).default(5000),
  MAIL_RETRY_MAX_DELAY_MS: int(10, 86_400_000).default(300_000),
  WEBHOOKS_ALLOW_INSECURE: bool.default(false),
  WEBHOOKS_CONCURRENCY: int(1, 100).default(4),
  WEBHOOKS_TIMEOUT_MS: int(100, 60_000).default(5000),
  WEBHOOKS_RETRY_BASE_MS: int(10, 3_600_000).default(30_000),
  WEBHOOKS_RETRY_MAX_DELAY_MS: int(10, 86_400_000).default(3_600_000),
  WEBHOOKS_RETRY_WINDOW_SECONDS: int(1, 7 * 86_400).default(86_400),
  WEBHOOKS_BATCH_DELAY_MS: int(0, 60_000).default(200),
  METRICS_ENABLED: bool.default(true),
  METRICS_PORT: int(1, 65535).optional(),
  ATELIER_TRACING: bool.optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .refine((v) => /^https?:\/\//.test(v), { message: 'must be an http(s):// URL' })
    .optional(),
  OTEL_SERVICE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { message: 'must be 1-64 characters of A-Z, a-z, 0-9, ".", "_", "-"' })
    .default('atelier'),
  TRACE_SAMPLE_RATIO: z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?)$/, { message: 'must be a number from 0 to 1' })
    .transform(Number)
    .default(1),
  PUBLIC_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as USD' })
    .default('USD'),
});

export type Config = Readonly<{
  host: string;
  port: number;
  /** A graceful shutdown still unfinished after this long exits anyway (exit code 1). */
  shutdownTimeoutSeconds: number;
  /** API processes `start` and `api` run on one port (node:cluster); 1 runs the API in the process itself. */
  apiProcesses: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  dataDir: string;
  /** Unset database URLs mean the embedded PostgreSQL this process starts or attaches to. */
  embedded: { port: number; shardDatabases: number } | null;
  catalogDatabaseUrl: string | null;
  /** Physical shard databases by name; the persisted shard map refers to them by that name. */
  shardDatabases: ReadonlyArray<{ name: string; url: string | null }>;
  logicalShards: number;
  /** preparedStatements: parameterised statements run as named prepared statements (platform/postgres/prepared-statements.ts). */
  pg: { poolMax: number; statementTimeoutMs: number; preparedStatements: boolean };
  /** Streaming replicas of the catalog store; no URLs means every read on the primary. */
  catalogReplicas: { urls: string[]; maxLagMs: number; checkIntervalMs: number; readYourWritesMs: number };
  cache: { enabled: boolean; ttlSeconds: number; graceSeconds: number; maxItems: number };
  /** Past `fullTextTimeoutMs` the ranked full-text query is cancelled and a simpler one answers. */
  search: { fullTextTimeoutMs: number };
  /** Unset: level 0, everything in process memory. Set: the shared cache tier, bus and rate-limit counters. */
  redis: { url: string; timeoutMs: number; keyPrefix: string } | null;
  /** Per window of `windowSeconds`; strict limits apply to log-in, sign-up and checkout. */
  rateLimit: { enabled: boolean; windowSeconds: number; ipMax: number; accountMax: number; strictIpMax: number; strictAccountMax: number };
  /** Refusing browsing and reporting with 503 when event-loop delay, heap or RSS pass their thresholds. */
  loadShedding: LoadSheddingSettings;
  httpCache: { sMaxAge: number; staleWhileRevalidate: number };
  /**
   * Customers' sessions: `idleMinutes` and `absoluteDays`. Sellers and admins, who move money, get
   * at most `staffAbsoluteHours` and `staffIdleMinutes`, and re-enter their password for sensitive
   * changes after `reauthMinutes`. Links in account emails start with `publicUrl`.
   */
  session: {
    idleMinutes: number;
    absoluteDays: number;
    staffIdleMinutes: number;
    staffAbsoluteHours: number;
    reauthMinutes: number;
    cookieSecure: boolean;
    cacheSeconds: number;
    passwordResetMinutes: number;
    emailVerifyHours: number;
    publicUrl: string;
  };
  /** Password guesses (platform/http/rate-limit.ts): per account and client, and per account an hour. */
  login: { accountHourlyMax: number; clientMinuteMax: number; clientHourlyMax: number };
  bodyLimitBytes: number;
  /**
   * Which peers may set X-Forwarded-For (Fastify's `trustProxy`): the client address per-IP rate
   * limits count comes from there. `true` trusts anyone, so any client could pick its own address.
   */
  trustProxy: boolean | string;
  /** `concurrency`: image jobs at a time per database, in the media worker pool (app/worker.ts). */
  media: { maxBytes: number; dir: string; concurrency: number };
  worker: { concurrency: number };
  demoSeed: boolean;
  benchRoutes: boolean;
  currency: string;
  payments: {
    /** Unset: `atelier start` runs the simulated provider in-process on `simulatorPort`. */
    providerUrl: string | null;
    simulatorPort: number;
    timeoutMs: number;
    /** How long the breaker stays open before one probe call is let through. */
    breakerHalfOpenAfterMs: number;
  };
  checkout: { reservationTtlSeconds: number; paymentDeadlineMinutes: number; idempotencyTtlHours: number };
  /**
   * The checkout line of a hot variant: more than `hotConcurrency` checkouts of it in flight (across
   * processes sharing Redis) and newcomers get a place in line instead; 0 turns it off.
   */
  admission: { hotConcurrency: number; graceSeconds: number };
  sweeper: { intervalSeconds: number; jobLockTimeoutSeconds: number };
  /** Reporting's events are applied in batches: those of each window of `batchDelayMs` in one job (0: one by one). */
  reporting: { batchDelayMs: number };
  /**
   * `timeoutMs` bounds each wait on the SMTP server (connect, greeting, any socket silence);
   * `concurrency` is the email worker pool's, per database; a failed send is retried after
   * `retryBaseMs`, doubling up to `retryMaxDelayMs`, with jitter, for as long as it takes.
   */
  mail: {
    smtpUrl: string | null;
    from: string;
    outboxDir: string;
    timeoutMs: number;
    concurrency: number;
    retryBaseMs: number;
    retryMaxDelayMs: number;
  };
  observability: {
    /** `GET /metrics` on the API server. */
    metricsEnabled: boolean;
    /** A listener serving only `/metrics` for the worker role (unset: none). */
    metricsPort: number | null;
    /** Null: tracing off, no SDK loaded. On with OTEL_EXPORTER_OTLP_ENDPOINT, or ATELIER_TRACING=true (OTLP on localhost:4318). */
    tracing: { endpoint: string; serviceName: string; sampleRatio: number } | null;
  };
  /** Seller webhooks: URL rules, the delivery pool's size, the timeout and the retry schedule. */
  webhooks: WebhooksSettings;
}>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** `name=url` pairs or plain URLs (named shard0, shard1, ...), comma separated. */
function parseShardUrls(raw: string): Array<{ name: string; url: string }> {
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const eq = entry.indexOf('=');
    const hasName = eq > 0 && !entry.slice(0, eq).includes(':');
    const name = hasName ? entry.slice(0, eq) : `shard${i}`;
    const url = hasName ? entry.slice(eq + 1) : entry;
    if (!/^[a-z][a-z0-9_]{0,40}$/.test(name)) {
      throw new ConfigError('SHARD_DATABASE_URLS', `has a bad database name "${name}" (use a-z, 0-9, _)`);
    }
    if (!postgresUrl.safeParse(url).success) {
      throw new ConfigError('SHARD_DATABASE_URLS', `entry ${i + 1} must be a postgres:// URL`);
    }
    if (seen.has(name)) throw new ConfigError('SHARD_DATABASE_URLS', `names "${name}" twice`);
    seen.add(name);
    return { name, url };
  });
}

/** Comma-separated postgres:// URLs of the catalog store's streaming replicas. */
function parseReplicaUrls(raw: string | undefined): string[] {
  const urls = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  urls.forEach((url, i) => {
    if (!postgresUrl.safeParse(url).success) throw new ConfigError('CATALOG_REPLICA_URLS', `entry ${i + 1} must be a postgres:// URL`);
  });
  if (new Set(urls).size !== urls.length) throw new ConfigError('CATALOG_REPLICA_URLS', 'names one replica twice');
  return urls;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = schema.safeParse(picked);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, `${issue.message} (got "${picked[variable] ?? ''}")`);
  }
  const e = result.data;
  const external = e.CATALOG_DATABASE_URL !== undefined;
  if (external !== (e.SHARD_DATABASE_URLS !== undefined)) {
    const missing = external ? 'SHARD_DATABASE_URLS' : 'CATALOG_DATABASE_URL';
    throw new ConfigError(missing, 'must be set together with the other database URL (or leave both unset for the embedded PostgreSQL)');
  }
  const dataDir = path.resolve(e.ATELIER_DATA_DIR);
  const shardDatabases = external
    ? parseShardUrls(e.SHARD_DATABASE_URLS!)
    : Array.from({ length: e.EMBEDDED_SHARD_DATABASES }, (_, i) => ({ name: `shard${i}`, url: null }));
  if (shardDatabases.length === 0) throw new ConfigError('SHARD_DATABASE_URLS', 'names no database');
  const replicaUrls = parseReplicaUrls(e.CATALOG_REPLICA_URLS);
  // A writer is pinned until every replica in rotation has its write and every cached page read
  // before that has been dropped (the catalog re-invalidates after the staleness bound; the
  // per-process page layer keeps a page up to 1 s): a shorter window would show it a stale page.
  const minWindow = e.REPLICA_MAX_LAG_MS + 3 * e.REPLICA_CHECK_INTERVAL_MS + 1000;
  if (replicaUrls.length > 0 && e.REPLICA_READ_YOUR_WRITES_MS < minWindow) {
    throw new ConfigError(
      'REPLICA_READ_YOUR_WRITES_MS',
      `must be at least REPLICA_MAX_LAG_MS + 3 x REPLICA_CHECK_INTERVAL_MS + 1000 = ${minWindow} (got "${e.REPLICA_READ_YOUR_WRITES_MS}")`,
    );
  }
  // A memory threshold past its limit would never be reached: V8 or the kernel fails first.
  const limits = memoryLimits();
  const heapUsedBytes = e.SHED_HEAP_USED_BYTES ?? Math.round(limits.heapBytes * DEFAULT_MEMORY_FRACTION);
  const rssBytes = e.SHED_RSS_BYTES ?? Math.round(limits.memoryBytes * DEFAULT_MEMORY_FRACTION);
  if (heapUsedBytes >= limits.heapBytes) {
    throw new ConfigError('SHED_HEAP_USED_BYTES', `must be below the V8 heap limit of ${limits.heapBytes} bytes (got "${heapUsedBytes}")`);
  }
  if (rssBytes >= limits.memoryBytes) {
    throw new ConfigError('SHED_RSS_BYTES', `must be below the memory limit of ${limits.memoryBytes} bytes (got "${rssBytes}")`);
  }
  if (e.WEBHOOKS_RETRY_MAX_DELAY_MS < e.WEBHOOKS_RETRY_BASE_MS) {
    throw new ConfigError(
      'WEBHOOKS_RETRY_MAX_DELAY_MS',
      `must be at least WEBHOOKS_RETRY_BASE_MS (${e.WEBHOOKS_RETRY_BASE_MS}) (got "${e.WEBHOOKS_RETRY_MAX_DELAY_MS}")`,
    );
  }
  if (e.MAIL_RETRY_MAX_DELAY_MS < e.MAIL_RETRY_BASE_MS) {
    throw new ConfigError(
      'MAIL_RETRY_MAX_DELAY_MS',
      `must be at least MAIL_RETRY_BASE_MS (${e.MAIL_RETRY_BASE_MS}) (got "${e.MAIL_RETRY_MAX_DELAY_MS}")`,
    );
  }

  return Object.freeze({
    host: e.HOST,
    port: e.PORT,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    apiProcesses: e.API_PROCESSES,
    logLevel: e.LOG_LEVEL,
    dataDir,
    embedded: external ? null : { port: e.EMBEDDED_PG_PORT, shardDatabases: e.EMBEDDED_SHARD_DATABASES },
    catalogDatabaseUrl: e.CATALOG_DATABASE_URL ?? null,
    shardDatabases,
    logicalShards: e.LOGICAL_SHARDS,
    pg: { poolMax: e.PG_POOL_MAX, statementTimeoutMs: e.PG_STATEMENT_TIMEOUT_MS, preparedStatements: e.PG_PREPARED_STATEMENTS },
    catalogReplicas: {
      urls: replicaUrls,
      maxLagMs: e.REPLICA_MAX_LAG_MS,
      checkIntervalMs: e.REPLICA_CHECK_INTERVAL_MS,
      readYourWritesMs: e.REPLICA_READ_YOUR_WRITES_MS,
    },
    cache: {
      enabled: e.CACHE_ENABLED,
      ttlSeconds: e.CACHE_TTL_SECONDS,
      graceSeconds: e.CACHE_GRACE_SECONDS,
      maxItems: e.CACHE_MAX_ITEMS,
    },
    search: { fullTextTimeoutMs: e.SEARCH_FULLTEXT_TIMEOUT_MS },
    redis: e.REDIS_URL ? { url: e.REDIS_URL, timeoutMs: e.REDIS_TIMEOUT_MS, keyPrefix: e.REDIS_KEY_PREFIX } : null,
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      ipMax: e.RATE_LIMIT_IP_MAX,
      accountMax: e.RATE_LIMIT_ACCOUNT_MAX,
      strictIpMax: e.RATE_LIMIT_STRICT_IP_MAX,
      strictAccountMax: e.RATE_LIMIT_STRICT_ACCOUNT_MAX,
    },
    loadShedding: {
      enabled: e.SHED_ENABLED,
      eventLoopDelayMs: e.SHED_EVENT_LOOP_DELAY_MS,
      eventLoopUtilization: e.SHED_EVENT_LOOP_UTILIZATION,
      heapUsedBytes,
      rssBytes,
      retryAfterSeconds: e.SHED_RETRY_AFTER_SECONDS,
      sampleIntervalMs: e.SHED_SAMPLE_INTERVAL_MS,
    },
    httpCache: { sMaxAge: e.HTTP_S_MAXAGE_SECONDS, staleWhileRevalidate: e.HTTP_STALE_WHILE_REVALIDATE_SECONDS },
    session: {
      idleMinutes: e.SESSION_IDLE_MINUTES,
      absoluteDays: e.SESSION_ABSOLUTE_DAYS,
      staffIdleMinutes: e.SESSION_STAFF_IDLE_MINUTES,
      staffAbsoluteHours: e.SESSION_STAFF_ABSOLUTE_HOURS,
      reauthMinutes: e.SESSION_REAUTH_MINUTES,
      cookieSecure: e.COOKIE_SECURE,
      cacheSeconds: e.SESSION_CACHE_SECONDS,
      passwordResetMinutes: e.PASSWORD_RESET_MINUTES,
      emailVerifyHours: e.EMAIL_VERIFY_HOURS,
      // Where a reader of an account email opens its link: this server unless a proxy fronts it.
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    },
    login: {
      accountHourlyMax: e.LOGIN_ACCOUNT_HOURLY_MAX,
      clientMinuteMax: e.LOGIN_CLIENT_MINUTE_MAX,
      clientHourlyMax: e.LOGIN_CLIENT_HOURLY_MAX,
    },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    trustProxy: e.TRUST_PROXY === 'true' ? true : e.TRUST_PROXY === 'false' ? false : e.TRUST_PROXY,
    media: {
      maxBytes: e.MEDIA_MAX_BYTES,
      dir: path.resolve(e.MEDIA_DIR ?? path.join(dataDir, 'media')),
      concurrency: e.MEDIA_CONCURRENCY,
    },
    worker: { concurrency: e.WORKER_CONCURRENCY },
    demoSeed: e.DEMO_SEED,
    benchRoutes: e.BENCH_ROUTES,
    currency: e.PUBLIC_CURRENCY,
    payments: {
      providerUrl: e.PAYMENT_PROVIDER_URL ?? null,
      simulatorPort: e.PAYMENT_PROVIDER_PORT,
      timeoutMs: e.PAYMENT_TIMEOUT_MS,
      breakerHalfOpenAfterMs: e.PAYMENT_BREAKER_HALF_OPEN_MS,
    },
    checkout: {
      reservationTtlSeconds: e.RESERVATION_TTL_SECONDS,
      paymentDeadlineMinutes: e.PAYMENT_DEADLINE_MINUTES,
      idempotencyTtlHours: e.IDEMPOTENCY_TTL_HOURS,
    },
    admission: { hotConcurrency: e.ADMISSION_HOT_CONCURRENCY, graceSeconds: e.ADMISSION_GRACE_SECONDS },
    sweeper: { intervalSeconds: e.SWEEP_INTERVAL_SECONDS, jobLockTimeoutSeconds: e.JOB_LOCK_TIMEOUT_SECONDS },
    reporting: { batchDelayMs: e.REPORTING_BATCH_DELAY_MS },
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: e.MAIL_FROM,
      outboxDir: path.resolve(e.OUTBOX_DIR ?? path.join(dataDir, 'outbox')),
      timeoutMs: e.SMTP_TIMEOUT_MS,
      concurrency: e.MAIL_CONCURRENCY,
      retryBaseMs: e.MAIL_RETRY_BASE_MS,
      retryMaxDelayMs: e.MAIL_RETRY_MAX_DELAY_MS,
    },
    observability: {
      metricsEnabled: e.METRICS_ENABLED,
      metricsPort: e.METRICS_PORT ?? null,
      // ATELIER_TRACING=false turns it off even with an endpoint set; unset follows the endpoint.
      tracing:
        (e.ATELIER_TRACING ?? e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined)
          ? {
              endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318',
              serviceName: e.OTEL_SERVICE_NAME,
              sampleRatio: e.TRACE_SAMPLE_RATIO,
            }
          : null,
    },
    webhooks: {
      allowInsecure: e.WEBHOOKS_ALLOW_INSECURE,
      concurrency: e.WEBHOOKS_CONCURRENCY,
      timeoutMs: e.WEBHOOKS_TIMEOUT_MS,
      retryBaseMs: e.WEBHOOKS_RETRY_BASE_MS,
      retryMaxDelayMs: e.WEBHOOKS_RETRY_MAX_DELAY_MS,
      retryWindowSeconds: e.WEBHOOKS_RETRY_WINDOW_SECONDS,
      batchDelayMs: e.WEBHOOKS_BATCH_DELAY_MS,
    },
  });
}
