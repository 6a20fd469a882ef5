import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunningProcess } from './processes.ts';

/** nginx in front of Atelier processes with the sample configuration in ops/nginx/, for tests. */
const NGINX_SAMPLE = path.resolve(import.meta.dirname, '../../ops/nginx/atelier.conf');

/** The nginx binary (NGINX_BIN, or on the PATH), or null when nginx is not installed. */
export function nginxBinary(): string | null {
  for (const candidate of [process.env.NGINX_BIN, 'nginx', '/usr/sbin/nginx']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['-v'], { stdio: 'ignore' });
    if (r.status === 0) return candidate;
  }
  return null;
}

export const NGINX_MISSING = 'nginx is not installed (apt-get install nginx-light; .ci/run installs it)';

/** The sample, with its ports and cache folder replaced; each replacement must apply, so a changed sample fails loudly here. */
export async function nginxConfig(dir: string, listenPort: number, upstreams: readonly [number, number]): Promise<string> {
  let sample = await readFile(NGINX_SAMPLE, 'utf8');
  const replace = (from: string, to: string) => {
    assert.ok(sample.includes(from), `ops/nginx/atelier.conf no longer contains "${from}"`);
    sample = sample.replace(from, to);
  };
  replace('/var/cache/nginx/atelier', path.join(dir, 'cache'));
  replace('server 127.0.0.1:3001 ', `server 127.0.0.1:${upstreams[0]} `);
  replace('server 127.0.0.1:3002 ', `server 127.0.0.1:${upstreams[1]} `);
  replace('listen 80;', `listen 127.0.0.1:${listenPort};`);
  await writeFile(path.join(dir, 'atelier.conf'), sample);
  const temp = (name: string) => path.join(dir, name);
  const main = `
daemon off;
master_process off;
worker_processes 1;
pid ${temp('nginx.pid')};
error_log stderr warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  include ${temp('atelier.conf')};
}
`;
  const file = path.join(dir, 'nginx.conf');
  await writeFile(file, main);
  return file;
}

/** Checks the configuration (`nginx -t`), then runs nginx in the foreground; stop it with stopProcess. */
export function runNginx(binary: string, dir: string, conf: string): RunningProcess {
  const check = spawnSync(binary, ['-t', '-p', dir, '-e', 'stderr', '-c', conf], { encoding: 'utf8' });
  assert.equal(check.status, 0, `nginx -t: ${check.stderr}`);
  const child = spawn(binary, ['-p', dir, '-e', 'stderr', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => log, exited };
}
