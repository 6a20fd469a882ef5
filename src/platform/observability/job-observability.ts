import { performance } from 'node:perf_hooks';
import type { HotCounterSeries, HotHistogramSeries } from './hot-metrics.ts';
import { jobDuration, jobsRun } from './metrics.ts';
import { inSpan, SpanKind, takeTraceContext } from './tracing.ts';

type TaskSeries = Readonly<{ ok: HotCounterSeries; retry: HotCounterSeries; failed: HotCounterSeries; duration: HotHistogramSeries }>;
const byTask = new Map<string, TaskSeries>();

function seriesFor(task: string): TaskSeries {
  let s = byTask.get(task);
  if (!s) {
    s = {
      ok: jobsRun.series(task, 'ok'),
      retry: jobsRun.series(task, 'retry'),
      failed: jobsRun.series(task, 'failed'),
      duration: jobDuration.series(task),
    };
    byTask.set(task, s);
  }
  return s;
}

export type JobFacts = Readonly<{ task: string; database: string; jobId: string; attempt: number; maxAttempts: number }>;

/**
 * Runs one job's handler observed: the stored payload's trace context (`_trace`) is taken off
 * before the handler sees the payload, the run is a consumer span in the enqueuer's trace when
 * tracing is on, and `atelier_jobs_total` / `atelier_job_duration_seconds` count it. An error is
 * counted `failed` when no attempt is left (or it is a PermanentJobError), else `retry`, and
 * rethrown unchanged.
 */
export async function runObservedJob(
  job: JobFacts,
  stored: Record<string, unknown>,
  handler: (payload: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const { payload, parent } = takeTraceContext(stored);
  const series = seriesFor(job.task);
  const started = performance.now();
  try {
    await inSpan(
      `job ${job.task}`,
      SpanKind.CONSUMER,
      {
        'messaging.system': 'graphile_worker',
        'messaging.operation.type': 'process',
        'messaging.destination.name': job.database,
        'messaging.message.id': job.jobId,
        'atelier.job.task': job.task,
        'atelier.job.attempt': job.attempt,
      },
      parent,
      () => handler(payload),
    );
    series.ok.inc();
  } catch (err) {
    const permanent = (err instanceof Error && err.name === 'PermanentJobError') || job.attempt >= job.maxAttempts;
    (permanent ? series.failed : series.retry).inc();
    throw err;
  } finally {
    series.duration.observe((performance.now() - started) / 1000);
  }
}
