/**
 * The house rules (.dependency-cruiser.cjs) must bite: `npm test` runs them on src/, and a rule whose
 * path pattern no longer matches anything would pass silently. Here every rule meets one import that
 * breaks it, in a throwaway tree laid out like src/, and must name it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

/** file → the files it imports (relative to the tree's root) */
const TREE: Record<string, string[]> = {
  'src/core/plan.ts': ['src/verdict/threshold.ts'],
  'src/verdict/threshold.ts': [],
  'src/kms/server/store.ts': ['src/kms/client/client.ts', 'src/kms/model/specs.ts'],
  'src/kms/client/client.ts': ['src/kms/server/store.ts'],
  'src/kms/model/specs.ts': ['src/kms/client/KmsCut.ts'],
  'src/kms/client/KmsCut.ts': [],
  'src/stats/StatsQueue.ts': ['src/output/EventOutput.ts'],
  // a folder-level cycle with no file cycle: stats reads a type of report, report reads stats
  'src/stats/summary.ts': ['src/report/planSummary.ts'],
  'src/report/planSummary.ts': ['src/stats/aggregate.ts'],
  'src/output/EventOutput.ts': [],
  'src/config/buildPlan.ts': ['src/cli/main.ts'],
  'src/cli/main.ts': [],
  // a runner is an entry: it may load the registry (allowed); config/ may not
  'src/runner/main.ts': ['src/controller/run.ts', 'src/registry.ts'],
  'src/config/options.ts': ['src/registry.ts'],
  'src/registry.ts': ['src/kms/protocol.ts', 'src/protocols/seam.ts'],
  'src/kms/protocol.ts': ['src/protocols/seam.ts'],
  // the seam stays under config/, which asks it
  'src/protocols/seam.ts': ['src/config/profile.ts'],
  'src/config/profile.ts': [],
  'src/controller/run.ts': ['src/progress/LiveTerminal.ts'],
  'src/schedule/schedule.ts': ['src/stats/aggregate.ts'],
  'src/stats/aggregate.ts': [],
  'src/transport/http.ts': ['src/kms/model/specs.ts'],
  'src/runner/loops/closed.ts': ['src/runner/loops/operate.ts'],
  'src/runner/loops/operate.ts': ['src/runner/loops/closed.ts'],
  // the pipeline names no protocol; a protocol builds its commands with src/command/, never cli/
  'src/controller/targets.ts': ['src/pkcs11/softhsm.ts'],
  // the observers are listed in one place (allowed there; run.ts opens the terminal: allowed)
  'src/controller/finishRun.ts': ['src/progress/renderProgress.ts'],
  'src/controller/observers.ts': ['src/progress/renderProgress.ts'],
  'src/progress/renderProgress.ts': [],
  'src/progress/LiveTerminal.ts': [],
  'src/pkcs11/softhsm.ts': [],
  'src/vault/protocol.ts': ['src/cli/main.ts', 'src/command/optionsCommand.ts'],
  'src/command/optionsCommand.ts': [],
  // allowed: the server's entry and the local endpoint import the server
  'src/kms/serveRun.ts': ['src/kms/server/store.ts'],
  'src/kms/localEndpoint.ts': ['src/kms/server/store.ts', 'src/kms/model/specs.ts'],
};

/** A throwaway tree laid out like src/, with TREE's imports. */
function writeTree(): string {
  const dir = tempDir();
  for (const [file, imports] of Object.entries(TREE)) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    const lines = imports.map((to, i) => {
      let rel = join(
        ...dirname(file)
          .split('/')
          .map(() => '..'),
        to,
      ).replace(/\.ts$/, '.js');
      if (!rel.startsWith('.')) rel = `./${rel}`;
      return `import * as m${i} from '${rel}';\nexport const use${i} = m${i};`;
    });
    writeFileSync(path, `${lines.join('\n')}\nexport const here = '${file}';\n`);
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' }, include: ['src'] }));
  return dir;
}

/**
 * One cycle among the folders of `cwd`/src (each file at src/'s root a node of its own), as a path
 * that ends where it starts, or undefined: depcruise's graph collapsed to folders, searched depth first.
 */
