/**
 * `npm test`: starts one real PostgreSQL for the whole run (the embedded server, in a temporary
 * folder, unless TEST_PG_ADMIN_URL points at one), then runs every `*.test.ts` with Node's test
 * runner. Each test file makes its own catalog and two shard databases on that server, so files
 * run in parallel without seeing each other's data.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ensureScratchPostgres } from '../test/support/scratch-postgres.ts';

async function findTests(dir: string, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') await findTests(full, out);
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const filter = process.argv.slice(2);
const files = [...(await findTests('src')), ...(await findTests('test'))]
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();

const given = process.env.TEST_PG_ADMIN_URL;
const scratch = await ensureScratchPostgres('test');
if (!given) console.log(`test PostgreSQL: embedded, ${new URL(scratch.adminUrl).host}`);
if (!process.env.REDIS_URL) console.log('REDIS_URL is not set: tests that need Redis are skipped');

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TEST_PG_ADMIN_URL: scratch.adminUrl },
});
const code: number = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
await scratch.stop();
process.exit(code);
