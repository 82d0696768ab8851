/**
 * What a summary records of the machine and the pylogen that made it (`machine` and `pylogen` in the
 * summary JSON, docs/compare.md): so that `pylogen compare` can say whether two runs are comparable
 * (another CPU, fewer cores, a busier machine, another version). Additive keys: no reader of an
 * older summary depends on them. No hostname, no user: a summary is a file people share.
 */
import { readFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, platform } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';
import type { MachineSummary } from '../summary/schema.js';

export type { MachineSummary };

let version: string | undefined;

/** pylogen's version, from its package.json (read once). */
export function pylogenVersion(): string {
  version ??= (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** The load averages now, rounded: what the run records at its start. */
export function loadAverageNow(): number[] {
  return loadavg().map(r2);
}

/** The machine's facts at the end of a run that started with load averages `start`. */
export function machineSummary(start: number[]): MachineSummary {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? '',
    platform: platform(),
    arch: arch(),
    node: process.version,
    loadAverage: { start, end: loadAverageNow() },
  };
}
