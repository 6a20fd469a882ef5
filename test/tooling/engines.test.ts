import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';

/**
 * package.json's `engines.node` is a promise to whoever installs Atelier: every Node it admits
 * runs every installed package. `npm install` only warns (EBADENGINE) when a dependency wants a
 * newer Node (issue 13: cookie@2 and content-disposition@3 wanted Node 22 under `>=20.9`), so the
 * check lives here: the lowest Node the range admits satisfies the `engines.node` of every package
 * in the lockfile, and the Node running the tests is admitted.
 */
// semver ships no types and is not a direct dependency (fastify, sharp and graphile-worker bring it).
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

const root = path.resolve(import.meta.dirname, '../..');
const readJson = async <T>(file: string) => JSON.parse(await readFile(path.join(root, file), 'utf8')) as T;

test("package.json's engines.node admits only Node versions that every locked package runs on", async () => {
  const pkg = await readJson<{ engines: { node: string } }>('package.json');
  const lock = await readJson<{ packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> }>(
    'package-lock.json',
  );
  const lowest = semver.minVersion(pkg.engines.node)?.version;
  assert.ok(lowest, `engines.node "${pkg.engines.node}" admits no version`);
  const refused: string[] = [];
  for (const [where, entry] of Object.entries(lock.packages)) {
    const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    if (where === '' || !wanted) continue;
    if (!semver.satisfies(lowest, wanted)) refused.push(`${where.replace(/^.*node_modules\//, '')}@${entry.version} wants node ${wanted}`);
  }
  assert.deepEqual(refused, [], `engines.node is "${pkg.engines.node}" (lowest ${lowest}), but`);
  assert.ok(
    semver.satisfies(process.versions.node, pkg.engines.node),
    `the tests run on Node ${process.versions.node}, outside "${pkg.engines.node}"`,
  );
});
