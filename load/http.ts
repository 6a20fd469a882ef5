import http from 'node:http';

/**
 * The lab's HTTP client: `http.request` on keep-alive agents, because `fetch` costs several times
 * the CPU per call and the load generator shares the machine with the server. Each simulated
 * shopper has a cookie jar (the cart and session cookies of the HTML pages) and its own client
 * address, sent as `X-Forwarded-For`: the server trusts it from loopback (TRUST_PROXY), so per-IP
 * rate limits see many shoppers, as they would in production, instead of one generator.
 */
export type Reply = Readonly<{ status: number; headers: http.IncomingHttpHeaders; text: string }>;

export type RequestSpec = Readonly<{
  method: string;
  path: string;
  headers?: Readonly<Record<string, string>>;
  /** JSON body (an object) or a form (URLSearchParams). */
  json?: unknown;
  form?: URLSearchParams;
  timeoutMs?: number;
}>;

export class Target {
  readonly url: URL;
  private readonly agent: http.Agent;

  constructor(base: string, maxSockets: number) {
    this.url = new URL(base);
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: Math.min(maxSockets, 256) });
  }

  send(spec: RequestSpec, jar?: CookieJar): Promise<Reply> {
    const headers: Record<string, string> = { ...(spec.headers ?? {}) };
    let payload: string | undefined;
    if (spec.json !== undefined) {
      payload = JSON.stringify(spec.json);
      headers['content-type'] = 'application/json';
    } else if (spec.form) {
      payload = spec.form.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      // What a browser sends with a form post from the site itself (src/web/csrf.ts).
      headers['sec-fetch-site'] = 'same-origin';
      headers.origin = this.url.origin;
    }
    if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
    const cookie = jar?.header();
    if (cookie) headers.cookie = cookie;
    return new Promise<Reply>((resolve, reject) => {
      const req = http.request(
        {
          host: this.url.hostname,
          port: this.url.port,
          method: spec.method,
          path: spec.path,
          headers,
          agent: this.agent,
          timeout: spec.timeoutMs ?? 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            jar?.take(res.headers['set-cookie']);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A GET whose body is kept as bytes (an image, for the capacity floor's samples). */
  sendRaw(spec: Pick<RequestSpec, 'method' | 'path'>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.url.hostname, port: this.url.port, method: spec.method, path: spec.path, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The cookies a browser would keep for one site: name=value, no paths or expiry (a session is minutes long). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(setCookie: readonly string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const pair = line.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The error code of an Atelier JSON error answer, if it is one. */
export function errorCode(reply: Reply): string | undefined {
  if (!reply.text.startsWith('{')) return undefined;
  try {
    const code = (JSON.parse(reply.text) as { error?: { code?: unknown } }).error?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
