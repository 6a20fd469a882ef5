import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Deployment } from './deployment.ts';
import type { Captured, Samples } from './floor-server.ts';
import { Target } from './http.ts';
import type { Catalog } from './shopper.ts';

/**
 * `capacity`'s floor (load/floor-server.ts): captures one answer of each kind from the deployment
 * under test, then starts a server with no Atelier code that answers with those bytes.
 */
async function capture(target: Target, catalog: Catalog): Promise<Samples> {
  const get = async (p: string): Promise<Captured & { text: string }> => {
    const r = await target.send({ method: 'GET', path: p, headers: { 'x-forwarded-for': '10.252.0.1' } });
    return { status: r.status, contentType: String(r.headers['content-type'] ?? 'text/html'), body: r.text, text: r.text };
  };
  const term = catalog.searchTerms[0] ?? 'bowl';
  // A product with pictures, as most are: not a TV product an earlier run made without any.
  let id = catalog.featuredId;
  let product = await get(`/products/${id}`);
  for (const candidate of catalog.productIds.slice(0, 50)) {
    const page = await get(`/products/${candidate}`);
    if (page.status === 200 && /src="\/media\//.test(page.text)) {
      [id, product] = [candidate, page];
      break;
    }
  }
  const apiProduct = await get(`/api/v1/products/${id}`);
  const imagePath = /src="(\/media\/[^"]+)"/.exec(product.text)?.[1];
  let image: Captured = { status: 200, contentType: 'image/webp', body: Buffer.alloc(20_000).toString('base64'), base64: true };
  if (imagePath) {
    const r = await target.sendRaw({ method: 'GET', path: imagePath });
    image = {
      status: r.status,
      contentType: String(r.headers['content-type'] ?? 'image/webp'),
      body: r.body.toString('base64'),
      base64: true,
    };
  }
  const strip = ({ status, contentType, body }: Captured) => ({ status, contentType, body });
  return {
    home: strip(await get('/')),
    listing: strip(await get('/products')),
    product: strip(product),
    search: strip(await get(`/search?q=${encodeURIComponent(term)}`)),
    apiProduct: strip(apiProduct),
    apiList: strip(await get('/api/v1/products?limit=24')),
    apiSearch: strip(await get(`/api/v1/search?q=${encodeURIComponent(term.slice(0, 3))}&limit=5`)),
    image,
  };
}

export async function startFloor(from: Deployment, catalog: Catalog, port: number): Promise<Deployment> {
  const target = new Target(from.base, 4);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'atelier-floor-'));
  const file = path.join(dir, 'samples.json');
  try {
    await writeFile(file, JSON.stringify(await capture(target, catalog)));
  } finally {
    target.close();
  }
  const child = fork(path.join(import.meta.dirname, 'floor-server.ts'), [String(port), file], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the floor server exited with ${code} before it listened`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    metrics: [],
    providerUrl: null,
    env: null,
    settings: { layout: 'one Node process answering every request with bytes captured from Atelier (no Atelier code)' },
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
