import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import { sql } from 'kysely';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { normalizeIP } from '@fastify/rate-limit';
import { installRateLimits, type RouteLimit, type StrictRoute } from '../platform/http/rate-limit.ts';
import { installGracefulDrain } from '../platform/http/graceful-drain.ts';
import { installLoadShedding } from '../platform/http/load-shedding.ts';
import { SESSION_COOKIE } from '../modules/identity/index.ts';
import { BOUNDED_ROUTES, ROUTE_PRIORITIES } from './route-priorities.ts';
import { installHttpObservability } from '../platform/observability/http-observability.ts';
import { validatorCompiler } from '../platform/http/validation.ts';
import { installStorableTextCheck } from '../platform/http/storable-text.ts';
import { clientErrorHandler } from '../platform/http/client-errors.ts';
import { installSecurityHeaders } from '../platform/http/security-headers.ts';
import { pendingMigrations } from '../platform/postgres/migrations.ts';
import { errorHandler } from './http-errors.ts';
import type { Container } from './container.ts';
import { opsRoutes } from './ops.routes.ts';
import { apiDocsRoutes } from './api-docs.ts';
import { completeDocument, requireDocumentedRoutes } from './openapi-document.ts';
import { declareSecurityFromGuards, securitySchemes } from './openapi-security.ts';
import { withTimeout } from '../shared/timeout.ts';
import {
  assetRoutes,
  buildAssets,
  createPageCache,
  renderBusyPage,
  sendNotFoundPage,
  storefrontRoutes,
  backOfficeRoutes,
  type StorefrontDeps,
  type SiteContext,
} from '../web/index.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** How long `/ready` waits for one database before reporting it unreachable. */
const READY_CHECK_TIMEOUT_MS = 1000;

/**
 * How long a stopping API process keeps idle keep-alive connections open (graceful-drain.ts): long
 * enough for a busy client or proxy to send one more request on each and be told to reconnect.
 */
const DRAIN_IDLE_GRACE_MS = 2000;

const emailOf = (request: FastifyRequest): string | null => {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase() : null;
};

/**
 * Password guesses against one account (ASVS 2.2.1): per account and client address, a few a
 * minute and more an hour (a stepped delay: after the minute's allowance, wait the minute; after
 * the hour's, the hour); per account, `accountHourlyMax` an hour from every address together,
 * from which a browser that signed in to the account before is exempt (its device cookie), so an
 * attacker spending the cap does not lock the owner out. Re-authentication and password change
 * guess the same password, so they count the same way, keyed by the signed-in account's email.
 */
function guessLimits(config: Container['config'], account: (request: FastifyRequest) => string | null): RouteLimit[] {
  const ip = (request: FastifyRequest) => normalizeIP(request.ip);
  const pair = (request: FastifyRequest) => {
    const a = account(request);
    return a === null ? null : `${a}|${ip(request)}`;
  };
  return [
    { name: 'client-minute', max: config.login.clientMinuteMax, windowSeconds: 60, key: pair },
    { name: 'client-hour', max: config.login.clientHourlyMax, windowSeconds: 3600, key: pair },
    { name: 'account-hour', max: config.login.accountHourlyMax, windowSeconds: 3600, key: (r) => (r.knownDevice ? null : account(r)) },
  ];
}

/** A person's browser asking for a page (not a program, and nothing under /api): it gets the site's own problem pages. */
const wantsPage = (url: string, headers: IncomingHttpHeaders) =>
  !url.startsWith('/api/') && (headers.accept?.includes('text/html') ?? false);

/** Routes with strict rate limits (platform/http/rate-limit.ts): what bots and attackers hammer. */
function strictRoutes(config: Container['config']): StrictRoute[] {
  const signedInEmail = (request: FastifyRequest) => request.account?.email ?? null;
  return [
    // The per-account count is the guess limits' (a fixed 10 a minute locked the owner out too).
    { method: 'POST', url: '/api/v1/auth/login', name: 'login', subject: () => null, limits: guessLimits(config, emailOf) },
    { method: 'POST', url: '/api/v1/auth/reauthenticate', name: 'login', subject: () => null, limits: guessLimits(config, signedInEmail) },
    { method: 'POST', url: '/api/v1/auth/password', name: 'login', subject: () => null, limits: guessLimits(config, signedInEmail) },
    { method: 'POST', url: '/api/v1/auth/signup', name: 'signup', subject: () => null },
    // Each request emails the address: a few an hour per address, whoever asks.
    {
      method: 'POST',
      url: '/api/v1/auth/password-reset',
      name: 'password-reset',
      subject: emailOf,
      limits: [{ name: 'email-hour', max: 5, windowSeconds: 3600, key: emailOf }],
    },
    { method: 'POST', url: '/api/v1/auth/password-reset/confirm', name: 'password-reset-confirm', subject: () => null },
    { method: 'POST', url: '/api/v1/auth/verify-email', name: 'verify-email', subject: () => null },
    // A request with an Idempotency-Key is counted by the checkout once it knows it is not an
    // idempotent replay: a retry of an answered key costs nothing (issue 13). One without (refused
    // 400 anyway) is counted as it arrives.
    {
      method: 'POST',
      url: '/api/v1/checkout',
      name: 'checkout',
      subject: (request) => request.account?.id ?? null,
      countedByHandler: (request) => request.headers['idempotency-key'] !== undefined,
    },
    // The storefront's forms that do the same work, under the same names: a page and the API
    // share their counters, so guessing a password through one does not reset the other's count.
    { method: 'POST', url: '/sign-in', name: 'login', subject: () => null, limits: guessLimits(config, emailOf) },
    { method: 'POST', url: '/sign-up', name: 'signup', subject: () => null },
    {
      method: 'POST',
      url: '/forgot-password',
      name: 'password-reset',
      subject: emailOf,
      limits: [{ name: 'email-hour', max: 5, windowSeconds: 3600, key: emailOf }],
    },
    { method: 'POST', url: '/reset-password', name: 'password-reset-confirm', subject: () => null },
    { method: 'POST', url: '/verify-email', name: 'verify-email', subject: () => null },
    // The checkout page always carries its idempotency key in the form: counted once it is new work.
    { method: 'POST', url: '/checkout', name: 'checkout', subject: (request) => request.account?.id ?? null, countedByHandler: () => true },
  ];
}

