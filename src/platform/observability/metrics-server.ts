import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.ts';

export type MetricsServer = Readonly<{ url: string; port: number; close(): Promise<void> }>;

export type MetricsServerOptions = Readonly<{
  host: string;
  /** 0: any free port (see `url`). */
  port: number;
  /** Set: a scrape must send `Authorization: Bearer <token>`; anything else is answered 401. */
  token?: string | null;
  /** The exposition text; this process's registry unless given (the cluster's primary aggregates). */
  render?: () => Promise<string>;
}>;

/**
 * The Prometheus scrape's own listener: `GET /metrics` and nothing else, on METRICS_HOST and
 * METRICS_PORT (127.0.0.1:9464 by default), apart from the public API port, so that what the
 * exposition names (every route, SQL statement and queue) and what a scrape costs (a query on
 * every database) are only for whoever can reach this address (issue 13). Plain node:http: one
 * route does not need a framework. Answers that are not the exposition use the API's error shape.
 */
export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const render = opts.render ?? renderMetrics;
  const expected = opts.token ? Buffer.from(`Bearer ${opts.token}`) : null;
  const fail = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    res
      .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
      .end(JSON.stringify({ error: { code, message } }));

  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?', 1)[0] !== '/metrics') {
      fail(res, 404, 'NOT_FOUND', 'Only GET /metrics is served here');
      return;
    }
    if (expected) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        fail(res, 401, 'METRICS_UNAUTHENTICATED', 'The metrics scrape needs Authorization: Bearer <METRICS_TOKEN>', {
          'www-authenticate': 'Bearer realm="metrics"',
        });
        return;
      }
    }
    render().then(
      (text) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE }).end(text),
      (err: unknown) => fail(res, 500, 'INTERNAL', `metrics failed: ${(err as Error).message}`),
    );
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `the metrics port ${opts.host}:${opts.port} is taken: set METRICS_PORT (0 for any free port) or METRICS_ENABLED=false`,
            )
          : err,
      ),
    );
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
