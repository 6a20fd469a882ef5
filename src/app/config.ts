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
  ATELIER_SHOP_APPROVAL: z.enum(['required', 'none']).default('none'),
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
    .default(0),
  SHED_MAX_IN_FLIGHT: int(0, 1_000_000).default(64),
  SHED_IN_FLIGHT_TARGET_MS: int(0, 60_000).default(50),
  SHED_CHECKOUT_CONCURRENCY: int(0, 10_000).default(32),
  SHED_CHECKOUT_QUEUE_MS: int(0, 60_000).default(200),
  SHED_HEAP_USED_BYTES: int(0, Number.MAX_SAFE_INTEGER).optional(),
  SHED_RSS_BYTES: int(0, Number.MAX_SAFE_INTEGER).optional(),
  SHED_RETRY_AFTER_SECONDS: int(1, 3600).default(5),
  SHED_SAMPLE_INTERVAL_MS: int(10, 60_000).default(100),
  SHED_WARM_UP_MS: int(0, 600_000).default(3000),
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
  NODE_ENV: z.string().optional(),
  DEMO_SEED: bool.optional(),
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
  ADMISSION_HOT_CONCURRENCY: int(0, 10_000).default(512),
  CHECKOUT_GROUP_MAX: int(1, 500).default(32),
  CHECKOUT_GROUP_WINDOW_MS: int(0, 50).default(2),
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
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_PORT: int(0, 65535).default(9464),
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,200}$/, { message: 'must be 16-200 printable characters without spaces' })
    .optional(),
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

/**
 * What each setting means: `npm run docs:config` writes docs/configuration.md from these and the
 * schema's defaults, and a test fails when that file is out of date. Every setting needs an entry
 * (the type says so); `default` only where the schema's default is not what to show.
 */
