/**
 * Every option of a run in one typed, declarative table (vitest cli-config.ts): name, aliases,
 * kind, default, help text and validation. The command line, profiles (--defaults) and scenario
 * lines all go through it, so a value is checked the same way wherever it comes from.
 */
import { Problems } from '../core/errors.js';
import { DURATION_FORMS, durationSeconds } from '../core/duration.js';
import { LINE_DEFAULTS, type LineOptions, type OutFormat } from '../core/plan.js';
import { parseThreshold, type Threshold } from '../verdict/threshold.js';
import type { Kind, OptionRow, RunValues } from '../core/optionRow.js';
import { clientChoices, endpointSchemes, namedEndpoints, protocols } from '../protocols/seam.js';

export type { Kind, OptionRow, RunValues };

/**
 * The protocol-given parts of the table (the --endpoint schemes and named throwaway targets, the
 * --client values) are getters: they read the protocols the entry installed (src/protocols/seam.ts)
 * when a value is parsed or --help is shown, not when this module loads, so config/ imports no
 * protocol (docs/protocols.md).
 */
const endpointHelp = (): string => {
  const named = Object.entries(namedEndpoints()).map(([name, what]) => `"${name}": ${what}`);
  return `the URL of the CUT's service (${endpointSchemes().join(', ')}: a KMS endpoint, a KMIP server kmip://host:port), or a throwaway target started for the run; ${named.join('; ')}`;
};

const clientDefault = (): string =>
  `the first of its protocol's (${protocols()
    .filter((p) => (p.clients ?? []).length > 0)
    .map((p) => `${p.name}: ${p.clients![0]}`)
    .join(', ')})`;

