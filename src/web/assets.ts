import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** A built client file, kept in memory with its compressed forms. */
type Asset = Readonly<{ path: string; type: string; body: Buffer; gzip: Buffer; br: Buffer }>;

/** The entry points the pages link to, by the name a page asks for. */
export type EntryName = 'storefront.js' | 'site.css' | 'office.js' | 'office-styles.css';

export type Assets = Readonly<{
  /** The content-hashed URL of an entry (`/assets/storefront-5GZ2X7QF.js`). */
  url(entry: EntryName): string;
  /** The URLs of an entry and of every file it can load, at once or later (its islands' chunks). */
  files(entry: EntryName): ReadonlyArray<string>;
  byPath: ReadonlyMap<string, Asset>;
}>;

const ROOT = import.meta.dirname;
const ENTRIES: Record<string, string> = {
  storefront: path.join(ROOT, 'client/storefront.ts'),
  site: path.join(ROOT, 'styles/site.css'),
  // The studio and the console: their own script and styles, so a shopper's page loads neither.
  office: path.join(ROOT, 'client/office.ts'),
  'office-styles': path.join(ROOT, 'styles/office.css'),
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * Builds the client files with esbuild, in memory, when the server starts (a few hundred
 * milliseconds): no build step before `npm start`, and the files a process serves are always the
 * ones its pages name. Names carry a content hash, so they are served `immutable` and a new
 * release never meets an old file in a browser or CDN cache. Scripts are ES modules split into
 * chunks, so a page loads only the islands it has.
 *
 * Built once per process: the sources cannot change under a running process, and a process
 * that builds several servers (the tests, a restart in place) would otherwise bundle and
 * brotli-compress the same files each time.
 */
export function buildAssets(): Promise<Assets> {
  built ??= bundle().catch((err: unknown) => {
    built = null; // a failed build is not kept: the next server start tries again
    throw err;
  });
  return built;
}
let built: Promise<Assets> | null = null;

async function bundle(): Promise<Assets> {
  const result = await build({
    entryPoints: ENTRIES,
    bundle: true,
    minify: true,
    splitting: true,
    format: 'esm',
    target: ['es2020'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: '/assets',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    assetNames: 'files/[name]-[hash]',
    write: false,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const byPath = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const body = Buffer.from(file.contents);
    const urlPath = file.path.replace(/\\/g, '/');
    byPath.set(urlPath, {
      path: urlPath,
      type: TYPES[path.extname(urlPath)] ?? 'application/octet-stream',
      body,
      gzip: gzipSync(body, { level: 9 }),
      br: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
    });
  }
  const entries = new Map<string, string>();
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const name = Object.entries(ENTRIES).find(([, file]) => path.resolve(meta.entryPoint!) === file)?.[0];
    if (name) entries.set(`${name}${path.extname(out)}`, `/assets/${path.basename(out)}`);
  }
  const url = (entry: EntryName) => {
    const found = entries.get(entry);
    if (!found) throw new Error(`no built asset for ${entry}`);
    return found;
  };
  return { url, files: (entry) => reachable(result.metafile.outputs, url(entry)), byPath };
}

type Outputs = Readonly<Record<string, { imports: ReadonlyArray<{ path: string; external?: boolean }> }>>;

/** The built file at `start` and every file it imports, statically or dynamically, from esbuild's metafile. */
function reachable(outputs: Outputs, start: string): string[] {
  // The metafile names files relative to the working directory; the URLs are their absolute paths.
  const byUrl = new Map(Object.entries(outputs).map(([file, meta]) => [urlOf(file), meta]));
  const seen = new Set<string>();
  const visit = (url: string) => {
    if (seen.has(url)) return;
    seen.add(url);
    for (const i of byUrl.get(url)?.imports ?? []) if (!i.external) visit(urlOf(i.path));
  };
  visit(start);
  return [...seen];
}
const urlOf = (file: string) => path.resolve(file).replace(/\\/g, '/');

/** Whether the client's `Accept-Encoding` takes `name` (listed and not `q=0`). */
function accepts(request: FastifyRequest, name: 'br' | 'gzip'): boolean {
  const accept = request.headers['accept-encoding'];
  if (typeof accept !== 'string') return false;
  return accept.split(',').some((part) => {
    const [n, q] = part.trim().split(';');
    return n === name && q?.trim() !== 'q=0';
  });
}

/**
 * Sends `body` in the best form the client takes among those there are: brotli, then gzip, else
 * as it is (pages have no brotli form: a client that takes only brotli gets them plain).
 */
export function sendEncoded(
  request: FastifyRequest,
  reply: FastifyReply,
  forms: { body: Buffer | string; gzip: Buffer; br?: Buffer },
): FastifyReply {
  void reply.header('vary', 'accept-encoding');
  if (forms.br && accepts(request, 'br')) return reply.header('content-encoding', 'br').send(forms.br);
  if (accepts(request, 'gzip')) return reply.header('content-encoding', 'gzip').send(forms.gzip);
  return reply.send(forms.body);
}

/** Serves the built files: content-hashed, so cached for a year and never revalidated. */
export function assetRoutes(assets: Assets): FastifyPluginAsync {
  return async (app) => {
    app.get('/assets/*', { schema: { hide: true } }, async (request, reply) => {
      const asset = assets.byPath.get(request.url.split('?')[0]!);
      if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('No such file');
      void reply.header('cache-control', 'public, max-age=31536000, immutable').type(asset.type);
      return sendEncoded(request, reply, asset);
    });
  };
}
