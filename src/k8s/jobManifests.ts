/**
 * The manifests of `pylogen k8s job`: an Indexed Job whose N pods each run one shard of the run
 * (`--shard $(JOB_COMPLETION_INDEX)/N`, all with the same --start-at), a ConfigMap with the user's
 * files the pods need (./cuts, a key file, a scenario file) mounted as their working folder, and
 * references to a Secret for AWS credentials (never a value). Typed with kubernetes-types, so a
 * field that Kubernetes does not have does not compile; written as YAML by the caller.
 *
 * Kubernetes sets JOB_COMPLETION_INDEX in each pod of an Indexed Job, and the kubelet expands
 * `$(NAME)` in a container's args from its environment: no shell in the pod.
 */
import type { ConfigMap, Container, EnvVar, KeyToPath, ResourceRequirements, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { secretValues } from '../core/redact.js';
import type { Job } from 'kubernetes-types/batch/v1.js';

export interface JobSpecInput {
  name: string;
  namespace?: string;
  image: string;
  shards: number;
  /** the pylogen words of every pod, before --shard (the kubelet expands $(JOB_COMPLETION_INDEX)) */
  args: string[];
  /** the Secret holding AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) */
  awsSecret: string;
  cpu?: string;
  memory?: string;
  /** relative path in the working folder -> content: what the ConfigMap carries */
  files: ReadonlyMap<string, string>;
}

/** Where the ConfigMap's files are mounted: the pods' working folder (./cuts, ./profiles found there). */
export const WORK_DIR = '/run/pylogen';
export const CONTAINER = 'pylogen';
/** The AWS variables taken from the Secret; the session token only exists for temporary credentials. */
export const AWS_SECRET_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;

/** A ConfigMap key for a path: keys may not hold "/" (the item's path puts the file back in its folder). */
export function configKey(path: string): string {
  return path.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Whether a word of the pods' command line carries a secret: URL userinfo, or a secret --extra value. */
function secretWord(w: string, previous: string | undefined): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s@]+@/i.test(w.replace(/^--endpoint=/, ''))) return true;
  const extra = previous === '--extra' ? w : w.startsWith('--extra=') ? w.slice(8) : undefined;
  if (extra === undefined) return false;
  try {
    return secretValues(JSON.parse(extra)).length > 0;
  } catch {
    return false;
  }
}

export function jobManifests(i: JobSpecInput): { secret?: Secret; configMap?: ConfigMap; job: Job } {
  const labels = { 'app.kubernetes.io/name': 'pylogen', 'app.kubernetes.io/instance': i.name };
  const meta = (name: string) => ({ name, ...(i.namespace !== undefined ? { namespace: i.namespace } : {}), labels });
  const env: EnvVar[] = AWS_SECRET_KEYS.map((key) => ({
    name: key,
    // optional: without the Secret (--endpoint local, or credentials from a service account) the pods
    // still start; a run that needs them fails its preflight with a clear line.
    valueFrom: { secretKeyRef: { name: i.awsSecret, key, optional: true } },
  }));
  // A word that carries a secret goes to a Secret and reaches the args as $(VAR), which the kubelet
  // expands from the container's environment: never a value in the Job (kubectl describe, ps).
  const secretName = `${i.name}-args`;
  const secretData: Record<string, string> = {};
  const args = i.args.map((w, n) => {
    if (!secretWord(w, i.args[n - 1])) return w;
    const name = `PYLOGEN_ARG_${n}`;
    secretData[name] = w;
    env.push({ name, valueFrom: { secretKeyRef: { name: secretName, key: name } } });
    return `$(${name})`;
  });
  const resources: ResourceRequirements | undefined =
    i.cpu !== undefined || i.memory !== undefined
      ? (() => {
          const r = { ...(i.cpu !== undefined ? { cpu: i.cpu } : {}), ...(i.memory !== undefined ? { memory: i.memory } : {}) };
          // requests = limits: the Guaranteed QoS class, no CPU lent away from an injector mid-run
          return { requests: r, limits: r };
        })()
      : undefined;
  const configName = `${i.name}-files`;
  const hasFiles = i.files.size > 0;
  const items: KeyToPath[] = [...i.files.keys()].map((path) => ({ key: configKey(path), path }));
  const volumes: Volume[] = hasFiles ? [{ name: 'files', configMap: { name: configName, items } }] : [];
  const container: Container = {
    name: CONTAINER,
    image: i.image,
    command: ['pylogen'],
    args: [...args, '--shard', `$(JOB_COMPLETION_INDEX)/${i.shards}`],
    env,
    ...(hasFiles ? { workingDir: WORK_DIR, volumeMounts: [{ name: 'files', mountPath: WORK_DIR, readOnly: true }] } : {}),
    ...(resources !== undefined ? { resources } : {}),
  };
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(i.name),
    spec: {
      completionMode: 'Indexed',
      completions: i.shards,
      parallelism: i.shards,
      // a failed shard is not run again: its summary would start late, and a rerun is a new run
      backoffLimit: 0,
      template: {
        metadata: { labels },
        spec: { restartPolicy: 'Never', containers: [container], ...(hasFiles ? { volumes } : {}) },
      },
    },
  };
  const secret: Secret | undefined =
    Object.keys(secretData).length > 0 ? { apiVersion: 'v1', kind: 'Secret', metadata: meta(secretName), type: 'Opaque', stringData: secretData } : undefined;
  if (!hasFiles) return { ...(secret !== undefined ? { secret } : {}), job };
  const configMap: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(configName),
    data: Object.fromEntries([...i.files].map(([path, text]) => [configKey(path), text])),
  };
  return { ...(secret !== undefined ? { secret } : {}), configMap, job };
}