export const OPTIONS: readonly OptionRow[] = [
  { name: 'process', kind: { type: 'int', min: 1, max: 256 }, key: 'process', scope: 'line', describe: 'runner processes for this CUT' },
  { name: 'concurrency', kind: { type: 'int', min: 1, max: 100_000 }, key: 'concurrency', scope: 'line', describe: 'operations in flight inside one runner' },
  { name: 'postpone', kind: { type: 'seconds', min: 0 }, key: 'postpone', scope: 'line', describe: 'seconds before the first runner starts' },
  { name: 'rampup', kind: { type: 'seconds', min: 0 }, key: 'rampup', scope: 'line', describe: 'seconds between two runner starts' },
  {
    name: 'duration',
    kind: { type: 'seconds', min: 0 },
    key: 'duration',
    scope: 'line',
    describe: 'seconds each runner runs, from its own start (priority over --loops)',
  },
  { name: 'loops', kind: { type: 'int', min: 1 }, key: 'loops', scope: 'line', describe: 'loops per runner when no --duration is given' },
  {
    name: 'lengths',
    aliases: ['steps'],
    kind: { type: 'lengths' },
    key: 'lengths',
    scope: 'line',
    describe: 'payload lengths in bytes: one loop calls the CUT once per length',
  },
  { name: 'pauseloop', kind: { type: 'seconds', min: 0 }, key: 'pauseloop', scope: 'line', describe: 'pause after each loop, seconds' },
  { name: 'pauselen', aliases: ['pausestep'], kind: { type: 'seconds', min: 0 }, key: 'pauselen', scope: 'line', describe: 'pause after each length, seconds' },
  { name: 'extra', kind: { type: 'json-object' }, key: 'extra', scope: 'line', describe: 'parameters for the CUT, a JSON object' },
  {
    name: 'summary',
    kind: { type: 'seconds', min: 0.1, positive: true },
    key: 'summary',
    scope: 'line',
    describe: 'seconds between two throughput computations (local and global)',
  },
  { name: 'id', value: 'ID', kind: { type: 'string', nonEmpty: true }, key: 'id', scope: 'line', describe: "an arbitrary id that labels this line's events" },
  {
    name: 'schedule',
    value: 'D@R,...',
    kind: { type: 'string', nonEmpty: true },
    key: 'schedule',
    scope: 'line',
    describe:
      "open model: arrivals per second as D@R segments, R a rate or a ramp R1-R2 (30@10,20@15,30@10-50), over the line's runners; the schedule's length is the run's duration",
  },
  {
    name: 'arrival',
    kind: { type: 'enum', choices: ['uniform', 'poisson'] },
    key: 'arrival',
    scope: 'line',
    describe: 'open model: arrivals evenly spaced (uniform, PYLOGEN) or a Poisson process (poisson, Hyperfoil)',
  },
  {
    name: 'burst',
    value: '0|n|fN',
    kind: { type: 'string', nonEmpty: true },
    key: 'burst',
    scope: 'line',
    describe: 'open model: bursts of arrivals at one instant, the following slots skipped: 0 random size up to the mean rate, n random up to n, fN fixed N',
  },
  {
    name: 'max-inflight',
    kind: { type: 'int', min: 0, max: 1_000_000 },
    key: 'maxInflight',
    scope: 'line',
    describe: 'open model: operations in flight over the line at most, split across its runners (0: unbounded); arrivals past it wait in --queue',
  },
  {
    name: 'queue',
    kind: { type: 'int', min: 0, max: 10_000_000 },
    key: 'queue',
    scope: 'line',
    defaultText: '10 x --max-inflight',
    describe: 'open model: arrivals that may wait for --max-inflight, over the line; past it they are dropped and counted',
  },
  {
    name: 'seed',
    kind: { type: 'int', min: 0, max: 0xffff_ffff },
    key: 'seed',
    scope: 'line',
    defaultText: 'random',
    describe: 'open model: seed of Poisson arrivals and random bursts (random: chosen per line, shown with -v)',
  },
  {
    name: 'endpoint',
    get kind(): Kind {
      return { type: 'url', schemes: endpointSchemes(), named: Object.keys(namedEndpoints()) };
    },
    key: 'endpoint',
    scope: 'line',
    defaultText: "the SDK's",
    get describe() {
      return endpointHelp();
    },
  },
  { name: 'region', value: 'R', kind: { type: 'string', nonEmpty: true }, key: 'region', scope: 'line', defaultText: "the SDK's", describe: 'KMS region' },
  {
    name: 'client',
    get kind(): Kind {
      return { type: 'enum', choices: clientChoices() };
    },
    key: 'client',
    scope: 'line',
    get defaultText() {
      return clientDefault();
    },
    describe:
      "the client a CUT sends with, among its protocol's; KMS: fast (JSON 1.1 and SigV4 sent directly, ~10x less injector CPU) or sdk (@aws-sdk/client-kms send(), what an SDK application pays)",
  },
  {
    name: 'retries',
    kind: { type: 'int', min: 0, max: 10 },
    key: 'retries',
    scope: 'line',
    describe: "retries of a KMS request, by the SDK's standard retry strategy (0: throttling shows as errors)",
  },
  { name: 'timeout', kind: { type: 'seconds', min: 0.001, positive: true }, key: 'timeout', scope: 'line', describe: 'seconds before a KMS request times out' },
  {
    name: 'grace',
    kind: { type: 'seconds', min: 0 },
    key: 'grace',
    scope: 'line',
    describe: 'seconds operations in flight at the end may take before they count as timed out',
  },
  {
    name: 'threshold',
    kind: { type: 'thresholds' },
    key: 'thresholds',
    scope: 'line',
    repeatable: true,
    describe:
      'a pass/fail criterion [REQUEST:]METRIC OP VALUE (p99<20, ENCRYPT:p99.9<50ms, errors<1%, throughput>=1000, ThrottlingException<1%); repeatable; exit code 1 when one fails',
  },
  {
    name: 'outformat',
    kind: { type: 'enum', choices: ['csv', 'long', 'jsonl', 'jtl', 'none'] },
    scope: 'run',
    run: 'outformat',
    describe: "per-event stream: csv (short), long, jsonl, jtl (JMeter's CSV results), none",
  },
  {
    name: 'out',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    scope: 'run',
    run: 'out',
    defaultText: 'standard output',
    describe: 'file for the per-event stream',
  },
  {
    name: 'summary-json',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    scope: 'run',
    run: 'summaryJson',
    describe: 'file for the end-of-run summary as JSON',
  },
  {
    name: 'report',
    value: 'FILE',
    kind: { type: 'string', nonEmpty: true },
    scope: 'run',
    run: 'report',
    describe: 'a self-contained HTML report (plan, summary, charts), written at the end of the run and on an interrupt',
  },
  {
    name: 'defaults',
    kind: { type: 'string', nonEmpty: true },
    scope: 'run',
    value: 'FILE',
    describe: "a profile: JSON object of option values (as given, then in ./profiles, then the package's profiles/)",
  },
  { name: 'file', value: 'FILE', kind: { type: 'string', nonEmpty: true }, scope: 'run', describe: 'the scenario file (with `scenario`)' },
  {
    name: 'abort-on-fail',
    kind: { type: 'flag' },
    scope: 'run',
    run: 'abortOnFail',
    describe:
      'stop the run (gracefully, everything kept) as soon as a threshold that can only get worse (a count of errors, dropped arrivals, the max latency) is crossed',
  },
  {
    name: 'shard',
    value: 'I/N',
    kind: { type: 'shard' },
    scope: 'run',
    run: 'shard',
    describe:
      "run shard I (0 <= I < N) of a run split N ways: open model, arrival k of the schedule is shard k mod N's; closed model, each shard runs its own --process runners (see Beyond one machine)",
  },
  {
    name: 'start-at',
    value: 'TIME',
    kind: { type: 'instant' },
    scope: 'run',
    run: 'startAt',
    describe:
      'start (t0) at this wall-clock instant, ISO-8601 or epoch seconds, once every runner is ready (ready later: at once, and the summary says how late)',
  },
  {
    name: 'no-preflight',
    kind: { type: 'flag' },
    scope: 'run',
    run: 'noPreflight',
    describe:
      "skip the preflight: the real calls made before t0 to check each line's endpoint, credentials and key (KMS: one call per line; PKCS#11: one login per token, the key and its mechanism; KMIP: the TLS handshake and the key)",
  },
  {
    name: 'start',
    kind: { type: 'number', min: 0, positive: true },
    scope: 'capacity',
    describe: "capacity: the first step's rate, operations/s (open model)",
  },
  {
    name: 'step',
    kind: { type: 'number', min: 0, positive: true },
    scope: 'capacity',
    describe: 'capacity: how much the rate rises at each step, operations/s',
  },
  {
    name: 'step-seconds',
    kind: { type: 'seconds', min: 1 },
    scope: 'capacity',
    describe: 'capacity: seconds per step (default 10); the first quarter of each, 0.5 to 2 s, settles and is not judged',
  },
  { name: 'max', kind: { type: 'number', min: 0, positive: true }, scope: 'capacity', describe: 'capacity: the highest rate tried (default: 50 steps)' },
  {
    name: 'refine',
    kind: { type: 'flag' },
    scope: 'capacity',
    describe: 'capacity: then a binary search between the last rate that held and the first that failed',
  },
  {
    name: 'concurrency-steps',
    kind: { type: 'int-list', min: 1 },
    scope: 'capacity',
    describe: 'capacity: closed model, the concurrency of each step (1,2,4,8,16): where adding concurrency stops adding throughput',
  },
  { name: 'verbose', short: 'v', kind: { type: 'count' }, scope: 'run', describe: 'verbosity: -v info, -vv debug, -vvv trace' },

  { name: 'quiet', kind: { type: 'flag' }, scope: 'run', run: 'quiet', describe: 'print only the final summary on stderr: no status lines, no progress block' },
  {
    name: 'metrics-port',
    kind: { type: 'int', min: 0, max: 65535 },
    scope: 'run',
    run: 'metricsPort',
    describe: 'serve Prometheus metrics on http://HOST:N/metrics during the run and --grace s after it (0: a free port, shown on stderr)',
  },
  {
    name: 'metrics-host',
    kind: { type: 'string', nonEmpty: true },
    scope: 'run',
    run: 'metricsHost',
    describe: 'the address --metrics-port listens on (0.0.0.0 to let other machines scrape)',
  },
];

