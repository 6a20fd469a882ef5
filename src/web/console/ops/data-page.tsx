import type { DataPlacement } from '../../../modules/ops/index.ts';
import type { SiteContext } from '../../components/document.tsx';
import { OfficeLayout } from '../../back-office/frame.tsx';
import { ago, millis } from './words.ts';

/** Logical shard numbers as ranges ("0–3, 8, 10–11"). */
export function shardRanges(shards: readonly number[]): string {
  const sorted = [...shards].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i]!;
    while (i + 1 < sorted.length && sorted[i + 1] === sorted[i]! + 1) i++;
    parts.push(start === sorted[i] ? String(start) : `${start}–${sorted[i]}`);
  }
  return parts.join(', ') || 'none';
}

/**
 * Where the data is: the shard map (each database's logical shards, frozen ones marked, row counts
 * when asked), the nodes serving by the map, the catalog's read replicas and their lag. From the
 * ops module's `data()`, the same figures as `atelier shards status`.
 */
export function DataPage(props: { site: SiteContext; who: string; data: DataPlacement; counted: boolean }) {
  const { data } = props;
  return (
    <OfficeLayout
      site={props.site}
      office="console"
      title="Data"
      path="/console/data"
      who={props.who}
      lead={`${data.shardMap.logicalShards} logical shards on ${data.shardMap.databases.length} databases; shard map version ${data.shardMap.version}, this node serves version ${data.shardMap.servedVersion}.`}
    >
      <Shards data={data} counted={props.counted} />
      <Nodes nodes={data.nodes} />
      <Replicas replicas={data.replicas} />
    </OfficeLayout>
  );
}

function RowsOf({ rows }: { rows: Record<string, number> | null }) {
  if (!rows) return <>not counted</>;
  const total = Object.values(rows).reduce((n, r) => n + r, 0);
  return (
    <details>
      <summary>
        {total} rows in {Object.keys(rows).length} tables
      </summary>
      <ul class="plain-list">
        {Object.entries(rows).map(([table, n]) => (
          <li key={table}>
            {table}: {n}
          </li>
        ))}
      </ul>
    </details>
  );
}

function Shards({ data, counted }: { data: DataPlacement; counted: boolean }) {
  return (
    <section aria-labelledby="data-shards">
      <h2 id="data-shards">Shards and their placement</h2>
      <table class="records">
        <thead>
          <tr>
            <th scope="col">Database</th>
            <th scope="col">Logical shards</th>
            <th scope="col">Frozen (moving)</th>
            <th scope="col">Rows</th>
          </tr>
        </thead>
        <tbody>
          {data.shardMap.databases.map((d) => (
            <tr key={d.name}>
              <th scope="row">{d.name}</th>
              <td>{shardRanges(d.logicalShards)}</td>
              <td>{d.frozen.length ? <span class="status warn">{shardRanges(d.frozen)}</span> : 'none'}</td>
              <td>
                <RowsOf rows={d.rows} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.stray && data.stray.length > 0 ? (
        <p class="status bad">
          Rows left behind by an interrupted move:{' '}
          {data.stray.map((s) => `${s.rows} of shard ${s.logicalShard} on ${s.database}`).join('; ')}
        </p>
      ) : null}
      {counted ? (
        <p>{data.stray?.length === 0 ? 'Counted: no rows left on a database the map does not place them on.' : null}</p>
      ) : (
        <form method="get" action="/console/data" class="actions">
          <input type="hidden" name="rows" value="1" />
          <button type="submit" class="secondary">
            Count the rows
          </button>
          <span class="hint">Scans every sharded table.</span>
        </form>
      )}
    </section>
  );
}

function Nodes({ nodes }: { nodes: DataPlacement['nodes'] }) {
  return (
    <section aria-labelledby="data-nodes">
      <h2 id="data-nodes">Nodes</h2>
      {nodes.length === 0 ? (
        <p>No node has reported its shard map yet.</p>
      ) : (
        <table class="records">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Role</th>
              <th scope="col" class="num">
                Map version
              </th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((n) => (
              <tr key={n.nodeId}>
                <th scope="row">{n.nodeId}</th>
                <td>{n.role}</td>
                <td class="num">{n.mapVersion}</td>
                <td>{ago(n.seenSecondsAgo)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Replicas({ replicas }: { replicas: DataPlacement['replicas'] }) {
  return (
    <section aria-labelledby="data-replicas">
      <h2 id="data-replicas">Replicas of the catalog</h2>
      <p>
        {replicas.enabled ? 'Reads go to replicas' : 'Replicas are off: the catalog answers every read'}; a replica more than{' '}
        {millis(replicas.maxLagMs)} behind is taken out of rotation.
      </p>
      {replicas.items.length === 0 ? null : (
        <table class="records">
          <thead>
            <tr>
              <th scope="col">Replica</th>
              <th scope="col">State</th>
              <th scope="col">Lag</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {replicas.items.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td>
                  <span class={`status ${r.healthy ? 'ok' : 'bad'}`}>{r.healthy ? 'serving' : 'out of rotation'}</span> ({r.state})
                </td>
                <td>
                  {r.lagMs === null ? 'not measured' : millis(r.lagMs)}
                  {r.lagBytes === null ? '' : `, ${r.lagBytes} bytes`}
                </td>
                <td>{r.lastError ?? 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
