import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSession } from '../../../modules/identity/index.ts';
import { isDomainError } from '../../../shared/errors.ts';
import type { BackOfficeDeps } from '../../back-office/deps.ts';
import { officePage, pageActor, whoOf } from '../../back-office/guard.tsx';
import { queryField } from '../../forms.ts';
import { seeOther, sendPrivatePage } from '../../html.ts';
import { AuditLogPage } from './audit-page.tsx';
import { parseAuditQuery } from './audit-query.ts';
import { DataPage } from './data-page.tsx';
import { JobsPage } from './jobs-page.tsx';
import { NowPage } from './now-page.tsx';

const FAILED_JOBS_SHOWN = 100;

type JobRoute = { Params: { database: string; id: string } };

/** The notice after a job action (`?done=` and `?job=`): fixed words around a job's name. */
function jobNotice(request: FastifyRequest): string | undefined {
  const job = queryField(request, 'job');
  const name = /^[a-z0-9_]{1,40}:[0-9]{1,18}$/.test(job) ? `Job ${job}` : 'The job';
  const notices: Record<string, string> = {
    retried: `${name} will run again at the workers' next poll.`,
    discarded: `${name} was discarded: it will not run again.`,
    gone: `${name} is no longer failed (it already ran again, or was discarded): nothing was changed.`,
  };
  return notices[queryField(request, 'done')];
}

/** Retry or discard from the page: the module refuses a job that is gone or not failed, and the page says so. */
async function jobAction(
  deps: BackOfficeDeps,
  verb: 'retry' | 'discard',
  session: LiveSession,
  request: FastifyRequest<JobRoute>,
  reply: FastifyReply,
) {
  const { database, id } = request.params;
  const job = encodeURIComponent(`${database}:${id}`);
  try {
    if (verb === 'retry') await deps.ops.jobs.retry(pageActor(session, request), database, id);
    else await deps.ops.jobs.discard(pageActor(session, request), database, id);
  } catch (err) {
    if (isDomainError(err) && (err.kind === 'not_found' || err.kind === 'conflict'))
      return seeOther(reply, `/console/jobs?done=gone&job=${job}`);
    throw err;
  }
  return seeOther(reply, `/console/jobs?done=${verb === 'retry' ? 'retried' : 'discarded'}&job=${job}`);
}

function auditPage(deps: BackOfficeDeps, verify: boolean) {
  return officePage(deps, 'console', async (session, request, reply) => {
    const { filters, search, errors } = parseAuditQuery(request);
    // The search and the chain's check are independent reads: side by side, the page waits for the slower.
    const [results, verdict] = await Promise.all([
      errors.length === 0 ? deps.audit.service.search(search) : null,
      verify ? deps.audit.service.verify() : undefined,
    ]);
    const page = (
      <AuditLogPage
        site={deps.site}
        who={whoOf(session)}
        filters={filters}
        errors={errors}
        results={results}
        paged={search.cursor !== undefined}
        verdict={verdict}
      />
    );
    return sendPrivatePage(request, reply, page, errors.length ? 400 : 200);
  });
}

/** The console's running side: Now, failed jobs, where the data is, the audit log. */
export function opsRoutes(deps: BackOfficeDeps): FastifyPluginAsync {
  const { site } = deps;
  return async (app) => {
    const hide = { schema: { hide: true } };
    app.get(
      '/console',
      hide,
      officePage(deps, 'console', async (session, request, reply) =>
        sendPrivatePage(request, reply, <NowPage site={site} who={whoOf(session)} now={await deps.ops.now()} />),
      ),
    );
    app.get(
      '/console/jobs',
      hide,
      officePage(deps, 'console', async (session, request, reply) => {
        const jobs = await deps.ops.jobs.failed(FAILED_JOBS_SHOWN);
        return sendPrivatePage(request, reply, <JobsPage site={site} who={whoOf(session)} jobs={jobs} notice={jobNotice(request)} />);
      }),
    );
    for (const verb of ['retry', 'discard'] as const) {
      app.post<JobRoute>(
        `/console/jobs/:database/:id/${verb}`,
        hide,
        officePage<JobRoute>(deps, 'console', (session, request, reply) => jobAction(deps, verb, session, request, reply)),
      );
    }
    app.get(
      '/console/data',
      hide,
      officePage(deps, 'console', async (session, request, reply) => {
        const counted = queryField(request, 'rows') === '1';
        const data = await deps.ops.data({ rows: counted });
        return sendPrivatePage(request, reply, <DataPage site={site} who={whoOf(session)} data={data} counted={counted} />);
      }),
    );
    app.get('/console/audit', hide, auditPage(deps, false));
    app.get('/console/audit/verify', hide, auditPage(deps, true));
  };
}
