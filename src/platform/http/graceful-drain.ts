import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/**
 * Graceful drain (issue 5): what `server.close()` does to a listening API server, so that a node
 * taken out on SIGTERM (a rolling restart, a deploy, a scale-in) fails no request, including those
 * of clients on keep-alive connections.
 *
 * Fastify's own closing (`return503OnClosing`, `forceCloseConnections: 'idle'`) and Node's
 * `http.Server#close` fail requests in two ways, both seen under load:
 * - a request arriving on an open keep-alive connection after close began is answered `503`;
 *   a proxy passes a POST's 503 on to the client (nginx retries only idempotent requests);
 * - `http.Server#close` (Node >= 19) destroys every connection with no request in progress at
 *   once: keep-alive connections between two requests, and connections just accepted whose first
 *   request is still on its way. A client that sent its request in that instant sees ECONNRESET,
 *   which for a POST is a failure nobody may retry blindly.
 *
 * So on close, in this order:
 * 1. The listening socket closes at once (`net.Server#close`, which does not touch connections):
 *    no new connection reaches this node. Under node:cluster the primary sends new connections to
 *    the other API processes, and one already on its way here is handed back and redistributed.
 * 2. Requests on connections already open are served as usual, and every answer from now on,
 *    including those of requests in progress, carries `Connection: close`: the client reads the
 *    answer, then opens a new connection (to another node) for its next request.
 * 3. After `idleGraceMs`, or as soon as no connection is left, connections that stayed idle the
 *    whole time are closed (a client had the grace to use them; one that did not is not sending).
 *    Requests still in progress finish, and Fastify's close resolves when their connections end.
 *
 * Hand-written rather than with http-terminator or stoppable: both destroy idle connections the
 * moment they start (the race of step 3 without the grace), and neither stops accepting first.
 * The race is not gone, only narrowed to a client that reuses a connection idle for the whole
 * grace in the very instant it is closed, the same race a keep-alive timeout has.
 *
 * Applies only to a server that listens (not to `inject`-only test apps). Fastify must be built
 * with `return503OnClosing: false` and `forceCloseConnections: false` for steps 2 and 3 to hold.
 */
export type DrainOptions = Readonly<{
  /** How long connections with no request are left open after close began (ms). */
  idleGraceMs: number;
  log: Logger;
}>;

/** How often the drain looks whether every connection is gone. */
const POLL_MS = 20;

export function installGracefulDrain(server: FastifyInstance, opts: DrainOptions): void {
  const open = new Set<net.Socket>();
  let draining = false;

  server.server.on('connection', (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });

  // Requests that began before the drain get `Connection: close` too: Fastify adds it only to
  // requests that arrive once it is closing. A callback hook, not an async one: it runs on every
  // answer, and an async hook costs each of them a promise for a flag that is almost always false.
  server.addHook('onSend', (_request, reply, payload, done) => {
    if (draining) void reply.header('connection', 'close');
    done(null, payload);
  });

  server.addHook('preClose', async () => {
    const http = server.server;
    if (!http.listening) return;
    draining = true;
    const started = Date.now();
    const atStart = open.size;
    // net.Server's close, not http.Server's: the latter would destroy idle connections now (step 3).
    net.Server.prototype.close.call(http);
    while (open.size > 0 && Date.now() - started < opts.idleGraceMs) await new Promise((r) => setTimeout(r, POLL_MS));
    const left = open.size;
    http.closeIdleConnections();
    opts.log.info(
      { connectionsAtStart: atStart, connectionsAfterGrace: left, ms: Date.now() - started },
      left > 0 ? 'draining: idle connections closed, requests in progress finishing' : 'draining: every connection closed by its client',
    );
  });
}
