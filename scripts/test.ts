/**
 * `npm test`: starts one real PostgreSQL for the whole run (the embedded server, in a temporary
 * folder, unless TEST_PG_ADMIN_URL points at one), then runs every `*.test.ts` with Node's test
 * runner. Each test file makes its own catalog and two shard databases on that server, so files
 * run in parallel without seeing each other's data.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '../src/platform/postgres/embedded-postgres.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

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

let adminUrl = process.env.TEST_PG_ADMIN_URL;
let stopServer = async () => {};
let tmp: string | null = null;
if (!adminUrl) {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'atelier-test-'));
  const server = await startEmbeddedPostgres({
    dataDir: tmp,
    port: await freePort(),
    databases: [],
    log: pino({ level: 'warn' }),
  });
  adminUrl = server.urlFor('postgres');
  stopServer = server.stop;
  console.log(`test PostgreSQL: embedded on port ${server.port}`);
}
if (!process.env.REDIS_URL) console.log('REDIS_URL is not set: tests that need Redis are skipped');

const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
  stdio: 'inherit',
  env: { ...process.env, TEST_PG_ADMIN_URL: adminUrl },
});
const code: number = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
await stopServer();
if (tmp) await rm(tmp, { recursive: true, force: true });
process.exit(code);
