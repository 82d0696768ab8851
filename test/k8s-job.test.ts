/**
 * `pylogen k8s job`: the manifests parsed back and checked against the shape of the Kubernetes types,
 * then the pods' command run as the Job would run it: N local processes, each with its
 * JOB_COMPLETION_INDEX and `$(NAME)` expanded as the kubelet does, their logs piped to `pylogen merge -`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { Summary } from '../src/stats/summary.js';
import { pylogen, tempDir } from './helpers.js';

function manifests(yamlText: string): { job: Job; configMap: ConfigMap | undefined } {
  const docs = parseAllDocuments(yamlText).map((d) => {
    expect(d.errors).toEqual([]);
    return d.toJS() as { kind: string };
  });
  const job = docs.find((d) => d.kind === 'Job') as Job | undefined;
  expect(job).toBeDefined();
  return { job: job!, configMap: docs.find((d) => d.kind === 'ConfigMap') as ConfigMap | undefined };
}

/** The kubelet's expansion of $(NAME) in a container's command and args, from its environment. */
const expand = (word: string, env: Record<string, string>) => word.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name: string) => env[name] ?? all);

describe('pylogen k8s job', () => {
  it('prints an Indexed Job whose pods, run locally with JOB_COMPLETION_INDEX 0..3, merge into one run', async () => {
    const k = await pylogen([
      'k8s',
      'job',
      'cuts.KmsEncryptSymmetric',
      '--shards',
      '4',
      '--image',
      'pylogen:0.2',
      '--schedule',
      '2@100',
      '--endpoint',
      'local',
      '--lead',
      '20',
      '--threshold',
      'errors<1%',
      '--namespace',
      'load',
    ]);
    expect(k.code, k.stderr).toBe(0);
    const { job, configMap } = manifests(k.stdout);
    expect(configMap).toBeUndefined(); // nothing of ./cuts, no key file of this folder
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.metadata).toMatchObject({ name: 'pylogen', namespace: 'load' });
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4, backoffLimit: 0 });
    const pod = job.spec!.template.spec!;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0]!;
    expect(c.image).toBe('pylogen:0.2');
    expect(c.command).toEqual(['pylogen']);
    // AWS credentials by reference to a Secret, never a value
    expect(c.env!.map((e) => [e.name, e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.key, e.value])).toEqual([
      ['AWS_ACCESS_KEY_ID', 'pylogen-aws', 'AWS_ACCESS_KEY_ID', undefined],
      ['AWS_SECRET_ACCESS_KEY', 'pylogen-aws', 'AWS_SECRET_ACCESS_KEY', undefined],
      ['AWS_SESSION_TOKEN', 'pylogen-aws', 'AWS_SESSION_TOKEN', undefined],
    ]);
    const args = c.args!;
    expect(args.slice(0, 5)).toEqual(['cuts.KmsEncryptSymmetric', '--schedule', '2@100', '--endpoint', 'local']);
    expect(args.slice(-2)).toEqual(['--shard', '$(JOB_COMPLETION_INDEX)/4']);
    expect(args.join(' ')).toMatch(/--start-at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z --outformat none --summary-json - --quiet/);
    expect(args).not.toContain('--threshold'); // judged on the merge, over the whole run
    expect(k.stderr).toMatch(
      /^kubectl logs --namespace load --selector job-name=pylogen --tail=-1 --max-log-requests=5 \| pylogen merge - --summary-json run\.json --report run\.html --threshold 'errors<1%'$/m,
    );
    expect(k.stderr).toMatch(/^kubectl apply --namespace load -f job\.yaml$/m);

    // The pods, as the Job runs them: the container's command and args, $(...) expanded.
    expect(c.command![0]).toBe('pylogen');
    const pods = await Promise.all(
      [0, 1, 2, 3].map((i) => {
        const env = { JOB_COMPLETION_INDEX: String(i) };
        return pylogen(
          args.map((w) => expand(w, env)),
          { env, timeoutMs: 60_000 },
        );
      }),
    );
    for (const p of pods) expect(p.code, p.stderr).toBe(0);
    // kubectl logs: every pod's output (stderr and stdout mixed), one pod after the other
    const m = await pylogen(['merge', '-', '--threshold', 'errors<1%'], { input: pods.map((p) => p.stderr + p.stdout).join('') });
    expect(m.code, m.stderr).toBe(0);
    const merged = JSON.parse(m.stdout) as Summary;
    expect(merged.arrivals).toEqual({ planned: 200, started: 200, dropped: 0 });
    expect(merged.requests).toMatchObject({ count: 200, errors: 0 });
    expect(merged.shards!.map((s) => [s.index, s.count, s.lateMs])).toEqual([
      [0, 4, 0],
      [1, 4, 0],
      [2, 4, 0],
      [3, 4, 0],
    ]);
    expect(merged.byRunner.map((r) => r.index).sort()).toEqual([0, 1, 2, 3]);
  }, 120_000);

  it("carries the user's ./cuts and key file in a ConfigMap mounted as the pods' working folder", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'cuts'));
    writeFileSync(
      join(dir, 'cuts', 'MyCut.ts'),
      "import { ClassUnderTest, type Operation } from 'pylogen';\nexport class MyCut extends ClassUnderTest { async func(op: Operation) { await op.time('X', async () => {}); } }\n",
    );
    writeFileSync(
      join(dir, 'my-keys.json'),
      JSON.stringify({ keys: { aes: { alias: 'alias/x', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' } } }),
    );
    const k = await pylogen(
      [
        'k8s',
        'job',
        'MyCut',
        '--shards',
        '2',
        '--image',
        'registry.example/pylogen:0.2',
        '--loops',
        '5',
        '--extra',
        '{"file":"my-keys.json"}',
        '--cpu',
        '1500m',
        '--memory',
        '1Gi',
        '--name',
        'enc-test',
        '--aws-secret',
        'kms-creds',
      ],
      { cwd: dir },
    );
    expect(k.code, k.stderr).toBe(0);
    const { job, configMap } = manifests(k.stdout);
    expect(configMap!.metadata!.name).toBe('enc-test-files');
    expect(Object.keys(configMap!.data!).sort()).toEqual(['cuts_MyCut.ts', 'my-keys.json']);
    expect(configMap!.data!['cuts_MyCut.ts']).toMatch(/class MyCut/);
    const pod = job.spec!.template.spec!;
    expect(pod.volumes).toEqual([
      {
        name: 'files',
        configMap: {
          name: 'enc-test-files',
          items: [
            { key: 'cuts_MyCut.ts', path: 'cuts/MyCut.ts' },
            { key: 'my-keys.json', path: 'my-keys.json' },
          ],
        },
      },
    ]);
    const c = pod.containers[0]!;
    expect(c.workingDir).toBe('/run/pylogen');
    expect(c.volumeMounts).toEqual([{ name: 'files', mountPath: '/run/pylogen', readOnly: true }]);
    expect(c.resources).toEqual({ requests: { cpu: '1500m', memory: '1Gi' }, limits: { cpu: '1500m', memory: '1Gi' } });
    expect(c.env!.every((e) => e.valueFrom?.secretKeyRef?.name === 'kms-creds')).toBe(true);
    expect(job.metadata!.name).toBe('enc-test');
  });

  it.each([
    [['cuts.Dummy', '--image', 'x'], /^pylogen: --shards N is needed/],
    [['cuts.Dummy', '--shards', '2', '--image', 'x', '--name', 'Bad_Name'], /^pylogen: --name must be lower-case letters/],
    [['cuts.Dummy', '--shards', '2', '--image', 'x', '--cpu', 'lots'], /^pylogen: --cpu must be a Kubernetes quantity/],
    [['cuts.Dummy', '--shards', '2', '--image', 'x', '--out', 'f.csv'], /^pylogen: unknown option --out/],
    [['cuts.Nope', '--shards', '2', '--image', 'x'], /Nope/],
  ])('refuses %j: one line, exit 2, no manifest', async (args, message) => {
    const r = await pylogen(['k8s', 'job', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });
});