export { LINE_DEFAULTS };

export const RUN_DEFAULTS = {
  outformat: 'csv' as OutFormat,
  out: '',
  'summary-json': '',
  report: '',
  defaults: '',
  file: '',
  verbose: 0,
  'metrics-host': '127.0.0.1',
  'abort-on-fail': false,
  'no-preflight': false,
};

const byName = new Map<string, OptionRow>();
for (const d of OPTIONS) {
  byName.set(d.name, d);
  for (const a of d.aliases ?? []) byName.set(a, d);
}

export function optionDef(name: string): OptionRow | undefined {
  return byName.get(name);
}

/** --shard: at most this many shards (an Indexed Job's completions are capped at 100,000). */
export const MAX_SHARDS = 10_000;
/** --start-at: at most this far ahead (a wrong year would wait for ever) or behind (epoch seconds mistyped). */
const MAX_START_AHEAD_MS = 24 * 3600_000;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** Parses one value of an option; returns the value or a problem naming the option and the value. */
export function parseValue(def: Pick<OptionRow, 'name' | 'kind'>, raw: unknown, label = `--${def.name}`): { value: unknown } | { problem: string } {
  const k = def.kind;
  const shown = typeof raw === 'string' ? `"${raw}"` : JSON.stringify(raw);
  const num = (): number | undefined => {
    if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
    if (typeof raw === 'string' && NUMBER.test(raw.trim())) return Number(raw.trim());
    return undefined;
  };
  switch (k.type) {
    case 'int': {
      const n = num();
      if (n === undefined || !Number.isInteger(n)) return { problem: `${label} must be a whole number, but is ${shown}` };
      if (n < k.min) return { problem: `${label} must be at least ${k.min}, but is ${n}` };
      if (k.max !== undefined && n > k.max) return { problem: `${label} must be at most ${k.max}, but is ${n}` };
      return { value: n };
    }
    case 'seconds': {
      const n = typeof raw === 'string' ? durationSeconds(raw) : num();
      if (n === undefined || !Number.isFinite(n)) return { problem: `${label} must be ${DURATION_FORMS}, but is ${shown}` };
      if (n < k.min) return { problem: `${label} must be at least ${k.min}s, but is ${n}` };
      return { value: n };
    }
    case 'number': {
      const n = num();
      if (n === undefined) return { problem: `${label} must be a number, but is ${shown}` };
      if (k.positive && n <= 0) return { problem: `${label} must be more than 0, but is ${n}` };
      if (n < k.min) return { problem: `${label} must be at least ${k.min}, but is ${n}` };
      if (k.max !== undefined && n > k.max) return { problem: `${label} must be at most ${k.max}, but is ${n}` };
      return { value: n };
    }
    case 'url': {
      const schemes = k.schemes ?? ['http', 'https'];
      const named = k.named ?? [];
      const what =
        `${
          schemes.length > 2
            ? `${schemes
                .slice(0, -1)
                .map((x) => `${x}://`)
                .join(', ')} or ${schemes.at(-1)}://`
            : schemes.map((x) => `${x}://`).join(' or ')
        } URL` + `${named.map((n) => ` or "${n}"`).join('')} (like https://kms.eu-west-1.amazonaws.com)`;
      if (typeof raw !== 'string' || raw.trim() === '') return { problem: `${label} must be an ${what}, but is ${shown}` };
      if (named.includes(raw)) return { value: raw };
      let url: URL | undefined;
      try {
        url = new URL(raw);
      } catch {
        url = undefined;
      }
      if (url === undefined || !schemes.includes(url.protocol.replace(/:$/, '')) || url.hostname === '') {
        return { problem: `${label} must be an ${what}, but is ${shown}` };
      }
      return { value: raw };
    }
    case 'lengths': {
      const parts = typeof raw === 'number' ? [String(raw)] : Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : null;
      if (parts === null || parts.length === 0) return { problem: `${label} must be a list of lengths like 16,32, but is ${shown}` };
      const out: number[] = [];
      for (const p of parts) {
        const t = p.trim();
        if (!/^\d+$/.test(t)) return { problem: `${label} must be whole numbers of bytes separated by commas, but has "${t}"` };
        const n = Number(t);
        if (n > 64 * 1024 * 1024) return { problem: `${label}: a length must be at most 67108864 bytes, but is ${n}` };
        out.push(n);
      }
      return { value: out };
    }
    case 'json-object': {
      let v: unknown = raw;
      if (typeof raw === 'string') {
        try {
          v = JSON.parse(raw);
        } catch (err) {
          return { problem: `${label} must be a JSON object, but is not JSON (${(err as Error).message}): ${shown}` };
        }
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return { problem: `${label} must be a JSON object, but is ${shown}` };
      return { value: v };
    }
    case 'enum': {
      if (typeof raw !== 'string' || !k.choices.includes(raw)) return { problem: `${label} must be one of ${k.choices.join(', ')}, but is ${shown}` };
      return { value: raw };
    }
    case 'string': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return { problem: `${label} must be a string, but is ${shown}` };
      const s = String(raw);
      if (k.nonEmpty && s.trim() === '') return { problem: `${label} must not be empty` };
      return { value: s };
    }
    case 'flag': {
      if (raw === true || raw === 'true') return { value: true };
      if (raw === false || raw === 'false') return { value: false };
      return { problem: `${label} is a flag: true or false, but is ${shown}` };
    }
    case 'thresholds': {
      const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) && raw.every((x) => typeof x === 'string') ? (raw as string[]) : undefined;
      if (list === undefined) return { problem: `${label} must be a threshold like "p99<20" or a list of them, but is ${shown}` };
      const out: Threshold[] = [];
      for (const text of list) {
        const r = parseThreshold(text, label);
        if ('problem' in r) return r;
        out.push(r.threshold);
      }
      return { value: out };
    }
    case 'int-list': {
      const parts = typeof raw === 'number' ? [String(raw)] : Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : null;
      if (parts === null || parts.length === 0) return { problem: `${label} must be whole numbers separated by commas like 1,2,4, but is ${shown}` };
      const out: number[] = [];
      for (const p of parts) {
        const t = p.trim();
        if (!/^\d+$/.test(t) || Number(t) < k.min)
          return { problem: `${label} must be whole numbers of at least ${k.min} separated by commas, but has "${t}"` };
        if (out.length > 0 && Number(t) <= out[out.length - 1]!) return { problem: `${label} must increase, but ${t} follows ${out[out.length - 1]}` };
        out.push(Number(t));
      }
      return { value: out };
    }
    case 'shard': {
      const m = typeof raw === 'string' ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw) : null;
      if (m === null) return { problem: `${label} must be I/N, shard I of N (0 <= I < N), like 0/4, but is ${shown}` };
      const index = Number(m[1]);
      const count = Number(m[2]);
      if (count < 1 || count > MAX_SHARDS) return { problem: `${label}: N must be 1 to ${MAX_SHARDS}, but is ${count}` };
      if (index >= count) return { problem: `${label}: I must be below N (shards are numbered 0 to ${count - 1}), but is ${index}` };
      return { value: { index, count } };
    }
    case 'instant': {
      const n = num();
      const ms = n !== undefined ? n * 1000 : typeof raw === 'string' && /^\d{4}-\d\d-\d\d[T ]/.test(raw.trim()) ? Date.parse(raw.trim()) : NaN;
      if (!Number.isFinite(ms)) return { problem: `${label} must be an ISO-8601 date and time (2026-12-04T21:30:00Z) or epoch seconds, but is ${shown}` };
      if (Math.abs(ms - Date.now()) > MAX_START_AHEAD_MS)
        return { problem: `${label} is more than 24 h ${ms > Date.now() ? 'away' : 'ago'} (${new Date(ms).toISOString()}): a typo?` };
      return { value: ms };
    }
    case 'count': {
      const n = num();
      if (n === undefined || !Number.isInteger(n) || n < 0) return { problem: `${label} must be a whole number, but is ${shown}` };
      return { value: n };
    }
  }
}