/**
 * Builds the API server from the modules. Every route has a request and a response schema;
 * bodies are validated strictly (see platform/http/validation.ts); errors leave through one handler.
 */
export async function buildHttpServer(app: Container): Promise<FastifyInstance> {
  const { config } = app;
  const server = Fastify({
    loggerInstance: app.log as FastifyBaseLogger,
    // Per-request "incoming/completed" lines cost about a fifth of the throughput of a cached read;
    // completed requests are logged at debug, failures at error (http-errors.ts), slow ones at warn.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
    // Closing is platform/http/graceful-drain.ts's: requests on open connections are served (with
    // Connection: close), idle connections closed after a grace, none answered 503 or reset.
    return503OnClosing: false,
    forceCloseConnections: false,
    // Every answer has the one error shape, Fastify's and Node's own included: a URL that does not
    // decode (frameworkErrors) and a request Node's parser refuses, such as 431 for oversized headers.
    frameworkErrors: (err, request, reply) => errorHandler(err, request, reply),
    clientErrorHandler: clientErrorHandler(app.log as FastifyBaseLogger),
  }).withTypeProvider<TypeBoxTypeProvider>();
  installGracefulDrain(server, { idleGraceMs: DRAIN_IDLE_GRACE_MS, log: app.log });

  // First: per-route request metrics are attached as routes register, and the request span starts before other hooks.
  // The exposition itself is not served here but on the metrics listener (main.ts, METRICS_PORT).
  installHttpObservability(server);
  server.setValidatorCompiler(validatorCompiler);
  installStorableTextCheck(server);
  server.setErrorHandler(errorHandler);
  // The pages' files are built before the server listens (web/assets.ts), so every page can name them.
  const assets = await buildAssets();
  const site: SiteContext = {
    siteName: 'Atelier',
    publicUrl: config.session.publicUrl,
    stylesheet: assets.url('site.css'),
    script: assets.url('storefront.js'),
    office: { script: assets.url('office.js'), stylesheet: assets.url('office-styles.css') },
  };
  server.setNotFoundHandler((request, reply) => {
    // A person following a bad link sees the site's page; a program (and anything under /api) the JSON error.
    if ((request.method === 'GET' || request.method === 'HEAD') && wantsPage(request.url, request.headers)) {
      return sendNotFoundPage(site, request, reply);
    }
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message: `No route for ${request.method} ${request.url.split('?')[0]}` } });
  });
  server.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // nosniff, Referrer-Policy, no framing, the CSP; Cache-Control: no-store unless a route says public.
  installSecurityHeaders(server, { https: config.session.cookieSecure });
  // Before swagger and every route: each route's OpenAPI security comes from its identity guard.
  declareSecurityFromGuards(server);
  requireDocumentedRoutes(server);
  server.addHook('onResponse', async (request, reply) => {
    const ms = reply.elapsedTime;
    if (ms > 1000) request.log.warn({ method: request.method, url: request.url, status: reply.statusCode, ms }, 'slow request');
    else request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms }, 'request completed');
  });

  // Before any route (each gets its priority as it is added) and before the rate limits: a
  // refusal under overload costs less than a count in Redis. Classes: app/route-priorities.ts.
  // A person's browser refused a page gets the site's "busy" page; programs and /api the JSON error.
  const busyPage = {
    body: Buffer.from(renderBusyPage(site, config.loadShedding.retryAfterSeconds)),
    contentType: 'text/html; charset=utf-8',
  };
  await installLoadShedding(server, config.loadShedding, {
    priorities: ROUTE_PRIORITIES,
    bounded: BOUNDED_ROUTES,
    signedIn: (headers) => headers.authorization !== undefined || (headers.cookie?.includes(`${SESSION_COOKIE}=`) ?? false),
    log: app.log,
    refusalPage: (path, headers) => (wantsPage(path, headers) ? busyPage : null),
  });
  await server.register(cookie);
  // Before any route: the per-account limit is added to each route's preHandlers as it is registered.
  await installRateLimits(server, config.rateLimit, {
    redis: app.redis,
    strictRoutes: strictRoutes(config),
    accountOf: (request) => request.account?.id ?? null,
    log: app.log,
  });
  await server.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Atelier API', version: '1', description: 'A marketplace for handcrafted goods.' },
      components: {
        securitySchemes: securitySchemes(config.session.cookieSecure),
      },
    },
    // The shared answers, servers and tags, by rule (openapi-document.ts).
    transformObject: (document) =>
      'openapiObject' in document
        ? completeDocument(document.openapiObject, { publicUrl: config.session.publicUrl })
        : document.swaggerObject,
  });

  server.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  /**
   * Ready = this node can serve: its schema is current on every database it reaches. A database
   * it cannot reach is reported (`status: 'degraded'`, the check names it) but does not make the
   * node unready, on purpose: every node shares that database, so a load balancer that pulled
   * unready nodes would pull them all, and the partial outage that the node degrades through
   * (stale catalog pages, the other shards, orders accepted while payments are down;
   * docs/resiliency.md) would become a total one. Pending migrations do make it unready: the
   * code expects a schema that is not there. Each check gives up after READY_CHECK_TIMEOUT_MS so a
   * hung database cannot hang the probe.
   */
  server.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    let degraded = false;
    await Promise.all(
      app.stores.all().map(async (handle) => {
        try {
          const kind = handle.name === 'catalog' ? 'catalog' : 'shard';
          const pending = await withTimeout(pendingMigrations(handle.db, kind, app.migrations), READY_CHECK_TIMEOUT_MS, handle.name);
          checks[handle.name] = pending === 0 ? 'ok' : `${pending} migrations pending`;
          if (pending > 0) ready = false;
        } catch (err) {
          degraded = true;
          checks[handle.name] = `unreachable: ${(err as Error).message}`;
        }
      }),
    );
    if (!ready) reply.header('retry-after', '5');
    // Replicas never make a node unready either: their reads fall back to the primary.
    const replicas = app.stores.catalogReplicas.enabled
      ? app.stores.catalogReplicas.status().map((r) => ({ name: r.name, healthy: r.healthy, state: r.state, lagMs: r.lagMs }))
      : undefined;
    const status = !ready ? 'not_ready' : degraded ? 'degraded' : 'ready';
    return reply.code(ready ? 200 : 503).send({ status, checks, ...(replicas ? { replicas } : {}) });
  });

  if (config.benchRoutes) {
    // Baselines for `npm run bench`: the cost of one primary-key lookup through the same pool.
    server.get('/bench/one-lookup/:id', { schema: { hide: true } }, async (request) => {
      const { id } = request.params as { id: string };
      const { rows } = await sql<{ id: string; title: string }>`select id, title from catalog_products where id = ${id}`.execute(
        app.stores.catalog.db,
      );
      return rows[0] ?? null;
    });
    // A request that takes a while, to show that shutdown finishes in-flight work.
    server.get('/bench/sleep/:ms', { schema: { hide: true } }, async (request) => {
      const ms = Math.min(Number((request.params as { ms: string }).ms) || 0, 30_000);
      await new Promise((r) => setTimeout(r, ms));
      return { slept: ms };
    });
    // Which process answered, and its CPU time so far: the scale-out tests and `npm run bench -- --only scale`.
    server.get('/bench/process', { schema: { hide: true } }, async () => {
      const cpu = process.cpuUsage();
      return { pid: process.pid, cpuMicros: cpu.user + cpu.system };
    });
  }

  await server.register(
    async (api) => {
      api.get('/openapi.json', { schema: { hide: true } }, async () => server.swagger());
      for (const m of app.modules) if (m.routes) await api.register(m.routes);
      await api.register(opsRoutes(app));
    },
    { prefix: '/api/v1' },
  );
  for (const m of app.modules) if (m.rootRoutes) await server.register(m.rootRoutes);
  await server.register(apiDocsRoutes());
  await server.register(assetRoutes(assets));
  const storefront: StorefrontDeps = {
    catalog: app.catalog,
    search: app.search,
    inventory: app.inventory,
    cart: app.cart,
    orders: app.orders,
    identity: app.identity,
    site,
    httpCache: config.httpCache,
    allowedOrigins: new Set([new URL(config.session.publicUrl).origin]),
    pages: createPageCache(),
    currency: config.currency,
  };
  await server.register(storefrontRoutes(storefront));
  await server.register(
    backOfficeRoutes({
      ...storefront,
      media: app.media,
      payments: app.payments,
      notifications: app.notifications,
      reporting: app.reporting,
      webhooks: app.webhooks,
      audit: app.audit,
      ops: app.ops,
    }),
  );
  return server;
}
