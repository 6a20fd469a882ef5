import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real local HTTP endpoint for webhook tests (not itself a test file): it records every request
 * and answers as told, after a delay if told, and can go down (its port closed, so connections are
 * refused) and come back on the same port.
 */
export type Received = Readonly<{ headers: IncomingHttpHeaders; body: string; at: number; status: number }>;

export type Behaviour = Readonly<{
  /** The status to answer, or a function of the request's number (1-based) for flapping. */
  status?: number | ((n: number) => number);
  /** A delay before answering, or a function of the request's number (1-based). */
  delayMs?: number | ((n: number) => number);
}>;

export type Receiver = Readonly<{
  url: string;
  /** Every request answered so far, in arrival order. */
  received: Received[];
  /** Requests being handled right now (waiting out their delay). */
  inFlight(): number;
  behave(b: Behaviour): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}>;

export async function startReceiver(initial: Behaviour = {}): Promise<Receiver> {
  let behaviour: Behaviour = initial;
  let count = 0;
  let inFlight = 0;
  const received: Received[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = ++count;
      const { status = 200, delayMs = 0 } = behaviour;
      const code = typeof status === 'function' ? status(n) : status;
      const delay = typeof delayMs === 'function' ? delayMs(n) : delayMs;
      inFlight++;
      const answer = () => {
        timers.delete(timer);
        inFlight--;
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), status: code });
        if (!res.destroyed) res.writeHead(code, { 'content-type': 'text/plain' }).end(code < 300 ? 'ok' : 'no');
      };
      const timer = setTimeout(answer, delay);
      timers.add(timer);
    });
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  let listening = true;
  const stop = async () => {
    if (!listening) return;
    listening = false;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    inFlight = 0;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    inFlight: () => inFlight,
    behave(b) {
      behaviour = b;
    },
    down: stop,
    async up() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    close: stop,
  };
}
