import type { OpsJobs } from '../../../modules/ops/index.ts';
import type { SiteContext } from '../../components/document.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { clock } from './words.ts';

export type FailedJob = Awaited<ReturnType<OpsJobs['failed']>>[number];

/** A job's name on the page and in notices: its database and its id there. */
export const jobName = (j: Readonly<{ database: string; id: string }>) => `${j.database}:${j.id}`;

/**
 * Failed jobs: out of attempts, waiting for an operator. Each with its task, error, attempts and
 * when it was last due, and a Retry and a Discard button (each its own form, posting to the page
 * routes that call the ops module; the module audits both).
 */
export function JobsPage(props: { site: SiteContext; who: string; jobs: FailedJob[]; notice?: string | undefined }) {
  return (
    <OfficeLayout
      site={props.site}
      office="console"
      title="Failed jobs"
      path="/console/jobs"
      who={props.who}
      notice={props.notice}
      lead="Jobs that used up their attempts. Retry one to run it again at the workers' next poll, or discard it for good."
    >
      {props.jobs.length === 0 ? <p>No failed jobs: every queue is healthy.</p> : <JobsTable jobs={props.jobs} />}
    </OfficeLayout>
  );
}

function JobsTable({ jobs }: { jobs: FailedJob[] }) {
  return (
    <table class="records jobs">
      <caption class="visually-hidden">Failed jobs, most recent first</caption>
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Error</th>
          <th scope="col" class="num">
            Attempts
          </th>
          <th scope="col">Last due</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((j) => (
          <JobRow key={jobName(j)} job={j} />
        ))}
      </tbody>
    </table>
  );
}

/** The error's first line; the rest (a stack, a provider's answer) folded under it. */
function JobError({ error }: { error: string | null }) {
  if (!error) return <span class="muted">No error recorded</span>;
  const [first, ...rest] = error.trim().split('\n');
  return (
    <>
      <p class="job-error">{first}</p>
      {rest.length > 0 ? (
        <details>
          <summary>The whole error</summary>
          <pre class="job-error-more">{rest.join('\n')}</pre>
        </details>
      ) : null}
    </>
  );
}

function JobRow({ job }: { job: FailedJob }) {
  const name = jobName(job);
  const labelId = `job-${job.database}-${job.id}`;
  const base = `/console/jobs/${encodeURIComponent(job.database)}/${encodeURIComponent(job.id)}`;
  return (
    <tr data-job={name}>
      <th scope="row" id={labelId}>
        <span class="job-task">{job.task}</span>
        <span class="muted job-id">job {name}</span>
      </th>
      <td>
        <JobError error={job.lastError} />
      </td>
      <td class="num">
        {job.attempts} of {job.maxAttempts}
      </td>
      <td>
        <time dateTime={job.runAt.toISOString()}>{clock(job.runAt.toISOString(), true)}</time>
      </td>
      <td>
        <div class="actions">
          <form method="post" action={`${base}/retry`}>
            <button type="submit" class="button" aria-describedby={labelId}>
              Retry
            </button>
          </form>
          <form method="post" action={`${base}/discard`}>
            <button type="submit" class="button secondary" aria-describedby={labelId}>
              Discard
            </button>
          </form>
        </div>
      </td>
    </tr>
  );
}
