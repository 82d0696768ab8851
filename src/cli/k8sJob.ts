/**
 * `pylogen k8s job <cut> [run options] --shards N --image IMAGE [...]`: prints the manifests of an
 * Indexed Job that runs the run split N ways (src/k8s/jobManifests.ts), every pod one shard, all
 * starting at one --start-at, each printing its summary as the last line of its log; then, on stderr,
 * the commands that apply it, collect the logs and merge them. The run's options are validated here
 * exactly as `pylogen <cut>` would (the CUT loaded, the key file found), before anything is printed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { stringify } from 'yaml';
import { ExitCode } from '../core/exitcodes.js';
import { Problems, UsageError } from '../core/errors.js';
import { planFromArgs, planFromScenarioArgs, RUN_OPTIONS } from '../config/buildPlan.js';
import { findProfileFile } from '../config/profile.js';
import { findKeyFile } from '../core/keyFile.js';
import { MAX_SHARDS, parseValue } from '../config/options.js';
import { packageRoot } from '../core/paths.js';
import type { RunPlan } from '../core/plan.js';
import { jobManifests } from '../k8s/jobManifests.js';
import type { Command, CommandArgs, OptionRow } from './command.js';

/** Options the pods' command sets itself (each shard's own), so they are not the user's to give. */
const SET_FOR_PODS = new Set(['shard', 'start-at', 'outformat', 'out', 'summary-json', 'quiet']);

const K8S_ROWS: readonly OptionRow[] = [
  { name: 'shards', kind: { type: 'int', min: 1, max: MAX_SHARDS }, describe: 'how many pods (shards) run the run, each --shard I/N of it' },
  { name: 'image', value: 'IMAGE', kind: { type: 'string', nonEmpty: true }, describe: "the container image with pylogen (the repository's Dockerfile)" },
  { name: 'namespace', value: 'NS', kind: { type: 'string', nonEmpty: true }, describe: 'the namespace of the Job and the ConfigMap' },
  {
    name: 'name',
    value: 'NAME',
    kind: { type: 'string', nonEmpty: true },
    default: 'pylogen',
    describe: "the Job's name (its pods are selected by job-name=NAME)",
  },
  { name: 'cpu', value: 'C', kind: { type: 'string', nonEmpty: true }, describe: "each pod's CPU, requests = limits (2, 1500m)" },
  { name: 'memory', value: 'M', kind: { type: 'string', nonEmpty: true }, describe: "each pod's memory, requests = limits (1Gi)" },
  {
    name: 'lead',
    kind: { type: 'seconds', min: 1 },
    default: '120',
    describe: 'seconds from now to --start-at: the time to apply the manifests, schedule the pods and pull the image',
  },
  {
    name: 'aws-secret',
    value: 'NAME',
    kind: { type: 'string', nonEmpty: true },
    default: 'pylogen-aws',
    describe: 'the Secret with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for the pods',
  },
];

export const K8S_JOB_OPTIONS: readonly OptionRow[] = [...RUN_OPTIONS.filter((d) => !SET_FOR_PODS.has(d.name)), ...K8S_ROWS];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
/** A ConfigMap holds at most 1 MiB. */
const CONFIG_MAP_MAX = 1024 * 1024;

function own(values: Readonly<Record<string, string>>): { v: Record<string, unknown>; run: Record<string, string> } {
  const problems = new Problems();
  const v: Record<string, unknown> = {};
  const run: Record<string, string> = {};
  for (const [name, raw] of Object.entries(values)) {
    const row = K8S_ROWS.find((d) => d.name === name);
    if (row === undefined) {
      run[name] = raw;
      continue;
    }
    const r = parseValue(row, raw);
    if ('problem' in r) problems.add(r.problem);
    else v[name] = r.value;
  }
  for (const row of K8S_ROWS) {
    if (v[row.name] !== undefined || row.default === undefined) continue;
    const r = parseValue(row, row.default);
    if ('value' in r) v[row.name] = r.value;
  }
  if (v.shards === undefined) problems.add('--shards N is needed: how many pods run the run');
  if (v.image === undefined) problems.add('--image IMAGE is needed: the image with pylogen (see the Dockerfile)');
  const name = v.name as string;
  if (!DNS_LABEL.test(name) || name.length > 50)
    problems.add(`--name must be lower-case letters, digits and dashes, at most 50, like pylogen-kms (a Kubernetes name), but is "${name}"`);
  if (v.namespace !== undefined && !DNS_LABEL.test(v.namespace as string))
    problems.add(`--namespace must be a Kubernetes name (lower-case letters, digits, dashes), but is "${v.namespace as string}"`);
  for (const q of ['cpu', 'memory'])
    if (v[q] !== undefined && !QUANTITY.test(v[q] as string))
      problems.add(`--${q} must be a Kubernetes quantity like ${q === 'cpu' ? '2 or 1500m' : '1Gi or 512Mi'}, but is "${v[q] as string}"`);
  problems.throwIfAny();
  return { v, run };
}

/** A local file the pods need, by its path relative to the working folder (undefined: the package's own). */
function localPath(path: string, cwd: string, what: string): string | undefined {
  // pylogen's own cuts/, profiles/ and scenarios/ are in the image (the Dockerfile copies them)
  if (['cuts', 'profiles', 'scenarios'].some((f) => path.startsWith(join(packageRoot, f) + '/'))) return undefined;
  const rel = relative(cwd, path);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new UsageError(`${what} ${path} is outside the current folder: the pods get the files of this folder (copy it here)`);
  return rel;
}