/**
 * Applies raw values (option name → raw value) on top of a LineOptions, collecting problems.
 * `label(name)` says how a problem names its source (`--loops`, or `profile.json: key "loops"`).
 */
export function applyLineValues(
  base: LineOptions,
  raw: Record<string, unknown>,
  problems: Problems,
  label: (name: string) => string = (n) => `--${n}`,
): LineOptions {
  const out: LineOptions = { ...base };
  for (const [name, value] of Object.entries(raw)) {
    const def = byName.get(name);
    if (def === undefined || def.key === undefined) continue;
    const r = parseValue(def, value, label(name));
    if ('problem' in r) problems.add(r.problem);
    else if (def.key === 'thresholds') out.thresholds = [...out.thresholds, ...(r.value as Threshold[])];
    else (out as unknown as Record<string, unknown>)[def.key] = r.value;
  }
  return out;
}

/** Checks that concern several options of a line together. */
export function checkLine(o: LineOptions, problems: Problems): void {
  if (o.duration === 0 && o.loops < 1) problems.add('the run would do nothing: give --duration or --loops of at least 1');
}

/** What --help shows after an option's name: `--process N`, `--extra JSON`. */
export function valueName(def: Pick<OptionRow, 'kind' | 'value'>): string {
  if (def.value !== undefined) return def.value;
  switch (def.kind.type) {
    case 'int':
      return 'N';
    case 'seconds':
      return 'S';
    case 'number':
      return 'X';
    case 'url':
      return 'URL';
    case 'lengths':
      return 'L,L,...';
    case 'json-object':
      return 'JSON';
    case 'enum':
      return def.kind.choices.join('|');
    case 'string':
      return 'VALUE';
    case 'thresholds':
      return 'EXPR';
    case 'int-list':
      return 'N,N,...';
    case 'shard':
      return 'I/N';
    case 'instant':
      return 'TIME';
    case 'flag':
    case 'count':
      return '';
  }
}

/** The default --help shows for an option, or undefined when it has none worth showing. */
export function defaultShown(def: Pick<OptionRow, 'name' | 'key' | 'defaultText' | 'default'>): string | undefined {
  if (def.defaultText !== undefined) return def.defaultText;
  if (def.default !== undefined) return def.default;
  const v: unknown = def.key !== undefined ? LINE_DEFAULTS[def.key] : (RUN_DEFAULTS as Record<string, unknown>)[def.name];
  if (v === undefined || v === '' || (v === 0 && def.name === 'verbose')) return undefined;
  if (v === false) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.join(',');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
