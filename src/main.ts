import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { startApiCluster, type ApiCluster } from './app/cluster.ts';
import { ConfigError, loadConfig, type Config } from './app/config.ts';
import { createContainer, createLogger, type Container } from './app/container.ts';
import { buildHttpServer } from './app/http.ts';
import { demoPasswordNotice, seedDemo } from './app/seed.ts';
import { runShardsCommand } from './platform/postgres/shard-move-cli.ts';
import { startWorkerRole } from './app/worker.ts';
import type { Workers } from './platform/queue/queue.ts';
import { startFakeProvider, type FakeProvider } from './modules/payments/index.ts';
import { answerClusterScrapes, renderClusterMetrics } from './platform/observability/cluster-metrics.ts';
import { renderMetrics } from './platform/observability/metrics.ts';
import { startMetricsServer, type MetricsServer } from './platform/observability/metrics-server.ts';

const USAGE = `atelier <command>

  start               API and workers in one process (embedded PostgreSQL unless URLs are set)
    --api-processes N   serve the API from N processes sharing the port (default API_PROCESSES, 1)
  api                 the HTTP API only (--api-processes N as for start)
  worker              the job workers only
  migrate             apply every module's migrations to every database, then exit
  seed [--products N] make demo shops, products and images (default 200 products)
  payment-provider    run the simulated payment provider alone (PAYMENT_PROVIDER_PORT)
  reporting rebuild   empty the reporting read models and replay the event log into them
  shards status|move|cleanup   the shard map: placement and row counts, online moves (atelier shards)
  audit verify        walk the audit log's hash chain; exits 1 naming the first entry that does not verify

Settings come from environment variables; see docs/configuration.md.`;

type Running = {
  app: Container;
  server?: FastifyInstance;
  apiCluster?: ApiCluster;
  workers?: Workers;
  provider?: FakeProvider;
  metrics?: MetricsServer;
};

