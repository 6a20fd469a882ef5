import { useEffect, useState } from 'preact/hooks';
import { api, problemOf } from '../client/api.ts';

type ExportState = Readonly<{ id: string; status: string; rowCount: number | null; downloadUrl: string | null; error: string | null }>;

const POLL_MS = 1000;

/**
 * The CSV export of the shop's orders (one row per line, with the address): the reporting module
 * writes it in a background job, so the button starts it (POST /api/v1/seller/exports/orders), the
 * island asks how it goes every second (GET /api/v1/seller/exports/:id) in a live region, and
 * shows the download link once the file is ready.
 */
export default function SalesExport() {
  const [job, setJob] = useState<ExportState | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [live, setLive] = useState(false);
  useEffect(() => setLive(true), []);
  useEffect(() => {
    if (!job || job.status === 'ready' || job.status === 'failed') return;
    const timer = setTimeout(() => {
      void api.GET('/api/v1/seller/exports/{id}', { params: { path: { id: job.id } } }).then(({ data, error }) => {
        if (data) setJob(data.export);
        else setProblem(problemOf(error).message);
      });
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [job]);

  const start = async () => {
    setBusy(true);
    setProblem(null);
    const { data, error } = await api.POST('/api/v1/seller/exports/orders');
    setBusy(false);
    if (data) setJob(data.export);
    else setProblem(problemOf(error).message);
  };

  if (!live) return <p>Exporting needs JavaScript in this browser.</p>;
  return (
    <div class="sales-export">
      <button
        type="button"
        class="button"
        onClick={() => void start()}
        disabled={busy || (job !== null && job.status !== 'ready' && job.status !== 'failed')}
      >
        Export orders as CSV
      </button>
      <p aria-live="polite" class="export-state">
        {problem ? <span class="field-error">{problem}</span> : null}
        {job && job.status === 'ready' && job.downloadUrl ? (
          <a href={job.downloadUrl} download>
            Download the CSV ({job.rowCount ?? 0} lines)
          </a>
        ) : job && job.status === 'failed' ? (
          <span class="field-error">The export failed: {job.error ?? 'try again'}</span>
        ) : job ? (
          'Preparing the file…'
        ) : null}
      </p>
    </div>
  );
}