export const settingDocs: { readonly [K in keyof typeof schema.shape]: string | { default: string; description: string } } = {
  HOST: 'address the API listens on',
  PORT: 'port the API listens on',
  API_PROCESSES: 'API processes `start` and `api` run on the one port (node:cluster); 1: the API runs in the process itself',
  SHUTDOWN_TIMEOUT_SECONDS: 'a graceful shutdown (`SIGTERM`, `Ctrl-C`) still unfinished after this long exits anyway, with exit code 1',
  LOG_LEVEL: 'the least severe log lines written; JSON lines on stdout',
  ATELIER_DATA_DIR: "local data: the embedded PostgreSQL and, by default, uploaded media, the email outbox and sellers' CSV exports",
  CATALOG_DATABASE_URL: '`postgres://` URL of the catalog store. Unset, together with `SHARD_DATABASE_URLS`: the embedded PostgreSQL',
  SHARD_DATABASE_URLS:
    'the physical customer-shard databases, comma separated: `name=postgres://...` pairs or plain URLs (named `shard0`, `shard1`, ...). Must be set with `CATALOG_DATABASE_URL`',
  EMBEDDED_PG_PORT: 'port of the embedded PostgreSQL',
  EMBEDDED_SHARD_DATABASES: 'how many physical shard databases the embedded server holds',
  LOGICAL_SHARDS: 'logical shards customer data is hashed into; fixed once data exists (move shards instead)',
  PG_POOL_MAX: 'connections per database pool, per process',
  PG_STATEMENT_TIMEOUT_MS:
    'a query running longer is cancelled by the server; the client gives up 1 s after that on a server that stopped answering (the request answers `503`)',
  PG_PREPARED_STATEMENTS:
    'parameterised statements run as named prepared statements: parsed once per connection, not at every run (`src/platform/postgres/prepared-statements.ts`). `false` behind a pooler in transaction mode (PgBouncer before 1.21)',
  CATALOG_REPLICA_URLS:
    "`postgres://` URLs of the catalog store's streaming replicas, comma separated ([read replicas](operations.md#read-replicas)). Unset: every read on the primary",
  REPLICA_MAX_LAG_MS: 'a replica further behind the primary leaves the rotation; it returns under half of this',
  REPLICA_CHECK_INTERVAL_MS: 'how often each node probes the primary and every replica (health, replay position, lag)',
  REPLICA_READ_YOUR_WRITES_MS:
    'how long a client that wrote reads around the caches; at least `REPLICA_MAX_LAG_MS + 3 x REPLICA_CHECK_INTERVAL_MS + 1000`',
  CACHE_ENABLED: 'the in-process read cache for public catalog data (`false` to measure without it)',
  CACHE_TTL_SECONDS: 'how long a cached entry is fresh',
  CACHE_GRACE_SECONDS: 'how long a stale entry may still be served while it is refreshed or while the database is down (0: never)',
  CACHE_MAX_ITEMS: 'entries the in-process cache holds before evicting',
  SEARCH_FULLTEXT_TIMEOUT_MS:
    'time budget of the ranked full-text search query (PostgreSQL cancels it); past it a simpler title-only match answers, marked degraded ([graceful degradation](resiliency.md#graceful-degradation))',
  REDIS_URL:
    '`redis://` or `rediss://` URL. Set: Redis is the shared second cache tier, carries cache invalidations to every process, and holds the rate-limit counters ([Redis tier](operations.md#redis-tier)). Unset: level 0, all in process memory',
  REDIS_TIMEOUT_MS: 'a Redis command that takes longer fails, and the request goes on without Redis',
  REDIS_KEY_PREFIX: 'prefix of every Redis key and channel; deployments sharing one Redis need different ones',
  SESSION_CACHE_SECONDS:
    'how long a session lookup is cached (memory, and Redis when set); log-out and revocation remove it at once on every process. `0`: no cache',
  TRUST_PROXY:
    'peers whose `X-Forwarded-For` names the client (the address per-IP rate limits count): `loopback` for a proxy on the same host, addresses or CIDRs (comma separated) for proxies elsewhere, `false` for none. `true` trusts everyone, so clients could choose their own address',
  RATE_LIMIT_ENABLED:
    'rate limits per client address and per account ([rate limits](security.md#rate-limits)); `npm test` and `npm run bench` turn them off unless a test asks',
  RATE_LIMIT_WINDOW_SECONDS: 'the window every limit counts over',
  RATE_LIMIT_IP_MAX: 'requests per window from one client address, all routes but `/health` and `/ready`',
  RATE_LIMIT_ACCOUNT_MAX: 'requests per window from one signed-in account, on routes that resolve the session',
  RATE_LIMIT_STRICT_IP_MAX: 'log-ins, sign-ups, checkouts (each counted apart) per window from one client address',
  RATE_LIMIT_STRICT_ACCOUNT_MAX:
    'checkouts per window by one account (idempotent replays are not counted); log-in guesses have limits of their own (`LOGIN_*`)',
  SHED_ENABLED:
    '[load shedding](resiliency.md#load-shedding): refuse browsing and reports with `503` when the process is overloaded; `npm test` and `npm run bench` turn it off unless a test asks',
  SHED_EVENT_LOOP_DELAY_MS: 'mean event-loop delay over one sample that starts level 1; twice it starts level 2. `0`: not checked',
  SHED_EVENT_LOOP_UTILIZATION:
    'share of one sample the event loop was busy (0 to 1) that starts level 1. `0`: not checked (the default: at saturation it stays at 1 and would refuse all anonymous browsing; `SHED_MAX_IN_FLIGHT` sheds only the excess)',
  SHED_MAX_IN_FLIGHT:
    'most requests in flight in this process: past the limit a new one is refused at once with `503`, before any hook runs, unless its route is `critical` (checkout, cart, orders, sign-in) or a probe. The limit adapts between 32 and this (`SHED_IN_FLIGHT_TARGET_MS`). `0`: no limit',
  SHED_IN_FLIGHT_TARGET_MS:
    'mean time in flight the in-flight limit steers to: over it, every sample lowers the limit by a tenth; under it, a limit that was reached grows by a sixteenth. `0`: the limit is `SHED_MAX_IN_FLIGHT`, fixed',
  SHED_CHECKOUT_CONCURRENCY:
    'checkouts (API and storefront form) running at once in this process; one more waits for a place (`SHED_CHECKOUT_QUEUE_MS`), then gets `503`. Bounds the share of the machine checkout takes under overload. `0`: no bound',
  SHED_CHECKOUT_QUEUE_MS:
    'how long a checkout waits for one of the `SHED_CHECKOUT_CONCURRENCY` places before it is refused. `0`: refused at once',
  SHED_HEAP_USED_BYTES: {
    default: '3/4 of the V8 heap limit',
    description:
      'V8 heap in use that starts level 1; half-way from it to the heap limit starts level 2. Must be below the limit. `0`: not checked',
  },
  SHED_RSS_BYTES: {
    default: '3/4 of the memory limit',
    description:
      "resident memory that starts level 1; half-way to the memory limit (the container's, else the machine's) starts level 2. `0`: not checked",
  },
  SHED_RETRY_AFTER_SECONDS: '`Retry-After` on a shed request',
  SHED_WARM_UP_MS:
    'nothing is shed until this long (and at least two samples) after the process is ready: the work a new process does once (first imports, queued start-up jobs, cold caches) is not load to shed. `0`: armed after two samples',
  SHED_SAMPLE_INTERVAL_MS: 'how often the signals are sampled; a request is judged on the last sample',
  HTTP_S_MAXAGE_SECONDS: '`s-maxage` on public catalog responses, for a CDN or shared cache in front',
  HTTP_STALE_WHILE_REVALIDATE_SECONDS: '`stale-while-revalidate` on the same responses',
  SESSION_IDLE_MINUTES: 'a session unused this long expires (the default is 7 days)',
  SESSION_ABSOLUTE_DAYS: 'a session expires this long after sign-in, used or not',
  SESSION_STAFF_IDLE_MINUTES:
    "a seller's or admin's session unused this long expires (they move money; customers get `SESSION_IDLE_MINUTES`)",
  SESSION_STAFF_ABSOLUTE_HOURS: "a seller's or admin's session expires this long after sign-in, used or not",
  SESSION_REAUTH_MINUTES:
    'sensitive changes by sellers and admins (webhook endpoints) need the password entered this recently (`POST /api/v1/auth/reauthenticate`)',
  LOGIN_CLIENT_MINUTE_MAX:
    'password guesses per minute against one account from one client address (log-in, re-authentication, password change)',
  LOGIN_CLIENT_HOURLY_MAX: 'password guesses per hour against one account from one client address',
  LOGIN_ACCOUNT_HOURLY_MAX:
    'password guesses per hour against one account from all addresses together; a browser that signed in to it before (device cookie) is exempt, so an attack cannot lock the owner out',
  PASSWORD_RESET_MINUTES: 'a password-reset link works this long, once',
  EMAIL_VERIFY_HOURS: 'an email-verification link works this long, once',
  PUBLIC_URL: {
    default: 'http://localhost:$PORT',
    description: 'the address people reach the site at, for links in emails (verification, password reset)',
  },
  COOKIE_SECURE: 'mark the session cookie `Secure` (HTTPS only); `false` for plain-http local use',
  BODY_LIMIT_BYTES: 'largest JSON request body',
  MEDIA_MAX_BYTES: 'largest image upload',
  MEDIA_DIR: { default: '`<ATELIER_DATA_DIR>/media`', description: 'where uploaded images and their resized variants are stored' },
  MEDIA_CONCURRENCY: 'image jobs in flight at once per database, in the media pool of a worker process',
  WORKER_CONCURRENCY: 'jobs a worker process runs at once',
  NODE_ENV: {
    default: '(unset)',
    description: '`production`: `start` seeds no demo accounts unless `DEMO_SEED=true`',
  },
  DEMO_SEED: {
    default: 'true, or false when NODE_ENV=production',
    description:
      '`start` seeds a demo catalog (200 products) into an empty database; the demo accounts get a password made at the first seed, printed once and kept in `ATELIER_DATA_DIR/demo-password.txt` (owner-only)',
  },
  BENCH_ROUTES: 'adds the `/bench/*` baseline routes used by `npm run bench`; never in production',
  PAYMENT_PROVIDER_URL: '`http(s)://` URL of the payment provider. Unset: `atelier start` runs a simulated provider next to the app',
  PAYMENT_PROVIDER_PORT: 'port of the simulated payment provider (in `start`, or alone with `atelier payment-provider`)',
  PAYMENT_TIMEOUT_MS: 'timeout of every call to the payment provider',
  PAYMENT_BREAKER_HALF_OPEN_MS:
    'how long the payment breaker stays open (after 5 failed calls in a row) before one probe call is let through',
  RESERVATION_TTL_SECONDS: 'how long stock stays reserved for a checkout before the sweeper may release it',
  PAYMENT_DEADLINE_MINUTES:
    'how long an accepted order may wait for a successful payment (say, while the provider is down) before it fails',
  SWEEP_INTERVAL_SECONDS: 'how often the sweeper looks for expired reservations and stuck orders',
  JOB_LOCK_TIMEOUT_SECONDS: 'after this long, a job whose worker vanished is considered abandoned and run again',
  REPORTING_BATCH_DELAY_MS:
    'reporting applies the `order.paid` and `stock.low` events of each window of this length in one job and one transaction ([reporting](reporting.md)); an event waits at most this long. `0`: each in a job of its own; `npm test` sets 0 unless a test asks',
  IDEMPOTENCY_TTL_HOURS: 'how long an `Idempotency-Key` and its first answer are remembered',
  ADMISSION_HOT_CONCURRENCY:
    'checkouts of one variant in flight at once (across API processes with `REDIS_URL`, else per process); more buyers get a place in line ([checkout admission queue](checkout.md#checkout-admission-queue)). `0`: no line; `npm test` turns it off unless a test asks',
  CHECKOUT_GROUP_MAX:
    'checkouts written together in one transaction per shard database at most ([group commit](checkout.md#group-commit)); `1` writes each alone',
  CHECKOUT_GROUP_WINDOW_MS:
    "how long a checkout waits for others to share its transaction: the most group commit adds to a lone buyer's checkout. `0`: only checkouts that arrive while a group is being written are grouped",
  ADMISSION_GRACE_SECONDS:
    "how long a waiting buyer's place is kept after the time it was told to come back (`Retry-After`); then it is given up",
  SMTP_URL: '`smtp://` or `smtps://` server for email. Unset: emails are written as files to `OUTBOX_DIR`',
  MAIL_FROM: 'sender of every email',
  OUTBOX_DIR: { default: '`<ATELIER_DATA_DIR>/outbox`', description: 'where emails go when `SMTP_URL` is unset' },
  SMTP_TIMEOUT_MS: 'longest wait on the SMTP server: connecting, its greeting, any silence mid-message; past it the send is retried later',
  MAIL_CONCURRENCY:
    'emails being sent at once per database, in the email pool of a worker process (each holds a database connection while it sends)',
  MAIL_RETRY_BASE_MS:
    'delay before an email that could not be sent is tried again; doubles at each try, with jitter, never given up; also how long the mail breaker stays open',
  MAIL_RETRY_MAX_DELAY_MS: 'longest delay between two tries of an email (at least `MAIL_RETRY_BASE_MS`)',
  WEBHOOKS_ALLOW_INSECURE:
    'allow `http://` and loopback/private addresses for seller webhooks ([seller webhooks](webhooks.md)); tests and local development only',
  WEBHOOKS_CONCURRENCY: 'webhook deliveries in flight at once per database, in the webhook pool of a worker process',
  WEBHOOKS_TIMEOUT_MS: 'time limit of one delivery attempt',
  WEBHOOKS_RETRY_BASE_MS: 'delay before the first retry of a failed delivery; doubles at each retry, with jitter',
  WEBHOOKS_RETRY_MAX_DELAY_MS: 'longest delay between two retries (at least `WEBHOOKS_RETRY_BASE_MS`)',
  WEBHOOKS_RETRY_WINDOW_SECONDS: 'how long a delivery is retried, and how long an endpoint may fail before it is disabled',
  WEBHOOKS_BATCH_DELAY_MS:
    'the `order.paid` events of each window of this length reach the webhook subscriber in one job ([seller webhooks, how it runs](webhooks.md#how-it-runs)); a delivery is queued at most this much later. `0`: each in a job of its own; `npm test` sets 0',
  METRICS_ENABLED:
    'serve `GET /metrics` (Prometheus) on a listener of its own, never on the API port ([metrics](observability.md#metrics))',
  METRICS_HOST:
    'address the metrics listener binds to; the default keeps it off the network, so only a Prometheus on the same host (or one you let in) scrapes it',
  METRICS_PORT:
    'port of the metrics listener: one per host process (the primary of `--api-processes N` answers for all its API processes). Run a worker beside `start` or `api` on another port (`ops/prometheus` scrapes 9465 for it). `0`: any free port, logged at start',
  METRICS_TOKEN: {
    default: '(none)',
    description:
      'set: the metrics listener answers only `Authorization: Bearer <token>` (`401` otherwise); for a listener bound to a shared network',
  },
  ATELIER_TRACING: {
    default: '(follows the endpoint)',
    description: '`true` turns tracing on (OTLP to `http://localhost:4318` without an endpoint), `false` keeps it off even with one',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: 'OTLP/HTTP collector base URL (`/v1/traces` is appended); set: tracing on',
  OTEL_SERVICE_NAME: '`service.name` of the spans',
  TRACE_SAMPLE_RATIO: "share of new traces kept (0 to 1); a trace started by the caller (`traceparent`) keeps the caller's decision",
  PUBLIC_CURRENCY: 'ISO 4217 currency of public prices and price filters',
  ATELIER_SHOP_APPROVAL:
    '`required`: a shop a seller opens is `pending`, and none of its products is public, until an admin approves it ([moderation](moderation.md)); `none`: it is active at once. Seeded shops are always active',
};

export { schema as settingsSchema };

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
  /**
   * `atelier start` seeds demo shops and accounts into an empty catalog: by default, except with
   * NODE_ENV=production, where only DEMO_SEED=true does (a production system never gets accounts
   * whose password sits in a file on the server).
   */
  demoSeed: boolean;
  benchRoutes: boolean;
  currency: string;
  /** ATELIER_SHOP_APPROVAL: whether a shop a seller opens waits for an admin's approval. */
  shopApproval: 'required' | 'none';
  payments: {
    /** Unset: `atelier start` runs the simulated provider in-process on `simulatorPort`. */
    providerUrl: string | null;
    simulatorPort: number;
    timeoutMs: number;
    /** How long the breaker stays open before one probe call is let through. */
    breakerHalfOpenAfterMs: number;
  };
  checkout: {
    reservationTtlSeconds: number;
    paymentDeadlineMinutes: number;
    idempotencyTtlHours: number;
    groupMax: number;
    groupWindowMs: number;
  };
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
    /**
     * The Prometheus scrape, `GET /metrics`, on its own listener, never on the API port (what it
     * names, every route, query and queue, is not for the public, and each scrape queries every
     * database). One per host process: the primary of `--api-processes N` answers for itself and
     * its API processes together. `port` 0 takes any free port (logged); `token` set: only
     * `Authorization: Bearer <token>` is answered. Null: METRICS_ENABLED=false.
     */
    metrics: { host: string; port: number; token: string | null } | null;
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
      warmUpMs: e.SHED_WARM_UP_MS,
      maxInFlight: e.SHED_MAX_IN_FLIGHT,
      inFlightTargetMs: e.SHED_IN_FLIGHT_TARGET_MS,
      boundedConcurrency: e.SHED_CHECKOUT_CONCURRENCY,
      boundedQueueMs: e.SHED_CHECKOUT_QUEUE_MS,
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
    demoSeed: e.DEMO_SEED ?? e.NODE_ENV !== 'production',
    benchRoutes: e.BENCH_ROUTES,
    currency: e.PUBLIC_CURRENCY,
    shopApproval: e.ATELIER_SHOP_APPROVAL,
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
      groupMax: e.CHECKOUT_GROUP_MAX,
      groupWindowMs: e.CHECKOUT_GROUP_WINDOW_MS,
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
      metrics: e.METRICS_ENABLED ? { host: e.METRICS_HOST, port: e.METRICS_PORT, token: e.METRICS_TOKEN ?? null } : null,
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
