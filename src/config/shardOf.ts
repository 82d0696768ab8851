/**
 * --shard I/N: what identifies the run that a shard belongs to. Every shard of a run is started with
 * the same command line but for I (a Kubernetes Indexed Job's pods, or processes started by hand),
 * so a digest of what they share (the lines and their options, N, --start-at) is the same in each and
 * differs between runs: `pylogen merge` refuses to mix summaries of different runs with it.
 */
import { createHash } from 'node:crypto';
import type { CutLine, ShardOf } from '../core/plan.js';

export function shardOf(shard: { index: number; count: number }, lines: readonly CutLine[], startAt: number | undefined): ShardOf {
  const shared = JSON.stringify({
    lines: lines.map((l) => ({ cut: l.cut, line: l.line, options: l.options })),
    shards: shard.count,
    startAt: startAt ?? null,
  });
  return { ...shard, run: createHash('sha256').update(shared).digest('hex').slice(0, 16) };
}