/** The files of the working folder that the pods need: ./cuts, the profile, key files and the scenario file. */
function podFiles(plan: RunPlan, run: Readonly<Record<string, string>>, cwd: string): Map<string, string> {
  const files = new Map<string, string>();
  const add = (path: string, what: string) => {
    const rel = localPath(path, cwd, what);
    if (rel !== undefined) files.set(rel, readFileSync(path, 'utf8'));
  };
  const cuts = join(cwd, 'cuts');
  if (existsSync(cuts) && statSync(cuts).isDirectory()) {
    for (const f of readdirSync(cuts)) if (/\.(ts|js|mjs)$/.test(f) && statSync(join(cuts, f)).isFile()) add(join(cuts, f), 'the CUT');
  }
  if (run.defaults !== undefined) add(findProfileFile(run.defaults, cwd, 'profile'), 'the profile');
  if (run.file !== undefined) add(findProfileFile(run.file, cwd, 'scenario file', 'scenarios'), 'the scenario file');
  for (const l of plan.lines) {
    const file = l.options.extra.file;
    if (typeof file === 'string') add(findKeyFile(file, cwd, packageRoot).path, 'the key file');
  }
  const size = [...files.values()].reduce((n, t) => n + Buffer.byteLength(t), 0);
  if (size > CONFIG_MAP_MAX)
    throw new UsageError(`the files for the pods (${[...files.keys()].join(', ')}) take ${size} bytes: a ConfigMap holds at most 1 MiB`);
  return files;
}

/** The words of the pods' command, as the user gave them (thresholds go to the merge, which judges the whole run). */
function podWords(a: CommandArgs, run: Readonly<Record<string, string>>): string[] {
  const words = [...a.positionals];
  for (const [name, value] of Object.entries(run)) {
    const row = K8S_JOB_OPTIONS.find((d) => d.name === name);
    if (row?.kind.type === 'flag') words.push(`--${name}`);
    else words.push(`--${name}`, value);
  }
  for (const [name, list] of Object.entries(a.lists)) if (name !== 'threshold') for (const value of list) words.push(`--${name}`, value);
  for (let i = 0; i < a.verbose; i++) words.push('-v');
  return words;
}

const quote = (w: string) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

export async function k8sJob(a: CommandArgs, io: { stdout?: (t: string) => void; stderr?: (t: string) => void; now?: () => number } = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const say = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const { v, run } = own(a.values);
  const shards = v.shards as number;
  const scenario = a.positionals[0] === 'scenario';
  // Validated as a shard would be: the CUT loaded, every value checked, the key file found.
  const parsed = { ...a, positionals: scenario ? a.positionals.slice(1) : a.positionals, values: { ...run, shard: `0/${shards}`, outformat: 'none' } };
  const plan = scenario ? await planFromScenarioArgs(parsed, a.cwd) : await planFromArgs(parsed, a.cwd);
  const startAt = new Date((io.now ?? Date.now)() + (v.lead as number) * 1000).toISOString();
  const name = v.name as string;
  const { secret, configMap, job } = jobManifests({
    name,
    ...(v.namespace !== undefined ? { namespace: v.namespace as string } : {}),
    image: v.image as string,
    shards,
    args: [...podWords(a, run), '--start-at', startAt, '--outformat', 'none', '--summary-json', '-', '--quiet'],
    awsSecret: v['aws-secret'] as string,
    ...(v.cpu !== undefined ? { cpu: v.cpu as string } : {}),
    ...(v.memory !== undefined ? { memory: v.memory as string } : {}),
    files: podFiles(plan, run, a.cwd),
  });
  out(
    [secret, configMap, job]
      .filter((m) => m !== undefined)
      .map((m) => stringify(m, { lineWidth: 0, aliasDuplicateObjects: false }))
      .join('---\n'),
  );
  const ns = v.namespace !== undefined ? ` --namespace ${v.namespace as string}` : '';
  const thresholds = (a.lists.threshold ?? []).map((t) => ` --threshold ${quote(t)}`).join('');
  say(
    [
      `# pylogen k8s job: ${shards} shard${shards === 1 ? '' : 's'} of ${a.positionals.join(' ')}, every pod starting at ${startAt} (in ${v.lead as number} s:`,
      '# apply before then; a pod ready later starts at once, and its summary says how late). Then:',
      `kubectl create secret generic ${v['aws-secret'] as string}${ns} --from-literal=AWS_ACCESS_KEY_ID=... --from-literal=AWS_SECRET_ACCESS_KEY=...   # once, for AWS KMS`,
      `kubectl apply${ns} -f job.yaml`,
      `kubectl wait${ns} --for=condition=complete job/${name} --timeout=-1s`,
      `kubectl logs${ns} --selector job-name=${name} --tail=-1 --max-log-requests=${Math.max(shards, 5)} | pylogen merge - --summary-json run.json --report run.html${thresholds}`,
      '',
    ].join('\n'),
  );
  return ExitCode.ok;
}

export const k8sJobCommand: Command = {
  path: ['k8s', 'job'],
  synopsis: '<cut> [run options] --shards N --image IMAGE [options]',
  describe: 'print the manifests of a Kubernetes Indexed Job that runs the run in N shards, and the commands that merge them',
  details: 'The manifests go to stdout (kubectl apply -f -), the commands that collect and merge to stderr. See README, Beyond one machine.',
  options: K8S_JOB_OPTIONS,
  examples: [['pylogen k8s job cuts.KmsEncryptSymmetric --shards 4 --image pylogen:0.2 --schedule 60@1000 > job.yaml', '4 pods, 60 s at 1,000/s in all']],
  run: (a) => k8sJob(a),
};
