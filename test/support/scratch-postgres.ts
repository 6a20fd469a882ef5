import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/platform/postgres/embedded-postgres.ts';
import { testServerFlags } from './pg-settings.ts';

/** A TCP port nobody listens on right now (for servers a test or a benchmark starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Makes sure TEST_PG_ADMIN_URL names a PostgreSQL server for test databases: the one already named
 * (a shared test run, or an operator's server), or a throwaway embedded server in a temporary
 * folder, started with the test settings (pg-settings.ts). `stop()` stops and deletes only what this
 * call started.
 */
export async function ensureScratchPostgres(label: string): Promise<{ adminUrl: string; stop(): Promise<void> }> {
  const given = process.env.TEST_PG_ADMIN_URL;
  if (given) return { adminUrl: given, stop: async () => {} };
  const dir = await mkdtemp(path.join(os.tmpdir(), `atelier-${label}-`));
  const server = await startEmbeddedPostgres({
    dataDir: dir,
    port: await freePort(),
    databases: [],
    log: pino({ level: 'warn' }),
    settings: testServerFlags(),
  });
  const adminUrl = server.urlFor('postgres');
  process.env.TEST_PG_ADMIN_URL = adminUrl;
  return {
    adminUrl,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
