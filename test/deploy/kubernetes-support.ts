/**
 * Rendering and validating the Kubernetes manifests of deploy/kubernetes without a cluster:
 * `kubectl kustomize` renders an overlay, kubernetes-models (the Kubernetes API's OpenAPI schemas,
 * and the CRDs of KEDA and the Prometheus Operator, compiled to validators) checks each object.
 * CloudNativePG's CRD is in no npm or Debian package: its `Cluster` is checked against the subset
 * of fields these manifests use (CNPG_CLUSTER_SCHEMA), written from its API reference.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const KUBERNETES_DIR = path.join(ROOT, 'deploy', 'kubernetes');
export const OVERLAYS = ['dev', 'managed-postgres', 'cloudnative-pg'] as const;

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
};

const run = promisify(execFile);

/**
 * The kubectl that renders, or null: the tests skip, saying so. In CI (CI=true) a missing kubectl
 * throws instead, so that a run which rendered nothing cannot pass as green. KUBECTL names another
 * binary.
 */
export function findKubectl(): string | null {
  const candidates = [process.env.KUBECTL, '/usr/bin/kubectl', '/usr/local/bin/kubectl'].filter((c): c is string => Boolean(c));
  const found = candidates.find((c) => existsSync(c)) ?? null;
  if (!found && process.env.CI === 'true') {
    throw new Error(
      `kubectl is not at ${candidates.join(', ')}: CI must render the Kubernetes manifests (install one with kustomize v5, or set KUBECTL)`,
    );
  }
  return found;
}

/**
 * The classes of one apiVersion, or none when the installed package has no such version (the
 * object is then reported as an unknown kind). Any other failure, a package that is not installed
 * above all, is thrown: it is a broken set-up, not a bad manifest.
 */
async function importModels(module: string): Promise<Record<string, unknown>> {
  try {
    return (await import(module)) as Record<string, unknown>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return {};
    throw err;
  }
}

export async function render(kubectl: string, overlay: string): Promise<K8sObject[]> {
  const { stdout } = await run(kubectl, ['kustomize', path.join(KUBERNETES_DIR, 'overlays', overlay)], { maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** The module of kubernetes-models (or a CRD package) that holds an apiVersion's classes. */
function modelModule(apiVersion: string): string | null {
  if (apiVersion.startsWith('keda.sh/')) return `@kubernetes-models/keda/${apiVersion}`;
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  if (apiVersion.startsWith('postgresql.cnpg.io/')) return null;
  return `kubernetes-models/${apiVersion}`;
}

/** The fields of a CloudNativePG `Cluster` (postgresql.cnpg.io/v1) these manifests use, and their types. */
const CNPG_CLUSTER_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'postgresql.cnpg.io/v1' },
    kind: { const: 'Cluster' },
    metadata: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    spec: {
      type: 'object',
      required: ['instances', 'storage'],
      additionalProperties: false,
      properties: {
        instances: { type: 'integer', minimum: 1 },
        imageName: { type: 'string' },
        primaryUpdateStrategy: { enum: ['unsupervised', 'supervised'] },
        postgresql: {
          type: 'object',
          additionalProperties: false,
          properties: { parameters: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        bootstrap: {
          type: 'object',
          additionalProperties: false,
          properties: {
            initdb: {
              type: 'object',
              additionalProperties: false,
              properties: { database: { type: 'string' }, owner: { type: 'string' } },
            },
          },
        },
        storage: {
          type: 'object',
          additionalProperties: false,
          required: ['size'],
          properties: { size: { type: 'string', pattern: '^[0-9]+(Mi|Gi|Ti)$' }, storageClass: { type: 'string' } },
        },
        resources: {
          type: 'object',
          additionalProperties: false,
          properties: { requests: { type: 'object' }, limits: { type: 'object' } },
        },
        affinity: {
          type: 'object',
          additionalProperties: false,
          properties: { enablePodAntiAffinity: { type: 'boolean' }, topologyKey: { type: 'string' } },
        },
        monitoring: { type: 'object', additionalProperties: false, properties: { enablePodMonitor: { type: 'boolean' } } },
      },
    },
  },
} as const;

const validateCnpgCluster = new Ajv({ allErrors: true, strict: true }).compile(CNPG_CLUSTER_SCHEMA);

/** Problems with one object, as readable lines; empty when it validates. */
export async function validateObject(obj: K8sObject): Promise<string[]> {
  const where = `${obj.kind}/${obj.metadata?.name} (${obj.apiVersion})`;
  if (obj.apiVersion === 'postgresql.cnpg.io/v1' && obj.kind === 'Cluster') {
    return validateCnpgCluster(obj) ? [] : (validateCnpgCluster.errors ?? []).map((e) => `${where}: ${e.instancePath} ${e.message}`);
  }
  const module = modelModule(obj.apiVersion);
  if (!module) return [`${where}: no schema for this kind`];
  const models = await importModels(module);
  const Model = models[obj.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (!Model) return [`${where}: not a kind of the Kubernetes API or the CRDs used`];
  // kustomize wraps a Secret's base64 values at 70 characters; the API server's decoder (Go's
  // encoding/base64) skips those newlines, the schema's `byte` format does not.
  const data =
    obj.kind === 'Secret' && obj.data
      ? Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, String(v).replace(/\n/g, '')]))
      : undefined;
  try {
    new Model(data ? { ...obj, data } : obj).validate();
    return [];
  } catch (err) {
    return [`${where}: ${(err as Error).message}`];
  }
}
