/**
 * `npm run api:types`: writes the API's TypeScript types (src/web/api/schema.gen.ts) from the
 * OpenAPI document of a whole Atelier, started on a scratch PostgreSQL (the embedded server unless
 * TEST_PG_ADMIN_URL names one), as the tests start it.
 */
import { writeFile } from 'node:fs/promises';
import { API_TYPES_FILE, generateApiTypes } from '../test/support/api-types.ts';
import { ensureScratchPostgres } from '../test/support/scratch-postgres.ts';

const scratch = await ensureScratchPostgres('api-types');
process.env.TEST_PG_ADMIN_URL = scratch.adminUrl;
const { createTestApp } = await import('../test/support/test-app.ts');
const t = await createTestApp();
try {
  const res = await t.server.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  await writeFile(API_TYPES_FILE, await generateApiTypes(res.json()));
  console.log(`wrote ${API_TYPES_FILE}`);
} finally {
  await t.close();
  await scratch.stop();
}
