/**
 * `npm run image:check`: builds the image from the Containerfile and checks the image that was
 * built, not the source: its filesystem, mounted read-only, runs `atelier api` as the image's user
 * against a scratch PostgreSQL; /ready must answer 200, a catalog request must be served, and
 * SIGTERM must stop it within the drain time (SHUTDOWN_TIMEOUT_SECONDS).
 *
 * This machine has podman and buildah (Debian) but cannot start a container, and pulls from no
 * registry, so:
 * - the base is made here: the running `node` binary and the shared libraries it links, imported
 *   as an image (`podman import`), passed as BASE;
 * - production dependencies are made outside the build (a copy of node_modules pruned with
 *   `npm prune --omit=dev`, in .image/) and copied in (DEPS=prebuilt-deps): the build has no RUN
 *   step, so it needs no container;
 * - the check runs the image's entrypoint with chroot(8) in its mounted filesystem (`podman image
 *   mount`), as user 10001, with tmpfs on the image's two volumes, /proc and /dev bound in.
 * The images are removed afterwards unless IMAGE_CHECK_KEEP is set, and the scratch databases
 * (imgcheck_*) are dropped whatever happens: on a server named by TEST_PG_ADMIN_URL they would
 * otherwise pile up, one set a run. It needs root (podman's storage, mount, chroot). It prints
 * SKIP and exits 0 when podman is missing or it is not root; any failed step exits 1.
 */
import { spawn, execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopProcess, waitForHttp, type RunningProcess } from '../test/support/processes.ts';
import { ensureScratchPostgres, freePort } from '../test/support/scratch-postgres.ts';
import { createDatabases, dropDatabases } from '../test/support/test-app.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const IMAGE = 'localhost/atelier:check';
const BASE = 'localhost/atelier-node-base:check';
const DRAIN_SECONDS = 20;

/** The fields of `podman image inspect` read here. */
type ImageInspect = {
  Size: number;
  Healthcheck?: { Test?: string[] };
  Config: {
    User: string;
    Env: string[];
    Entrypoint: string[];
    Cmd: string[];
    Labels: Record<string, string>;
    Healthcheck?: { Test?: string[] };
  };
};

function sh(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): string {
  return execFileSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  }).trim();
}

