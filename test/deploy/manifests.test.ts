/**
 * deploy/kubernetes: every overlay renders with `kubectl kustomize`, every object validates against
 * the Kubernetes API's schemas and the CRDs used, and the references between objects and to the
 * code hold: probe paths are real routes, Services and monitors select pods that exist on ports
 * they declare, every environment variable is a setting src/app/config.ts knows, grace periods
 * cover the drain, the PrometheusRule is the rule files and the dashboard the JSON file.
 * Skipped, saying so, where kubectl is missing (Debian's kubernetes-client is too old for the
 * kustomize features used; KUBECTL names another binary), except in CI, where that fails.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { loadConfig, settingsSchema } from '../../src/app/config.ts';
import { ruleGroups } from '../../scripts/deploy-rules.ts';
import { findKubectl, KUBERNETES_DIR, OVERLAYS, render, ROOT, validateObject, type K8sObject } from './kubernetes-support.ts';

const kubectl = findKubectl();
const skip = kubectl ? false : 'kubectl is not installed (set KUBECTL to one with kustomize v5): the manifests were not rendered';
if (!kubectl) console.log(`# ${skip}`);

const SETTINGS = new Set(Object.keys(settingsSchema.shape));
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job']);

type Any = any;

function podTemplates(objects: K8sObject[]): Array<{ owner: K8sObject; labels: Record<string, string>; spec: Any }> {
  return objects
    .filter((o) => WORKLOADS.has(o.kind))
    .map((o) => ({ owner: o, labels: o.spec.template.metadata?.labels ?? {}, spec: o.spec.template.spec }));
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function containerPorts(spec: Any): Map<string, number> {
  const ports = new Map<string, number>();
  for (const c of spec.containers ?? []) for (const p of c.ports ?? []) if (p.name) ports.set(p.name, p.containerPort);
  return ports;
}

/** GET routes src/app/http.ts registers outside the API's modules: /health, /ready. */
async function opsRoutes(): Promise<Set<string>> {
  const source = await readFile(path.join(ROOT, 'src', 'app', 'http.ts'), 'utf8');
  return new Set([...source.matchAll(/server\.get\('([^']+)'/g)].map((m) => m[1]!));
}

const isAtelierImage = (image: string) => /(^|\/)atelier(:|@|$)/.test(image);

for (const overlay of OVERLAYS) {
  describe(`deploy/kubernetes/overlays/${overlay}`, { skip }, () => {
    let objects: K8sObject[] = [];
    const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

    before(async () => {
      objects = await render(kubectl!, overlay);
    });

    test('renders, and every object validates against the Kubernetes API and CRD schemas', async () => {
      assert.ok(objects.length > 10, `only ${objects.length} objects rendered`);
      const problems = (await Promise.all(objects.map(validateObject))).flat();
      assert.deepEqual(problems, []);
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      assert.equal(new Set(names).size, names.length, 'an object is defined twice');
      for (const o of objects) if (o.kind !== 'Namespace') assert.equal(o.metadata.namespace, 'atelier', `${o.kind}/${o.metadata.name}`);
    });

    test('every Atelier container sets only settings src/app/config.ts knows, from objects that exist', () => {
      const clusters = new Set(objects.filter((o) => o.kind === 'Cluster').map((o) => `${o.metadata.name}-app`));
      const exists = (kind: 'ConfigMap' | 'Secret', name: string) =>
        Boolean(named(kind, name)) || (kind === 'Secret' && clusters.has(name));
      for (const { owner, spec } of podTemplates(objects)) {
        for (const c of spec.containers) {
          const where = `${owner.kind}/${owner.metadata.name} container ${c.name}`;
          for (const from of c.envFrom ?? []) {
            const kind = from.configMapRef ? 'ConfigMap' : 'Secret';
            const name = (from.configMapRef ?? from.secretRef).name as string;
            assert.ok(exists(kind, name), `${where}: envFrom ${kind} ${name} does not exist`);
            if (!isAtelierImage(c.image)) continue;
            const source = named(kind, name)!;
            for (const key of Object.keys({ ...source.data, ...source.stringData })) {
              assert.ok(SETTINGS.has(key), `${where}: ${kind} ${name} sets ${key}, which src/app/config.ts does not know`);
            }
          }
          const env: Array<{ name: string; value?: string; valueFrom?: Any }> = c.env ?? [];
          for (const e of env) {
            const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
            if (ref)
              assert.ok(
                exists(e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name),
                `${where}: ${e.name} reads ${ref.name}, which does not exist`,
              );
            if (!isAtelierImage(c.image) || SETTINGS.has(e.name)) continue;
            // A helper variable is allowed only as the input of a setting's $(NAME) expansion.
            const feeds = env.some((other) => SETTINGS.has(other.name) && other.value?.includes(`$(${e.name})`));
            assert.ok(feeds, `${where}: sets ${e.name}, which src/app/config.ts does not know`);
          }
        }
      }
    });

    test("each Atelier container's environment is a configuration src/app/config.ts accepts", () => {
      for (const { owner, spec } of podTemplates(objects)) {
        for (const c of spec.containers) {
          if (!isAtelierImage(c.image)) continue;
          const env: Record<string, string> = {};
          for (const from of c.envFrom ?? []) {
            const source = from.configMapRef ? named('ConfigMap', from.configMapRef.name) : named('Secret', from.secretRef.name);
            const decode = (v: string) =>
              from.secretRef ? Buffer.from(String(v).replace(/\n/g, ''), 'base64').toString('utf8') : String(v);
            for (const [k, v] of Object.entries<string>(source?.data ?? {})) env[k] = decode(v);
          }
          for (const e of c.env ?? []) {
            // A value from a Secret that an operator makes at run time (CloudNativePG's `uri`,
            // `password`) stands in as a URL of the right shape.
            const value: string = e.valueFrom
              ? e.valueFrom.secretKeyRef?.key === 'password'
                ? 'secret'
                : `postgresql://app:secret@${e.name.toLowerCase()}:5432/app`
              : e.value;
            env[e.name] = value.replace(/\$\(([A-Z0-9_]+)\)/g, (_, name: string) => env[name] ?? '');
          }
          assert.doesNotThrow(() => loadConfig(env), `${owner.metadata.name} container ${c.name}`);
        }
      }
    });

    test('probes use real routes and declared ports; api pods start and get ready on /ready, stay live on /health', async () => {
      const routes = await opsRoutes();
      assert.ok(routes.has('/ready') && routes.has('/health'), 'src/app/http.ts registers /ready and /health');
      for (const { owner, spec } of podTemplates(objects)) {
        const ports = containerPorts(spec);
        for (const c of spec.containers) {
          for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
            const probe = c[kind];
            if (!probe) continue;
            const where = `${owner.metadata.name} ${c.name} ${kind}`;
            const action = probe.httpGet ?? probe.tcpSocket;
            if (action) {
              assert.ok(typeof action.port === 'number' || ports.has(action.port), `${where}: port ${action.port} is not declared`);
            }
            if (probe.httpGet && isAtelierImage(c.image)) {
              assert.ok(routes.has(probe.httpGet.path), `${where}: ${probe.httpGet.path} is not a route`);
              assert.equal(ports.get(probe.httpGet.port), 3000, `${where}: probes the API port`);
            }
          }
        }
      }
      const api = named('Deployment', 'atelier-api')!.spec.template.spec.containers[0];
      assert.equal(api.startupProbe.httpGet.path, '/ready');
      assert.equal(api.readinessProbe.httpGet.path, '/ready');
      assert.equal(api.livenessProbe.httpGet.path, '/health');
    });

    test('grace periods cover the preStop sleep, SHUTDOWN_TIMEOUT_SECONDS and a margin', () => {
      for (const name of ['atelier-api', 'atelier-worker']) {
        const spec = named('Deployment', name)!.spec.template.spec;
        const c = spec.containers[0];
        const timeout = Number(c.env.find((e: Any) => e.name === 'SHUTDOWN_TIMEOUT_SECONDS')?.value);
        assert.ok(timeout > 0, `${name} sets SHUTDOWN_TIMEOUT_SECONDS`);
        const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
        assert.ok(
          spec.terminationGracePeriodSeconds >= preStop + timeout + 5,
          `${name}: grace ${spec.terminationGracePeriodSeconds} s < preStop ${preStop} + drain ${timeout} + 5`,
        );
      }
      const api = named('Deployment', 'atelier-api')!.spec.template.spec.containers[0];
      assert.ok(api.lifecycle.preStop.sleep.seconds >= 5, 'the api waits for its endpoint to leave the load balancers');
      const readTimeout = Number(named('Ingress', 'atelier')!.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-read-timeout']);
      const timeout = Number(api.env.find((e: Any) => e.name === 'SHUTDOWN_TIMEOUT_SECONDS').value);
      assert.ok(timeout >= readTimeout, 'a draining api waits at least as long as the ingress waits for an answer');
    });

    test('Services, the Ingress, PDBs, autoscalers and monitors point at pods and ports that exist', () => {
      const pods = podTemplates(objects);
      for (const svc of objects.filter((o) => o.kind === 'Service')) {
        const matching = pods.filter((p) => selects(svc.spec.selector, p.labels));
        assert.ok(matching.length > 0, `Service ${svc.metadata.name} selects no pods`);
        for (const port of svc.spec.ports) {
          for (const p of matching) {
            const target = port.targetPort ?? port.port;
            const ok =
              typeof target === 'number' ? [...containerPorts(p.spec).values()].includes(target) : containerPorts(p.spec).has(target);
            assert.ok(ok, `Service ${svc.metadata.name} port ${port.name}: ${p.owner.metadata.name} has no port ${target}`);
          }
        }
      }
      for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
        for (const rule of ing.spec.rules) {
          for (const p of rule.http.paths) {
            const svc = named('Service', p.backend.service.name);
            assert.ok(svc, `Ingress backend ${p.backend.service.name} does not exist`);
            assert.ok(
              svc.spec.ports.some((sp: Any) => sp.name === p.backend.service.port.name),
              'Ingress backend port exists',
            );
          }
        }
      }
      for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
        assert.ok(
          pods.some((p) => selects(pdb.spec.selector.matchLabels, p.labels)),
          `PDB ${pdb.metadata.name} selects no pods`,
        );
      }
      for (const mon of objects.filter((o) => o.kind === 'PodMonitor')) {
        const matching = pods.filter((p) => selects(mon.spec.selector.matchLabels, p.labels));
        assert.ok(matching.length > 0, `PodMonitor ${mon.metadata.name} selects no pods`);
        for (const ep of mon.spec.podMetricsEndpoints) {
          for (const p of matching) assert.equal(containerPorts(p.spec).get(ep.port), 9464, `${mon.metadata.name}: the metrics port`);
        }
      }
      for (const role of ['api', 'worker']) {
        assert.ok(
          objects.some((o) => o.kind === 'PodMonitor' && o.spec.selector.matchLabels['app.kubernetes.io/component'] === role),
          role,
        );
      }
      const hpa = named('HorizontalPodAutoscaler', 'atelier-api')!;
      assert.ok(named(hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name), 'the HPA scales a Deployment that exists');
      const scaled = named('ScaledObject', 'atelier-worker')!;
      assert.ok(named('Deployment', scaled.spec.scaleTargetRef.name), 'the ScaledObject scales a Deployment that exists');
      assert.ok(
        !objects.some((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === scaled.spec.scaleTargetRef.name),
        'KEDA makes the worker HPA itself: a second HPA on it would fight it',
      );
      for (const name of [hpa.spec.scaleTargetRef.name, scaled.spec.scaleTargetRef.name]) {
        assert.equal(
          named('Deployment', name)!.spec.replicas,
          undefined,
          `${name} is autoscaled: a replica count in it would be put back by every apply`,
        );
      }
    });

    test('autoscaling reads metrics Atelier exports, in this namespace', async () => {
      const metricsSource = await readFile(path.join(ROOT, 'src', 'platform', 'observability', 'metrics.ts'), 'utf8');
      const scaled = named('ScaledObject', 'atelier-worker')!;
      const queries: string[] = scaled.spec.triggers.map((t: Any) => t.metadata.query);
      assert.ok(
        queries.some((q) => q.includes('atelier_queue_depth')) && queries.some((q) => q.includes('atelier_queue_oldest_job_age_seconds')),
      );
      const age = scaled.spec.triggers.find((t: Any) => t.metadata.query.includes('atelier_queue_oldest_job_age_seconds'));
      assert.equal(age.metricType, 'Value', 'an age compared as it is, not divided by the pod count (AverageValue)');
      for (const q of queries) {
        for (const [, metric] of q.matchAll(/\b(atelier_[a-z_]+)\{/g))
          assert.ok(metricsSource.includes(`'${metric}'`), `${metric} is exported`);
        assert.match(q, /namespace="atelier"/, 'the query reads this namespace');
      }
      const hpa = named('HorizontalPodAutoscaler', 'atelier-api')!;
      const custom = hpa.spec.metrics.find((m: Any) => m.type === 'Pods').pods.metric.name;
      const adapter = parse(await readFile(path.join(KUBERNETES_DIR, 'extras', 'prometheus-adapter.yaml'), 'utf8'));
      const rule = adapter.rules.custom.find((r: Any) => r.name.as === custom);
      assert.ok(rule, `extras/prometheus-adapter.yaml serves ${custom}`);
      assert.ok(metricsSource.includes(`'${rule.name.matches.replace(/^\^|\$$/g, '')}'`), 'from a counter Atelier exports');
    });

    test('the PrometheusRule is ops/prometheus/rules, and the dashboard ConfigMap ops/grafana', async () => {
      const rule = named('PrometheusRule', 'atelier-rules')!;
      // Whether the committed file is stale is test/tooling/deploy-rules.test.ts's job (no kubectl
      // needed); here the point is that every overlay ships it, unchanged.
      assert.deepEqual(rule.spec.groups, await ruleGroups(), 'stale: run `npm run deploy:rules`');
      // kustomize makes the ConfigMap from the file itself, so equality alone could hardly fail:
      // what matters is what Grafana's sidecar and `kubectl apply` need of it.
      const dashboard = named('ConfigMap', 'atelier-grafana-dashboard')!;
      const file = await readFile(path.join(ROOT, 'ops', 'grafana', 'atelier-dashboard.json'), 'utf8');
      assert.equal(dashboard.data['atelier-dashboard.json'], file);
      assert.deepEqual(Object.keys(dashboard.data), ['atelier-dashboard.json'], 'one dashboard, in a key Grafana loads as a .json file');
      assert.equal(dashboard.metadata.labels?.grafana_dashboard, '1', "the label Grafana's sidecar finds dashboards by");
      const json = JSON.parse(dashboard.data['atelier-dashboard.json']) as { uid?: string; panels?: unknown[] };
      assert.ok(json.uid && (json.panels ?? []).length > 0, 'a dashboard with a uid and panels');
      // The data source's uid differs in every cluster: each panel must name it through the
      // dashboard's variable, never a uid from the machine it was drawn on.
      const sources = new Set<string>();
      JSON.stringify(json, (key, value: unknown) => {
        if (key === 'datasource') sources.add(JSON.stringify(value));
        return value;
      });
      assert.deepEqual([...sources], [JSON.stringify({ type: 'prometheus', uid: '${datasource}' })]);
      // Client-side `kubectl apply` copies the object into an annotation, and annotations are
      // limited to 256 KiB together: a dashboard past that cannot be applied.
      assert.ok(Buffer.byteLength(file) < 200 * 1024, `the dashboard is ${Buffer.byteLength(file)} bytes`);
    });

    test('network policies: the API from the ingress controller, metrics from monitoring, workers from nobody', () => {
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      const deny = policies.find((p) => p.metadata.name === 'atelier-default-deny-ingress')!;
      assert.deepEqual(deny.spec.policyTypes, ['Ingress']);
      assert.equal(deny.spec.ingress, undefined, 'default deny admits nothing');
      const admitting = (labels: Record<string, string>) =>
        policies.filter((p) => selects(p.spec.podSelector.matchLabels, labels) && (p.spec.ingress ?? []).length > 0);
      const worker = named('Deployment', 'atelier-worker')!.spec.template.metadata.labels;
      const workerPorts = admitting(worker).flatMap((p) => p.spec.ingress.flatMap((r: Any) => r.ports.map((x: Any) => x.port)));
      assert.deepEqual([...new Set(workerPorts)], ['metrics'], 'a worker admits its metrics port only');
      for (const p of admitting(worker)) {
        for (const r of p.spec.ingress) {
          assert.deepEqual(r.from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
        }
      }
      const api = named('Deployment', 'atelier-api')!.spec.template.metadata.labels;
      const httpRules = admitting(api).flatMap((p) => p.spec.ingress.filter((r: Any) => r.ports.some((x: Any) => x.port === 'http')));
      assert.equal(httpRules.length, 1);
      assert.equal(httpRules[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'], 'ingress-nginx');
    });

    test('pods run as non-root on a read-only root filesystem, spread over nodes; the payment simulator only in dev', () => {
      for (const { owner, spec } of podTemplates(objects)) {
        for (const c of spec.containers) {
          if (!isAtelierImage(c.image)) continue;
          assert.equal(spec.securityContext?.runAsNonRoot, true, owner.metadata.name);
          assert.equal(c.securityContext?.readOnlyRootFilesystem, true, owner.metadata.name);
          assert.ok(c.resources?.requests?.memory && c.resources?.limits?.memory, `${owner.metadata.name} has memory requests and limits`);
        }
      }
      for (const name of ['atelier-api', 'atelier-worker']) {
        const spread = named('Deployment', name)!.spec.template.spec.topologySpreadConstraints;
        assert.ok(
          spread.some((s: Any) => s.topologyKey === 'kubernetes.io/hostname'),
          `${name} spreads over nodes`,
        );
      }
      const simulator = objects.some(
        (o) => o.kind === 'Deployment' && o.spec.template.spec.containers.some((c: Any) => c.args?.includes('payment-provider')),
      );
      assert.equal(simulator, overlay === 'dev');
      const migrate = named('Job', 'atelier-migrate')!;
      assert.deepEqual(migrate.spec.template.spec.containers[0].args, ['migrate']);
    });
  });
}
