/**
 * The browsable API reference at `/api/docs` (issue 19): Redoc, from npm, rendering the document the
 * server publishes at /api/v1/openapi.json, so a newcomer reads the API without reading raw JSON.
 * The page is one static HTML file and Redoc's standalone bundle, served from node_modules (no
 * CDN: nothing leaves the machine), the bundle under a versioned path so it is cached for good.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync } from 'fastify';
import { FAVICON } from '../web/index.ts';

const require = createRequire(import.meta.url);
const REDOC_DIR = path.dirname(require.resolve('redoc/package.json'));
const REDOC_VERSION = (require('redoc/package.json') as { version: string }).version;
const BUNDLE_PATH = `/api/docs/redoc-${REDOC_VERSION}.js`;

/**
 * Redoc styles itself with styled-components (style elements it writes at run time) and runs its
 * search in a worker made from a blob: so this page, and only this page, allows inline styles and
 * blob: workers. No inline script: the bundle finds the `<redoc>` element by itself.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Atelier API reference</title>
    <link rel="icon" href="${FAVICON}">
    <meta name="description" content="Every route of the Atelier API: its parameters, request and response schemas, errors and headers.">
    <style>.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}</style>
  </head>
  <body>
    <main>
      <h1 class="visually-hidden">Atelier API reference</h1>
      <noscript>
        <p>The reference needs JavaScript. The document itself is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
      </noscript>
      <redoc spec-url="/api/v1/openapi.json"></redoc>
    </main>
    <script src="${BUNDLE_PATH}"></script>
  </body>
</html>
`;

/** The bundle, read and compressed on first use (a megabyte: not worth holding until someone asks). */
let bundle: Promise<{ plain: Buffer; gzip: Buffer }> | null = null;
const loadBundle = () =>
  (bundle ??= readFile(path.join(REDOC_DIR, 'bundles/redoc.standalone.js')).then((plain) => ({ plain, gzip: gzipSync(plain) })));

export function apiDocsRoutes(): FastifyPluginAsync {
  return async (server) => {
    server.get('/api/docs', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', DOCS_CSP)
        .header('cache-control', 'public, max-age=300')
        .send(PAGE),
    );
    server.get(BUNDLE_PATH, { schema: { hide: true } }, async (request, reply) => {
      const { plain, gzip } = await loadBundle();
      const gzipped = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
      void reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('vary', 'accept-encoding');
      if (gzipped) void reply.header('content-encoding', 'gzip');
      return reply.send(gzipped ? gzip : plain);
    });
  };
}