function which(cmd: string): boolean {
  try {
    sh('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

function step(text: string): void {
  console.log(`\n==> ${text}`);
}

/**
 * A root filesystem holding the node binary, the libraries `ldd` says it links, and the shared
 * libraries of Debian's C runtime packages (as the official Node image has them: native addons
 * such as argon2 link librt, which node itself does not).
 */
async function makeBase(dir: string): Promise<void> {
  const node = sh('sh', ['-c', 'readlink -f "$(command -v node)"']);
  const runtime = sh('dpkg', ['-L', 'libc6', 'libgcc-s1', 'libstdc++6'])
    .split('\n')
    .filter((f) => /\.so(\.[0-9.]+)?$/.test(path.basename(f)) && !f.includes('/gconv/'));
  const libs = [...new Set([...[...sh('ldd', [node]).matchAll(/(\/\S+\.so[^\s]*)/g)].map((m) => m[1]!), ...runtime])].filter((f) =>
    existsSync(f),
  );
  for (const sub of ['usr/bin', 'tmp', 'proc', 'dev', 'etc', 'var/lib/atelier']) await mkdir(path.join(dir, sub), { recursive: true });
  await cp(node, path.join(dir, 'usr/bin/node'));
  for (const lib of libs) {
    const target = path.join(dir, lib);
    await mkdir(path.dirname(target), { recursive: true });
    await cp(lib, target, { dereference: true });
  }
  await writeFile(path.join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/usr/sbin/nologin\n');
  const tar = sh('sh', ['-c', `tar -C "${dir}" -cf "${dir}.tar" . && echo "${dir}.tar"`]);
  sh('podman', ['import', '--change', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', tar, BASE]);
}

async function main(): Promise<void> {
  if (!which('podman')) return console.log('SKIP image check: podman is not installed (apt-get install podman buildah)');
  if (process.getuid?.() !== 0) return console.log('SKIP image check: needs root (podman storage, mount, chroot)');
  const work = await mkdtemp(path.join(os.tmpdir(), 'atelier-image-'));
  const mounts: string[] = [];
  let proc: RunningProcess | undefined;
  let scratch: Awaited<ReturnType<typeof ensureScratchPostgres>> | undefined;
  const databases: string[] = [];
  try {
    step('base image from the local node binary and its libraries');
    await makeBase(path.join(work, 'base'));

    step('production dependencies outside the build (.image/node_modules: npm prune --omit=dev of a copy)');
    const image = path.join(ROOT, '.image');
    await rm(image, { recursive: true, force: true });
    await mkdir(image);
    for (const f of ['package.json', 'package-lock.json']) await cp(path.join(ROOT, f), path.join(image, f));
    sh('cp', ['-a', path.join(ROOT, 'node_modules'), image]);
    sh('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: image });

    step('podman build (no RUN step runs: DEPS=prebuilt-deps)');
    const revision = sh('git', ['rev-parse', 'HEAD']);
    const started = Date.now();
    sh('podman', [
      'build',
      '--format',
      'docker',
      '--skip-unused-stages=true',
      '-f',
      'Containerfile',
      '-t',
      IMAGE,
      '--build-arg',
      `BASE=${BASE}`,
      '--build-arg',
      'DEPS=prebuilt-deps',
      '--build-arg',
      `REVISION=${revision}`,
      '.',
    ]);
    const inspect = (JSON.parse(sh('podman', ['image', 'inspect', IMAGE])) as ImageInspect[])[0]!;
    const size = Number(inspect.Size);
    console.log(`built ${IMAGE} in ${((Date.now() - started) / 1000).toFixed(0)} s: ${(size / 1024 / 1024).toFixed(0)} MiB`);
    console.log(
      `user ${inspect.Config.User}, entrypoint ${JSON.stringify(inspect.Config.Entrypoint)} ${JSON.stringify(inspect.Config.Cmd)}`,
    );
    console.log(`healthcheck ${JSON.stringify(inspect.Healthcheck?.Test ?? inspect.Config.Healthcheck?.Test)}`);
    console.log(`labels ${JSON.stringify(inspect.Config.Labels)}`);
    if (inspect.Config.User !== '10001:10001') throw new Error('the image does not run as user 10001');
    if (!inspect.Healthcheck?.Test && !inspect.Config.Healthcheck?.Test) throw new Error('the image has no HEALTHCHECK');

    step('mount the image read-only, with tmpfs volumes, /proc and /dev');
    const mnt = sh('podman', ['image', 'mount', IMAGE]);
    const root = path.join(work, 'root');
    await mkdir(root);
    sh('mount', ['--bind', mnt, root]);
    mounts.push(root);
    sh('mount', ['-o', 'remount,bind,ro', root]);
    for (const dir of ['tmp', 'var/lib/atelier']) {
      sh('mount', ['-t', 'tmpfs', '-o', 'mode=1777', 'tmpfs', path.join(root, dir)]);
      mounts.push(path.join(root, dir));
    }
    sh('mount', ['-t', 'proc', 'proc', path.join(root, 'proc')]);
    mounts.push(path.join(root, 'proc'));
    sh('mount', ['--rbind', '/dev', path.join(root, 'dev')]);
    mounts.push(path.join(root, 'dev'));

    step('scratch PostgreSQL, a catalog and two shard databases');
    // ensureScratchPostgres sets TEST_PG_ADMIN_URL, the server the test helpers below work on.
    scratch = await ensureScratchPostgres('image-check');
    const tag = `imgcheck_${process.pid}`;
    databases.push(...['catalog', 'shard0', 'shard1'].map((db) => `${tag}_${db}`));
    await createDatabases(databases);
    const url = (db: string) => {
      const u = new URL(scratch!.adminUrl);
      u.pathname = `/${tag}_${db}`;
      return u.toString();
    };

    step(`start the image's entrypoint (node /app/bin/atelier.js api) in a chroot as 10001:10001`);
    const port = await freePort();
    const metricsPort = await freePort();
    const env = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      ...Object.fromEntries(inspect.Config.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(metricsPort),
      CATALOG_DATABASE_URL: url('catalog'),
      SHARD_DATABASE_URLS: `shard0=${url('shard0')},shard1=${url('shard1')}`,
      PAYMENT_PROVIDER_URL: 'http://127.0.0.1:9',
      SHUTDOWN_TIMEOUT_SECONDS: String(DRAIN_SECONDS),
      LOG_LEVEL: 'warn',
    };
    const entry = [...inspect.Config.Entrypoint, ...inspect.Config.Cmd];
    const t0 = Date.now();
    const child = spawn('/usr/sbin/chroot', ['--userspec=10001:10001', root, ...entry], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.on('error', () => resolve(-1));
    });
    // Its output goes straight to this terminal, so there is none to quote in an error.
    proc = { child, exited, output: () => '(the output is above)' };
    await waitForHttp(`http://127.0.0.1:${port}/ready`, proc, 180_000);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    console.log(`/ready ${ready.status} after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${await ready.text()}`);
    const products = await fetch(`http://127.0.0.1:${port}/api/v1/products?limit=5`);
    const body = await products.text();
    if (products.status !== 200 || !body.includes('"items"'))
      throw new Error(`GET /api/v1/products: ${products.status} ${body.slice(0, 200)}`);
    console.log(`GET /api/v1/products ${products.status}`);
    const health = spawn('/usr/sbin/chroot', ['--userspec=10001:10001', root, 'node', '/app/bin/healthcheck.js'], { env });
    health.on('error', () => undefined);
    const healthCode = await new Promise<number | null>((resolve) => health.on('exit', resolve));
    if (healthCode !== 0) throw new Error(`the HEALTHCHECK command exited ${healthCode}`);
    console.log('HEALTHCHECK command: exit 0');
    const stopAt = Date.now();
    // Killed when still running 5 s past the drain limit; a killed process has no exit code.
    const code = await stopProcess(proc, 'SIGTERM', (DRAIN_SECONDS + 5) * 1000);
    if (code === null) throw new Error(`still running ${DRAIN_SECONDS + 5} s after SIGTERM (killed), or ended by a signal`);
    console.log(`SIGTERM: exited ${code} after ${((Date.now() - stopAt) / 1000).toFixed(1)} s (drain limit ${DRAIN_SECONDS} s)`);
    if (code !== 0) throw new Error(`exit code ${code} after SIGTERM`);
    console.log('\nimage check passed');
  } finally {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    for (const m of mounts.reverse()) {
      try {
        sh('umount', ['-l', m]);
      } catch {
        // already gone
      }
    }
    if (existsSync(path.join(ROOT, '.image'))) await rm(path.join(ROOT, '.image'), { recursive: true, force: true });
    try {
      sh('podman', ['image', 'unmount', IMAGE]);
      // 360 MiB a run otherwise: nothing is reused from one run to the next.
      if (!process.env.IMAGE_CHECK_KEEP) sh('podman', ['rmi', '-f', IMAGE, BASE]);
    } catch {
      // not mounted, or never built
    }
    // Dropped before the server stops: an embedded one goes with its folder, but a server named by
    // TEST_PG_ADMIN_URL keeps whatever is left on it. With (force): a killed api's connections may
    // not have closed yet.
    if (databases.length > 0)
      await dropDatabases(databases).catch((err: unknown) =>
        console.error(`could not drop ${databases.join(', ')}: ${(err as Error).message}`),
      );
    await scratch?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main().catch((err: unknown) => {
  console.error(`image check failed: ${(err as Error).message}`);
  process.exit(1);
});
