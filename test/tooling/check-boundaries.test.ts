import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkBoundaries, readSources } from '../../scripts/check-boundaries.ts';

const rulesOf = (files: Record<string, string>) => checkBoundaries(new Map(Object.entries(files))).map((v) => v.rule);

describe('module boundary check', () => {
  test('accepts imports through index.ts, within a module, and from app', () => {
    const violations = checkBoundaries(
      new Map(
        Object.entries({
          'src/modules/search/search.service.ts':
            "import type { CatalogService } from '../catalog/index.ts';\nimport { x } from './search.repository.ts';",
          'src/modules/catalog/catalog.service.ts':
            "import { newId } from '../../shared/ids.ts';\nimport { enqueue } from '../../platform/queue/queue.ts';",
          'src/app/container.ts': "import { createCatalog } from '../modules/catalog/index.ts';",
          'src/platform/queue/queue.ts': "import { sql } from 'kysely';\nimport type { DatabaseHandle } from '../postgres/database.ts';",
        }),
      ),
    );
    assert.deepEqual(violations, []);
  });

  test("reports another module's internals with file and line", () => {
    const violations = checkBoundaries(
      new Map([
        [
          'src/modules/media/media.service.ts',
          "import x from 'node:fs';\n\nimport { findProduct } from '../catalog/catalog.repository.ts';",
        ],
      ]),
    );
    assert.equal(violations.length, 1);
    assert.equal(violations[0]!.rule, 'module-internals');
    assert.equal(violations[0]!.file, 'src/modules/media/media.service.ts');
    assert.equal(violations[0]!.line, 3);
    assert.match(violations[0]!.message, /src\/modules\/catalog\/index\.ts/);
  });

  test('app reaching into module internals is also reported', () => {
    assert.deepEqual(rulesOf({ 'src/app/seed.ts': "import { insert } from '../modules/catalog/catalog.repository.ts';" }), [
      'module-internals',
    ]);
  });

  test('platform and shared never import modules or app, including re-exports and dynamic imports', () => {
    assert.deepEqual(
      rulesOf({
        'src/platform/events.ts': "export { x } from '../modules/catalog/index.ts';",
        'src/shared/money.ts': "const c = await import('../app/config.ts');",
      }),
      ['platform-imports-modules', 'shared-imports-app'],
    );
  });

  test('a module importing the composition root is reported, except in its tests', () => {
    assert.deepEqual(rulesOf({ 'src/modules/media/media.service.ts': "import type { Config } from '../../app/config.ts';" }), [
      'module-imports-app',
    ]);
    assert.deepEqual(rulesOf({ 'src/modules/media/media.test.ts': "import { loadConfig } from '../../app/config.ts';" }), []);
  });

  test('pages read modules through their index and nothing below depends on the pages', () => {
    assert.deepEqual(
      rulesOf({
        'src/web/storefront/product.tsx': "import { x } from '../../modules/catalog/catalog.service.ts';",
        'src/web/html.ts': "import type { Config } from '../app/config.ts';",
        'src/modules/cart/cart.routes.ts': "import { page } from '../../web/html.ts';",
        'src/platform/http/cached-json.ts': "import { page } from '../../web/html.ts';",
      }).sort(),
      ['module-imports-web', 'module-internals', 'platform-imports-web', 'web-imports-app'],
    );
    assert.deepEqual(rulesOf({ 'src/app/http.ts': "import { webRoutes } from '../web/index.ts';" }), []);
  });

  test('a cycle between modules is reported once, naming its path; type-only imports count', () => {
    const violations = checkBoundaries(
      new Map(
        Object.entries({
          'src/modules/catalog/catalog.service.ts': "import type { SearchService } from '../search/index.ts';",
          'src/modules/search/search.service.ts': "import { x } from '../media/index.ts';",
          'src/modules/media/media.service.ts': "import { y } from '../catalog/index.ts';",
          'src/modules/identity/identity.service.ts': "import { z } from '../catalog/index.ts';",
        }),
      ),
    );
    assert.deepEqual(
      violations.map((v) => [v.rule, v.message]),
      [['module-cycle', 'import cycle between modules: catalog -> search -> media -> catalog']],
    );
  });

  test('imports that only appear in comments or strings are ignored', () => {
    assert.deepEqual(
      rulesOf({
        'src/platform/x.ts': "// import { a } from '../modules/catalog/catalog.service.ts';\nconst s = \"from '../app/config.ts'\";",
      }),
      [],
    );
  });

  test("the repository's own src/ keeps its boundaries", async () => {
    const files = await readSources();
    assert.ok(files.has('src/app/container.ts') && [...files.keys()].some((f) => f.startsWith('src/modules/')));
    assert.deepEqual(
      checkBoundaries(files).map((v) => `${v.file}:${v.line} ${v.message}`),
      [],
    );
  });
});
