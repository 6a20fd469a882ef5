import http from 'node:http';

/**
 * A lean JSON client for the checkout benchmark. `fetch` costs several times the CPU of a plain
 * `http.request` per call, and the load generator shares the machine's two cores with the server:
 * every cycle it burns is taken from what is being measured.
 */
export type Answer = Readonly<{ status: number; body: unknown; ms: number }>;

export function createClient(base: string, maxSockets: number) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  return {
    request(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}) {
      const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(payload));
      }
      return new Promise<Answer>((resolve, reject) => {
        const started = performance.now();
        const req = http.request(
          { host: url.hostname, port: url.port, method, path, headers, agent, timeout: opts.timeoutMs ?? 30_000 },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const ms = performance.now() - started;
              const text = Buffer.concat(chunks).toString();
              let body: unknown = text;
              try {
                body = text ? JSON.parse(text) : null;
              } catch {
                // not JSON: keep the text for the error message
              }
              resolve({ status: res.statusCode ?? 0, body, ms });
            });
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

export type Client = ReturnType<typeof createClient>;

/** The error code of an Atelier error answer, or a short description of anything else. */
export function errorKind(a: Answer): string {
  const code = (a.body as { error?: { code?: unknown } } | null)?.error?.code;
  return `${a.status} ${typeof code === 'string' ? code : typeof a.body === 'string' ? a.body.slice(0, 60) : 'no code'}`;
}
