import net from 'node:net';

/**
 * A TCP proxy on loopback that the tests control, to put a real fault between Atelier and one of
 * its dependencies (PostgreSQL, Redis, SMTP, the payment provider, a webhook endpoint): Atelier is
 * pointed at the proxy's port, the proxy forwards to the real server, and a test switches faults
 * on and off while traffic flows.
 *
 * Written here rather than using Toxiproxy because Toxiproxy is not installable on this machine
 * (no Go binary in npm or apt); what the resiliency tests need is small: added latency, a server
 * that is down (refuses or resets), one that hangs (accepts and never answers), and flapping.
 *
 * Faults:
 * - `up`: bytes pass through untouched.
 * - `latency`: every chunk, both ways, waits `ms` (plus up to `jitterMs`) before it is passed on;
 *   order is kept per direction. New connections are also delayed by `ms` before connecting.
 * - `down`: new connections are reset at once (the client sees ECONNRESET, as from a host whose
 *   server stopped), and every open connection is reset when the fault is set.
 * - `hang`: new connections are accepted and never answered (the client sees its own timeout), and
 *   open connections stop passing bytes: a dependency that is overloaded or partitioned.
 * - `flap`: alternates `up` and `down` every `periodMs`, resetting open connections at each down.
 */
export type Fault =
  | { kind: 'up' }
  | { kind: 'latency'; ms: number; jitterMs?: number }
  | { kind: 'down' }
  | { kind: 'hang' }
  | { kind: 'flap'; periodMs: number };

export type FaultProxy = Readonly<{
  /** The port Atelier should connect to. */
  port: number;
  /** `host:port` of the proxy, for URLs. */
  address: string;
  /** The fault in force now (for flapping: `flap`, whatever phase it is in). */
  fault(): Fault;
  set(fault: Fault): void;
  /** Connections accepted so far, and those refused or reset because of a fault. */
  stats(): { accepted: number; refused: number; open: number };
  close(): Promise<void>;
}>;

type Pair = { client: net.Socket; server: net.Socket | null };

export async function startFaultProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  const host = target.host ?? '127.0.0.1';
  let fault: Fault = { kind: 'up' };
  let flapDown = false;
  let flapTimer: NodeJS.Timeout | null = null;
  const pairs = new Set<Pair>();
  const stats = { accepted: 0, refused: 0 };

  const isDown = () => fault.kind === 'down' || (fault.kind === 'flap' && flapDown);
  const delayOf = () => (fault.kind === 'latency' ? fault.ms + (fault.jitterMs ? Math.random() * fault.jitterMs : 0) : 0);

  const resetAll = () => {
    for (const p of pairs) {
      p.client.resetAndDestroy();
      p.server?.resetAndDestroy();
    }
    pairs.clear();
  };

  /** Passes `from`'s bytes to `to`, delayed while a latency fault holds, held while it hangs. */
  const pipe = (from: net.Socket, to: net.Socket) => {
    let chain = Promise.resolve();
    from.on('data', (chunk) => {
      // Due `wait` after it arrived, not after the chunk before it went out: a reply that comes in
      // three chunks is 500 ms late under 500 ms of latency, not 1.5 s.
      const due = Date.now() + delayOf();
      chain = chain.then(async () => {
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        // A hung link holds what it got until the fault changes (then passes it, like a queue draining).
        while (fault.kind === 'hang' && !to.destroyed) await new Promise((r) => setTimeout(r, 20));
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.on('end', () => {
      chain = chain.then(() => {
        if (!to.destroyed) to.end();
      });
    });
  };

  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (isDown()) {
      stats.refused++;
      client.resetAndDestroy();
      return;
    }
    stats.accepted++;
    const pair: Pair = { client, server: null };
    pairs.add(pair);
    const forget = () => {
      pairs.delete(pair);
      client.destroy();
      pair.server?.destroy();
    };
    client.on('close', forget);
    if (fault.kind === 'hang') {
      // Accepted, never connected onwards: the client waits until its own timeout.
      return;
    }
    client.pause();
    const connect = () => {
      if (client.destroyed) return;
      const upstream = net.connect({ host, port: target.port });
      pair.server = upstream;
      upstream.on('error', () => client.resetAndDestroy());
      upstream.on('close', () => client.destroy());
      upstream.on('connect', () => {
        pipe(client, upstream);
        pipe(upstream, client);
        client.resume();
      });
    };
    const wait = delayOf();
    if (wait > 0) setTimeout(connect, wait);
    else connect();
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    address: `127.0.0.1:${port}`,
    fault: () => fault,
    set(next) {
      if (flapTimer) clearInterval(flapTimer);
      flapTimer = null;
      flapDown = false;
      fault = next;
      if (next.kind === 'down') resetAll();
      if (next.kind === 'flap') {
        flapTimer = setInterval(() => {
          flapDown = !flapDown;
          if (flapDown) resetAll();
        }, next.periodMs);
        flapTimer.unref();
      }
    },
    stats: () => ({ ...stats, open: pairs.size }),
    async close() {
      if (flapTimer) clearInterval(flapTimer);
      resetAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
