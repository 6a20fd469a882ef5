import { useEffect, useState } from 'preact/hooks';
import type { operations } from '../api/schema.gen.ts';
import { api, problemOf } from '../client/api.ts';
import { Field } from '../components/form.tsx';

type Endpoint = operations['listWebhooks']['responses'][200]['content']['application/json']['endpoints'][number];
type Delivery = operations['listWebhookDeliveries']['responses'][200]['content']['application/json']['deliveries'][number];

const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '–');

/**
 * The shop's webhook endpoints, from the JSON API (the webhooks module keeps them): add one (its
 * signing secret is shown once), remove one, enable a disabled one again, read each one's recent
 * deliveries with the answers the endpoint gave, and send one again.
 */
export default function SalesWebhooks() {
  const [endpoints, setEndpoints] = useState<Endpoint[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const load = async () => {
    const { data, error } = await api.GET('/api/v1/seller/webhooks');
    if (data) setEndpoints(data.endpoints);
    else setProblem(problemOf(error).message);
  };
  useEffect(() => void load(), []);
  if (!endpoints) return <p aria-live="polite">{problem ?? 'Loading your endpoints…'}</p>;
  return (
    <div class="sales-webhooks">
      <AddEndpoint
        onAdded={(s) => {
          setSecret(s);
          void load();
        }}
      />
      {secret ? (
        <p class="notice" role="status">
          Endpoint added. Its signing secret, shown only now: <code class="secret">{secret}</code>
        </p>
      ) : null}
      {problem ? (
        <p class="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <h2>Your endpoints</h2>
      {endpoints.length === 0 ? <p>No endpoints yet.</p> : null}
      {endpoints.map((e) => (
        <EndpointCard key={e.id} endpoint={e} onChange={() => void load()} onProblem={setProblem} />
      ))}
    </div>
  );
}

function AddEndpoint(props: { onAdded(secret: string): void }) {
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const { data, error: failed } = await api.POST('/api/v1/seller/webhooks', { body: { url: url.trim(), eventTypes: ['order.paid'] } });
    if (!data) return setError(problemOf(failed).message);
    setUrl('');
    props.onAdded(data.secret);
  };
  return (
    <form class="webhook-add" onSubmit={(e) => void submit(e)}>
      <Field
        id="webhook-url"
        label="Endpoint URL"
        hint="We POST each paid order to it, signed with the endpoint's secret."
        errors={error ? [{ field: 'webhook-url', message: error }] : []}
        control={(aria) => (
          <input
            id="webhook-url"
            type="url"
            required
            value={url}
            onInput={(e) => setUrl((e.currentTarget as HTMLInputElement).value)}
            {...aria}
          />
        )}
      />
      <button type="submit" class="button">
        Add endpoint
      </button>
    </form>
  );
}

function EndpointCard(props: { endpoint: Endpoint; onChange(): void; onProblem(message: string): void }) {
  const e = props.endpoint;
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const loadDeliveries = async () => {
    const { data, error } = await api.GET('/api/v1/seller/webhooks/{id}/deliveries', { params: { path: { id: e.id } } });
    if (data) setDeliveries(data.deliveries);
    else props.onProblem(problemOf(error).message);
  };
  useEffect(() => void loadDeliveries(), [e.id]);
  const act = async (call: () => Promise<{ error?: unknown }>) => {
    const { error } = await call();
    if (error) props.onProblem(problemOf(error).message);
    props.onChange();
  };
  return (
    <section class="endpoint" aria-label={`Endpoint ${e.url}`}>
      <h3>{e.url}</h3>
      <p>
        <span class={`status ${e.status === 'active' ? 'ok' : 'bad'}`}>{e.status === 'active' ? 'Active' : 'Disabled'}</span> · events:{' '}
        {e.eventTypes.join(', ')} · last success {when(e.lastSuccessAt)}
      </p>
      {e.notice ? <p class="notice">{e.notice}</p> : null}
      <div class="actions">
        {e.status === 'disabled' ? (
          <button
            type="button"
            class="button secondary"
            onClick={() => void act(() => api.POST('/api/v1/seller/webhooks/{id}/enable', { params: { path: { id: e.id } } }))}
          >
            Enable {e.url}
          </button>
        ) : null}
        <button
          type="button"
          class="button secondary"
          onClick={() => void act(() => api.DELETE('/api/v1/seller/webhooks/{id}', { params: { path: { id: e.id } } }))}
        >
          Remove {e.url}
        </button>
        <button type="button" class="button secondary" onClick={() => void loadDeliveries()}>
          Refresh deliveries
        </button>
      </div>
      <Deliveries
        deliveries={deliveries}
        url={e.url}
        onRedeliver={(deliveryId) =>
          void act(() =>
            api.POST('/api/v1/seller/webhooks/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: e.id, deliveryId } } }),
          ).then(loadDeliveries)
        }
      />
    </section>
  );
}

function Deliveries(props: { deliveries: Delivery[] | null; url: string; onRedeliver(deliveryId: string): void }) {
  if (!props.deliveries) return <p>Loading deliveries…</p>;
  if (props.deliveries.length === 0) return <p>No deliveries yet.</p>;
  return (
    <table class="records">
      <caption>Recent deliveries to {props.url}</caption>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Created</th>
          <th scope="col">Status</th>
          <th scope="col" class="num">
            Attempts
          </th>
          <th scope="col">Last answer</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.deliveries.map((d) => (
          <tr key={d.id}>
            <td>{d.eventType}</td>
            <td>{when(d.createdAt)}</td>
            <td>{d.status}</td>
            <td class="num">{d.attempts}</td>
            <td>{d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '–')}</td>
            <td>
              {d.status === 'held' ? null : (
                <button type="button" class="button secondary small" onClick={() => props.onRedeliver(d.id)}>
                  Redeliver
                  <span class="visually-hidden">
                    {' '}
                    the {d.eventType} delivery of {when(d.createdAt)}
                  </span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
