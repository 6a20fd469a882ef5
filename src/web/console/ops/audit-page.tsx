import type { AuditEntry, AuditPage as AuditResults, ChainVerdict } from '../../../modules/audit/index.ts';
import type { SiteContext } from '../../components/document.tsx';
import { TextField } from '../../components/form.tsx';
import { ErrorSummary } from '../../components/layout.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import type { FieldError } from '../../forms.ts';
import { FILTER_FIELDS, filtersQuery, type AuditFilters } from './audit-query.ts';
import { clock } from './words.ts';

export type AuditPageProps = Readonly<{
  site: SiteContext;
  who: string;
  filters: AuditFilters;
  errors: FieldError[];
  results: AuditResults | null;
  /** Whether this is a later page (a cursor was given). */
  paged: boolean;
  verdict?: ChainVerdict | undefined;
}>;

/** The verdict of walking the chain, in words (the contract's "The chain verifies" / "is broken at entry N"). */
export function verdictWords(v: ChainVerdict): string {
  if (v.ok) return `The chain verifies: all ${v.entries} entries are sound, up to the head at entry ${v.headSeq}.`;
  const sound = v.entries === 0 ? '' : ` The ${v.entries} ${v.entries === 1 ? 'entry' : 'entries'} before it verify.`;
  return `The chain is broken at entry ${v.firstBad.seq}: ${v.firstBad.message}.${sound}`;
}

/**
 * The audit log: every seller and operator action that changed something, newest first, filtered
 * by action, target, actor and dates, paged by keyset (`cursor` = the last entry's seq). Each
 * entry says who, what, to what, when, from where, the change (before → after) and why. "Verify
 * the chain" walks the whole hash chain and says whether it holds, or where it breaks.
 */
export function AuditLogPage(props: AuditPageProps) {
  return (
    <OfficeLayout
      site={props.site}
      office="console"
      title="Audit log"
      path="/console/audit"
      who={props.who}
      lead="Every action that changed something, newest first. Entries are chained by their hashes, so an edit made in the database shows."
    >
      <Verify verdict={props.verdict} filters={props.filters} />
      <ErrorSummary errors={props.errors} />
      <Filters filters={props.filters} errors={props.errors} />
      {props.results ? <Results results={props.results} filters={props.filters} paged={props.paged} /> : null}
    </OfficeLayout>
  );
}

/** The button walks the whole chain; the search on the page stays as it was (hidden fields). */
function Verify({ verdict, filters }: { verdict?: ChainVerdict | undefined; filters: AuditFilters }) {
  return (
    <section aria-labelledby="audit-verify" class="audit-verify">
      <h2 id="audit-verify" class="visually-hidden">
        Verify the chain
      </h2>
      {verdict ? (
        <p role="status" class={`verdict ${verdict.ok ? 'ok' : 'bad'}`} data-verdict={verdict.ok ? 'ok' : 'broken'}>
          <span class={`status ${verdict.ok ? 'ok' : 'bad'}`}>{verdict.ok ? 'Verified' : 'Broken'}</span> {verdictWords(verdict)}
        </p>
      ) : null}
      <form method="get" action="/console/audit/verify">
        {Object.entries(filters)
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
        <button type="submit" class="secondary">
          Verify the chain
        </button>
      </form>
    </section>
  );
}

function Filters({ filters, errors }: { filters: AuditFilters; errors: FieldError[] }) {
  return (
    <form method="get" action="/console/audit" class="filters" role="search" aria-label="Audit log">
      {FILTER_FIELDS.map((f) => (
        <TextField key={f.id} id={f.id} name={f.key} label={f.label} value={filters[f.key]} errors={errors} spellcheck={false} />
      ))}
      <TextField type="date" id="from" label="From (date)" value={filters.from} errors={errors} />
      <TextField type="date" id="to" label="To (date)" value={filters.to} errors={errors} />
      <button type="submit">Search</button>
      <a href="/console/audit">Clear</a>
    </form>
  );
}

function Results({ results, filters, paged }: { results: AuditResults; filters: AuditFilters; paged: boolean }) {
  if (results.items.length === 0) return <p>No entries match.</p>;
  return (
    <>
      <table class="records audit">
        <caption class="visually-hidden">Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Entry</th>
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Target</th>
            <th scope="col">From where</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          {results.items.map((e) => (
            <EntryRow key={e.seq} entry={e} />
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Audit log pages">
        {paged ? <a href={`/console/audit${filtersQuery(filters)}`}>Newest entries</a> : null}
        {results.nextCursor ? <a href={`/console/audit${filtersQuery(filters, results.nextCursor)}`}>Older entries</a> : null}
      </nav>
    </>
  );
}

function EntryRow({ entry: e }: { entry: AuditEntry }) {
  return (
    <tr data-seq={e.seq}>
      <th scope="row">
        <span class="audit-seq">#{e.seq}</span>
        <time dateTime={e.occurredAt}>{clock(e.occurredAt, true)}</time>
      </th>
      <td>
        <code class="audit-id">{e.actor.accountId}</code>
        <span class="muted">{e.actor.role}</span>
      </td>
      <td>
        <code>{e.action}</code>
      </td>
      <td>
        {e.target.type} <code class="audit-id">{e.target.id}</code>
      </td>
      <td>
        {e.actor.ip ?? 'unknown address'}
        <span class="muted audit-agent">{e.actor.userAgent ?? 'no user agent'}</span>
      </td>
      <td>
        <Change before={e.before} after={e.after} />
        {e.reason ? <p class="audit-reason">Reason: {e.reason}</p> : null}
      </td>
    </tr>
  );
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A recorded value as text: times in words, strings as they are, anything else as JSON. */
function shown(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (typeof v === 'string') return ISO_TIME.test(v) ? clock(v, true) : v;
  return JSON.stringify(v);
}

/** One field of a change: old → new; a field only one side recorded shows as that side says. */
function FieldChange(props: { name: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }) {
  const { name, before, after } = props;
  const had = before !== null && name in before;
  const has = after !== null && name in after;
  let value;
  if (had && has) {
    value = (
      <>
        <del>{shown(before[name])}</del> → <ins>{shown(after[name])}</ins>
      </>
    );
  } else if (has) value = <ins>{before === null ? shown(after[name]) : `→ ${shown(after[name])}`}</ins>;
  else value = after === null ? <del>{shown(before?.[name])}</del> : <span class="muted">was {shown(before?.[name])}</span>;
  return (
    <div>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** Before and after, field by field (the fields the action recorded), in words. */
function Change({ before, after }: { before: Record<string, unknown> | null; after: Record<string, unknown> | null }) {
  if (before === null && after === null) return <span class="muted">no details</span>;
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const changed = keys.filter((k) => !(before && after && k in before && k in after && shown(before[k]) === shown(after[k])));
  const verb = before === null ? 'Created' : after === null ? 'Removed' : 'Changed';
  if (changed.length === 0) return <span class="muted">{verb}: no field differs</span>;
  return (
    <>
      <p class="diff-verb">{verb}</p>
      <dl class="diff">
        {changed.map((k) => (
          <FieldChange key={k} name={k} before={before} after={after} />
        ))}
      </dl>
    </>
  );
}
