/**
 * The API's TypeScript types, generated from the OpenAPI document the server publishes
 * (openapi-typescript), formatted as the repository formats code. `npm run api:types` writes them
 * to API_TYPES_FILE; test/openapi-client.test.ts fails while the committed file differs from what
 * the document gives today.
 */
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import * as prettier from 'prettier';

export const API_TYPES_FILE = path.resolve(import.meta.dirname, '../../src/web/api/schema.gen.ts');

const HEADER = `/**
 * Generated from the OpenAPI document (GET /api/v1/openapi.json) by openapi-typescript: do not edit.
 * Regenerate with \`npm run api:types\` after changing a route; test/openapi-client.test.ts fails
 * while this file is out of date. Clients use it with openapi-fetch: \`createClient<paths>()\`.
 */
`;

export async function generateApiTypes(document: unknown): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0]);
  const source = HEADER + astToString(ast);
  const options = (await prettier.resolveConfig(API_TYPES_FILE)) ?? {};
  return prettier.format(source, { ...options, filepath: API_TYPES_FILE });
}