function installShutdown(running: Running): (reason: string) => void {
  // How long a graceful shutdown may take before the process exits anyway (SHUTDOWN_TIMEOUT_SECONDS).
  const deadlineMs = running.app.config.shutdownTimeoutSeconds * 1000;
  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) {
      running.app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    running.app.log.info({ signal }, 'shutting down: no new requests, finishing in-flight work');
    // A drain that never ends (a job or request stuck on a dependency) must not keep the process
    // forever: past the deadline it exits anyway. Nothing is lost: a job it was running stays in
    // its queue and runs again once its lock times out (JOB_LOCK_TIMEOUT_SECONDS).
    setTimeout(() => {
      running.app.log.error({ signal, deadlineMs }, 'shutdown did not finish in time; exiting now');
      process.exit(1);
    }, deadlineMs).unref();
    // Order matters: stop accepting and drain requests, then let running jobs finish, then close pools.
    try {
      if (running.server) {
        const drainStarted = Date.now();
        await running.server.close();
        running.app.log.info({ drainMs: Date.now() - drainStarted }, 'HTTP server drained: every connection closed');
      }
      await running.apiCluster?.stop();
      await running.workers?.stop();
      await running.metrics?.close();
      await running.app.close();
      await running.provider?.close();
      process.exit(exitCode);
    } catch (err) {
      running.app.log.error({ err }, 'unclean shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // SIGUSR2: rolling restart of the API processes (cluster.ts). Not SIGHUP, which a closing
  // terminal sends to every process of its group; not SIGUSR1, which starts Node's inspector.
  // Handled in every process, so the signal sent to the wrong one is logged instead of killing it.
  process.on('SIGUSR2', () => {
    if (stopping) return;
    if (!running.apiCluster) {
      running.app.log.warn(
        'SIGUSR2 ignored: a rolling restart replaces the API processes of `start|api --api-processes N` (N >= 2); send it to their primary',
      );
      return;
    }
    void running.apiCluster.restart().catch((err: unknown) => running.app.log.error({ err }, 'rolling restart failed'));
  });
  if (cluster.isWorker) {
    // Ctrl-C reaches every process of the terminal's group; an API process of a cluster waits for
    // its primary's SIGTERM instead, so that one Ctrl-C is not taken for two (see cluster.ts).
    process.on('SIGINT', () => undefined);
  } else {
    process.once('SIGINT', () => void stop('SIGINT'));
  }
  return (reason) => void stop(reason, 1);
}

async function serve(config: Config, role: 'start' | 'api' | 'worker', apiProcesses: number): Promise<void> {
  // An API process forked by `--api-processes` finds the migrations applied by its primary.
  const app = await createContainer(config, { role, migrate: !cluster.isWorker });
  const running: Running = { app };
  const fail = installShutdown(running);
  if (cluster.isWorker) {
    // An API process of `--api-processes N`: its primary serves the metrics of the whole host.
    answerClusterScrapes();
  } else if (config.observability.metrics) {
    // First, so that a taken port stops start-up before anything else is started (and the
    // databases this process opened, or the embedded server it started, are closed again).
    running.metrics = await startMetricsServer({
      ...config.observability.metrics,
      render: () => (running.apiCluster ? renderClusterMetrics() : renderMetrics()),
    }).catch(async (err: unknown) => {
      await app.close();
      throw err;
    });
    app.log.info({ url: running.metrics.url }, `metrics listening on ${running.metrics.url}`);
  }
  if (role === 'start' && !config.payments.providerUrl) {
    // The all-in-one default simulates the external payment provider next to the app.
    running.provider = await startFakeProvider({ port: config.payments.simulatorPort });
    app.log.info({ url: running.provider.url }, 'simulated payment provider listening');
  }
  // The two-command demo: an empty catalog gets demo shops on the first start (never with
  // NODE_ENV=production unless DEMO_SEED=true; config.ts), their password made and shown once.
  if (role === 'start' && config.demoSeed) {
    const seeded = await seedDemo(app, { products: 200, onlyIfEmpty: true, progress: false });
    if (seeded.created) app.log.info({ products: seeded.products, passwordFile: seeded.password?.file }, 'seeded demo data on first start');
    if (seeded.password) console.log(demoPasswordNotice(seeded.password));
  }
  if (role !== 'api') running.workers = await startWorkerRole(app);
  if (role !== 'worker' && apiProcesses > 1 && cluster.isPrimary) {
    running.apiCluster = await startApiCluster({ processes: apiProcesses, log: app.log, onFatal: fail });
    const shown = `${config.host.replace('0.0.0.0', 'localhost')}:${config.port}`;
    if (process.stdout.isTTY) console.log(`\n  Atelier is running at http://${shown} (${apiProcesses} API processes)\n`);
  } else if (role !== 'worker') {
    running.server = await buildHttpServer(app);
    const address = await running.server.listen({ host: config.host, port: config.port });
    const shown = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
    const data = app.stores.embedded
      ? `embedded PostgreSQL in ${app.stores.embedded.dataDir} (port ${app.stores.embedded.port})`
      : 'external PostgreSQL';
    app.log.info({ address, data }, `Atelier listening on ${shown}; data: ${data}`);
    if (process.stdout.isTTY) console.log(`\n  Atelier is running at ${shown}\n  Data: ${data}\n  Media: ${config.media.dir}\n`);
  }
}

/** `--api-processes` wins over API_PROCESSES; a process forked by a cluster always runs one API. */
function apiProcessesOf(command: string, flag: string | undefined, config: Config): number {
  if (cluster.isWorker) return 1;
  if (flag === undefined) return command === 'worker' ? 1 : config.apiProcesses;
  if (command === 'worker') throw new ConfigError('--api-processes', 'applies to start and api, not worker');
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new ConfigError('--api-processes', `must be a whole number from 1 to 64 (got "${flag}")`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      products: { type: 'string' },
      'api-processes': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  const config = loadConfig();
  switch (command) {
    case 'start':
    case 'api':
    case 'worker':
      return serve(config, command, apiProcessesOf(command, values['api-processes'], config));
    case 'payment-provider': {
      const provider = await startFakeProvider({ port: config.payments.simulatorPort, host: config.host });
      console.log(`simulated payment provider listening on ${provider.url}`);
      const stop = () => void provider.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      return;
    }
    case 'migrate': {
      const app = await createContainer(config, { role: 'migrate', migrate: true });
      await app.close();
      return;
    }
    case 'seed': {
      const products = values.products === undefined ? 200 : Number(values.products);
      if (!Number.isInteger(products) || products < 1 || products > 10_000_000) {
        throw new ConfigError('--products', 'must be a whole number from 1 to 10000000');
      }
      const app = await createContainer(config, { role: 'seed', migrate: true, log: createLogger({ logLevel: 'warn' }, 'seed') });
      try {
        const result = await seedDemo(app, { products, onlyIfEmpty: false, progress: true });
        console.log(`seeded ${result.products} products`);
        if (result.password) console.log(demoPasswordNotice(result.password));
      } finally {
        await app.close();
      }
      return;
    }
    case 'reporting': {
      if (positionals[1] !== 'rebuild' || positionals.length > 2) {
        console.error(`usage: atelier reporting rebuild\n\n${USAGE}`);
        process.exitCode = 2;
        return;
      }
      const app = await createContainer(config, { role: 'reporting', migrate: true, log: createLogger({ logLevel: 'warn' }, 'reporting') });
      try {
        const r = await app.reporting.rebuild();
        console.log(
          `reporting rebuilt: ${r.applied} events applied (${r.events} read from the event log, ${r.skipped} skipped) in ${r.ms} ms`,
        );
      } finally {
        await app.close();
      }
      return;
    }
    case 'audit': {
      if (positionals[1] !== 'verify' || positionals.length > 2) {
        console.error(`usage: atelier audit verify [--json]\n\n${USAGE}`);
        process.exitCode = 2;
        return;
      }
      const app = await createContainer(config, { role: 'audit', migrate: true, log: createLogger({ logLevel: 'warn' }, 'audit') });
      try {
        const verdict = await app.audit.service.verify();
        if (values.json) console.log(JSON.stringify(verdict, null, 2));
        else if (verdict.ok) console.log(`audit log verified: ${verdict.entries} entries, head ${verdict.headSeq} ${verdict.headHash}`);
        else console.error(`audit log does NOT verify: ${verdict.firstBad.message} (${verdict.entries} entries before it are sound)`);
        process.exitCode = verdict.ok ? 0 : 1;
      } finally {
        await app.close();
      }
      return;
    }
    case 'shards': {
      const log = createLogger({ logLevel: 'warn' }, 'shards');
      process.exitCode = await runShardsCommand(config, positionals.slice(1), { json: values.json === true, log });
      return;
    }
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
