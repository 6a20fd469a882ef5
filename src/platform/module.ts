import type { FastifyPluginAsync } from 'fastify';
import type { ModuleMigrations } from './postgres/migrations.ts';
import type { TaskHandler } from './queue/queue.ts';

/**
 * What a domain module hands the composition root: its migrations (per kind of store), its HTTP
 * routes (mounted under /api/v1 by app/http.ts) and its job handlers (run by app/worker.ts).
 * Everything else a module offers other modules goes through its own `index.ts`.
 */
export type ModuleDefinition = Readonly<{
  name: string;
  migrations: ModuleMigrations;
  routes?: FastifyPluginAsync;
  /** Routes mounted at the server root rather than /api/v1 (static media). */
  rootRoutes?: FastifyPluginAsync;
  tasks?: Readonly<Record<string, TaskHandler>>;
}>;
