/**
 * The floor of `capacity`: a server with no Atelier code. It answers every request the lab's
 * shoppers send with bytes captured from the real deployment for that kind of request (the home
 * page, a product page, a product's JSON, an image...), so the same shoppers, the same generator
 * and the same sockets run against it, and only Atelier's own work is missing. Its knee is the most
 * this machine and this generator can show; Atelier's knee is judged against it.
 *
 * Run by load/floor.ts as `node --import tsx load/floor-server.ts <port> <samples.json>`.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

export type Captured = Readonly<{ status: number; contentType: string; body: string; base64?: boolean }>;
export type Samples = Readonly<
  Record<'home' | 'listing' | 'product' | 'search' | 'apiProduct' | 'apiList' | 'apiSearch' | 'image', Captured>
>;

const [portArg, file] = process.argv.slice(2);
const samples = JSON.parse(readFileSync(file!, 'utf8')) as Samples;
const bytes = Object.fromEntries(
  Object.entries(samples).map(([k, c]) => [k, { ...c, buffer: Buffer.from(c.body, c.base64 ? 'base64' : 'utf8') }]),
) as Record<keyof Samples, Captured & { buffer: Buffer }>;
const checkoutPage = Buffer.from(`<!doctype html><form><input type="hidden" name="idempotencyKey" value="${randomUUID()}"></form>`);

function send(res: http.ServerResponse, c: { status: number; contentType: string; buffer: Buffer }): void {
  res.writeHead(c.status, { 'content-type': c.contentType, 'content-length': c.buffer.length });
  res.end(c.buffer);
}

function kind(method: string, path: string): keyof Samples | null {
  if (method !== 'GET') return null;
  if (path.startsWith('/media/')) return 'image';
  if (path.startsWith('/api/v1/search')) return 'apiSearch';
  if (/^\/api\/v1\/products\/[^/?]+$/.test(path)) return 'apiProduct';
  if (path.startsWith('/api/v1/products')) return 'apiList';
  if (path.startsWith('/search')) return 'search';
  if (/^\/products\/[^/?]+$/.test(path)) return 'product';
  if (path === '/') return 'home';
  return 'listing';
}

const server = http.createServer((req, res) => {
  // The body is read and dropped, as a server must before it answers.
  req.resume();
  req.on('end', () => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const method = req.method ?? 'GET';
    const k = kind(method, path);
    if (k) return send(res, bytes[k]);
    if (method === 'GET' && path === '/checkout') return send(res, { status: 200, contentType: 'text/html', buffer: checkoutPage });
    if (method === 'GET') return send(res, bytes.listing);
    if (path === '/checkout') {
      res.writeHead(303, { location: `/account/orders/${randomUUID()}?placed=1`, 'content-length': 0 });
      return res.end();
    }
    if (path === '/api/v1/checkout') {
      const body = Buffer.from(JSON.stringify({ order: { id: randomUUID(), status: 'pending_payment' } }));
      res.writeHead(202, { 'content-type': 'application/json', 'content-length': body.length });
      return res.end(body);
    }
    if (method === 'PUT') return send(res, { status: 200, contentType: 'application/json', buffer: Buffer.from('{"lines":[]}') });
    res.writeHead(303, { location: '/', 'content-length': 0 });
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(portArg), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