async function folderCycle(cwd: string): Promise<string[] | undefined> {
  const r = await run(DEPCRUISE, ['src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--collapse', '^src/[^/]+/', '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 << 20,
  }).catch((e: { stdout: string }) => e);
  const out = JSON.parse(r.stdout) as { modules: { source: string; dependencies: { resolved: string }[] }[] };
  const graph = new Map(
    out.modules
      .filter((m) => m.source.startsWith('src/'))
      .map((m) => [m.source, m.dependencies.map((d) => d.resolved).filter((to) => to.startsWith('src/') && to !== m.source)]),
  );
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (path.includes(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return undefined;
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe('the dependency rules', () => {
  // a cycle is reported once, from the first of its modules
  it('npm test runs them, and each one fails on an import that breaks it (and only there)', async () => {
    const dir = writeTree();
    const r = await run(DEPCRUISE, ['src', '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
      cwd: dir,
      maxBuffer: 16 << 20,
    }).catch((e: { stdout: string; code: number }) => e);
    const out = JSON.parse(r.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
    const broken = out.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
    expect(broken).toEqual(
      [
        'core-is-the-floor: src/core/plan.ts -> src/verdict/threshold.ts',
        'kms-server-imports-only-model-and-core: src/kms/server/store.ts -> src/kms/client/client.ts',
        'only-the-entries-import-kms-server: src/kms/client/client.ts -> src/kms/server/store.ts',
        'kms-model-is-shared-ground: src/kms/model/specs.ts -> src/kms/client/KmsCut.ts',
        'stats-never-imports-output: src/stats/StatsQueue.ts -> src/output/EventOutput.ts',
        'folders-in-layers: src/stats/summary.ts -> src/report/planSummary.ts',
        // the layers also catch what the older rules name
        'folders-in-layers: src/core/plan.ts -> src/verdict/threshold.ts',
        'folders-in-layers: src/stats/StatsQueue.ts -> src/output/EventOutput.ts',
        'folders-in-layers: src/schedule/schedule.ts -> src/stats/aggregate.ts',
        // the protocol folders sit above every pipeline folder
        'folders-in-layers: src/controller/targets.ts -> src/pkcs11/softhsm.ts',
        'folders-in-layers: src/transport/http.ts -> src/kms/model/specs.ts',
        'config-never-imports-cli: src/config/buildPlan.ts -> src/cli/main.ts',
        'only-cli-imports-cli: src/config/buildPlan.ts -> src/cli/main.ts',
        'runner-never-imports-controller: src/runner/main.ts -> src/controller/run.ts',
        'schedule-is-pure: src/schedule/schedule.ts -> src/stats/aggregate.ts',
        'transport-is-protocol-free: src/transport/http.ts -> src/kms/model/specs.ts',
        'no-circular: src/runner/loops/closed.ts -> src/runner/loops/operate.ts',
        'no-circular: src/kms/client/client.ts -> src/kms/server/store.ts',
        'the-pipeline-names-no-protocol: src/controller/targets.ts -> src/pkcs11/softhsm.ts',
        'observers-are-listed-once: src/controller/finishRun.ts -> src/progress/renderProgress.ts',
        'only-cli-imports-cli: src/vault/protocol.ts -> src/cli/main.ts',
        'only-the-entries-import-the-registry: src/config/options.ts -> src/registry.ts',
        'folders-in-layers: src/protocols/seam.ts -> src/config/profile.ts',
      ].sort(),
    );
    // as npm test runs it (the err reporter): a failure
    const failed = await run(DEPCRUISE, ['src', '--config', join(ROOT, '.dependency-cruiser.cjs')], { cwd: dir }).then(
      () => 0,
      (e: { code: number }) => e.code,
    );
    expect(failed).toBeGreaterThan(0);
    // npm test runs the rules on src/ before vitest
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { test: string } };
    expect(pkg.scripts.test).toMatch(/depcruise src --config \.dependency-cruiser\.cjs && .*vitest run$/);
  }, 60_000);

  // The layers and the registry rule keep the folder graph acyclic; this checks the whole graph, so a cycle no rule
  // names (a new folder, an import round the seam) fails here, with its path.
  it('the folders of src/ import each other one way only: no folder-level cycle', async () => {
    // it bites: the throwaway tree's folders import each other round several ways (stats/ and report/, ...)
    const broken = await folderCycle(writeTree());
    expect(broken?.length).toBeGreaterThan(2);
    expect(broken?.at(0)).toBe(broken?.at(-1));
    const cycle = await folderCycle(ROOT);
    expect(cycle, `a folder-level cycle: ${cycle?.join(' -> ')}`).toBeUndefined();
  }, 60_000);
});
