import path from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** A built client file, kept in memory with its compressed forms. */
export type Asset = Readonly<{ path: string; type: string; body: Buffer; gzip: Buffer; br: Buffer }>;

/** The entry points the pages link to, by the name a page asks for. */
export type EntryName = 'storefront.js' | 'site.css';

export type Assets = Readonly<{
  /** The content-hashed URL of an entry (`/assets/storefront-5GZ2X7QF.js`). */
  url(entry: EntryName): string;
  byPath: ReadonlyMap<string, Asset>;
}>;

const ROOT = import.meta.dirname;
const ENTRIES: Record<string, string> = {
  storefront: path.join(ROOT, 'client/storefront.ts'),
  site: path.join(ROOT, 'styles/site.css'),
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Builds the client files with esbuild, in memory, when the server starts (a few hundred
 * milliseconds): no build step before `npm start`, and the files a process serves are always the
 * ones its pages name. Names carry a content hash, so they are served `immutable` and a new
 * release never meets an old file in a browser or CDN cache. Scripts are ES modules split into
 * chunks, so a page loads only the islands it has.
 */
export async function buildAssets(): Promise<Assets> {
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
  return {
    url(entry) {
      const found = entries.get(entry);
      if (!found) throw new Error(`no built asset for ${entry}`);
      return found;
    },
    byPath,
  };
}

/** The encoding to send, from what the client accepts: brotli, then gzip, else none. */
export function acceptedEncoding(request: FastifyRequest): 'br' | 'gzip' | null {
  const accept = request.headers['accept-encoding'];
  if (typeof accept !== 'string') return null;
  const offered = accept.split(',').map((s) => s.trim().split(';'));
  const ok = (name: string) => offered.some(([n, q]) => n === name && q?.trim() !== 'q=0');
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

/** Sends `body` (with its precompressed forms) in the encoding the client prefers. */
export function sendEncoded(
  request: FastifyRequest,
  reply: FastifyReply,
  forms: { body: Buffer | string; gzip: Buffer; br?: Buffer },
): FastifyReply {
  void reply.header('vary', 'accept-encoding');
  const enc = acceptedEncoding(request);
  if (enc === 'br' && forms.br) return reply.header('content-encoding', 'br').send(forms.br);
  if (enc !== null) return reply.header('content-encoding', 'gzip').send(forms.gzip);
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
