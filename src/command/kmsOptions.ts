/**
 * The options of `pylogen kms serve` and `pylogen kms setup`, in the same declarative shape as a
 * run's (src/config/options.ts), parsed by the same code: prefix expansion (expandArgv.ts), yargs, and value
 * checks (parseValue). Options that mean the same as a run's (--endpoint,
 * --region, --retries, --timeout) reuse the run's definitions.
 */
import { Problems, UsageError } from '../core/errors.js';
import { optionDef, parseValue, type OptionRow } from '../config/options.js';
import { namedEndpoints } from '../protocols/seam.js';
import { faultRows, hostRow, keysRow, PORT_ROW } from '../protocols/serveOptions.js';

const RUN_VALUE_NAMES: Record<string, string> = { region: 'R', endpoint: 'URL', retries: 'N', timeout: 'S' };

const runOption = (name: string, describe?: string, dflt?: string): OptionRow => {
  const d = optionDef(name);
  if (d === undefined) throw new Error(`no run option --${name}`);
  // getters: the run's --endpoint row reads the installed protocols when asked (src/config/options.ts), not now
  return {
    name: d.name,
    get kind() {
      return d.kind;
    },
    get describe() {
      return describe ?? d.describe;
    },
    value: RUN_VALUE_NAMES[d.name],
    ...(dflt === undefined ? {} : { default: dflt }),
  };
};

const KEYS = keysRow('key file of named key entries', 'KmsDefault.json');

export const SERVE_OPTIONS: readonly OptionRow[] = [
  hostRow('without --credentials the server checks none: keep it on loopback'),
  PORT_ROW,
  KEYS,
  ...faultRows({
    throttle: 'requests/s over all clients (token bucket); above it, ThrottlingException as AWS answers',
    errorRate: 'probability (0..1) of answering KMSInternalException (HTTP 500) instead',
  }),
  runOption('region', 'region in the ARNs the server returns, and of the signatures it checks (default: AWS_REGION, else us-east-1)'),
  {
    name: 'workers',
    value: 'N',
    kind: { type: 'int', min: 1, max: 64 },
    describe: 'server processes on the one port, with the same keys (one per core to spare)',
    default: '1',
  },
  {
    name: 'max-connections',
    value: 'N',
    kind: { type: 'int', min: 1, max: 1_000_000 },
    describe: 'connections each server process holds at once; past it, a new connection is closed at once',
    default: '1024', // the server's DEFAULT_MAX_CONNECTIONS (src/kms/server/ is imported by the entries only)
  },
  {
    name: 'credentials',
    value: 'AK:SECRET[:TOKEN]',
    kind: { type: 'string', nonEmpty: true },
    describe:
      'ACCESS_KEY:SECRET[:SESSION_TOKEN]: verify every SigV4 signature against them, as AWS does (default: accept any signature). ' +
      'Out of `ps`: @FILE reads them from the first line of FILE, and without --credentials the variable PYLOGEN_KMS_CREDENTIALS is used',
  },
];

export const SETUP_OPTIONS: readonly OptionRow[] = [
  KEYS,
  runOption('endpoint', "KMS endpoint URL (default: the SDK's, i.e. AWS_ENDPOINT_URL_KMS, else AWS KMS of the region)"),
  runOption('region', "KMS region (default: the SDK's, i.e. AWS_REGION or the shared config)"),
  runOption('retries', 'SDK retries of each call (throttled CreateKey calls are retried)', '2'),
  runOption('timeout', 'seconds before a call times out', '10'),
];

/**
 * The checked values of an options-only command, read by type: the option table checked them, so a
 * value of another type than asked is a mistake in the command's code (thrown, not a usage error).
 */
export class OptionValues {
  constructor(private readonly values: Readonly<Record<string, unknown>>) {}

  private get(name: string, type: 'string' | 'number'): string | number | undefined {
    const v = this.values[name];
    if (v !== undefined && typeof v !== type) throw new Error(`--${name} is a ${typeof v}, not a ${type}`);
    return v as string | number | undefined;
  }

  /** a string option that has a value (given, or its default) */
  text(name: string): string {
    return this.need(name, this.get(name, 'string')) as string;
  }

  /** a string option without a default: undefined when not given */
  maybeText(name: string): string | undefined {
    return this.get(name, 'string') as string | undefined;
  }

  /** a number option that has a value (given, or its default) */
  num(name: string): number {
    return this.need(name, this.get(name, 'number')) as number;
  }

  /** a number option without a default: undefined when not given */
  maybeNum(name: string): number | undefined {
    return this.get(name, 'number') as number | undefined;
  }

  private need(name: string, v: string | number | undefined): string | number {
    if (v === undefined) throw new Error(`--${name} has no value and no default`);
    return v;
  }
}

/**
 * The checked values of a kms (or pkcs11, kmip) command, from its raw values (parsed by yargs,
 * main.ts), every problem at once in one line. No positional words.
 */
export function parseKmsOptions(
  command: string,
  positionals: readonly string[],
  raw: Readonly<Record<string, string>>,
  defs: readonly OptionRow[],
  family = 'kms',
): OptionValues {
  if (positionals.length > 0) throw new UsageError(`${family} ${command} takes options only, but got "${positionals[0]}"`);
  const problems = new Problems();
  const values: Record<string, unknown> = {};
  for (const d of defs) {
    const r0 = raw[d.name] ?? d.default;
    if (r0 === undefined) continue;
    const r = parseValue(d, r0);
    if ('problem' in r) problems.add(r.problem);
    else values[d.name] = r.value;
  }
  problems.throwIfAny();
  return new OptionValues(values);
}

/** `--latency MS` or `MIN-MAX`, in ms: each number is checked as any number option is. */
export function parseLatency(raw: string): { min: number; max: number } {
  const parts = raw.split('-');
  if (parts.length > 2) throw new UsageError(`--latency must be MS or MIN-MAX in milliseconds (like 5 or 2-8), but is "${raw}"`);
  const problems = new Problems();
  const [min, max] = parts.map((part) => {
    const r = parseValue({ name: 'latency', kind: { type: 'number', min: 0 } }, part, '--latency');
    if ('problem' in r) problems.add(`${r.problem} (in "${raw}": MS or MIN-MAX in milliseconds)`);
    return 'value' in r ? (r.value as number) : 0;
  }) as [number, number | undefined];
  problems.throwIfAny();
  if (max !== undefined && max < min) throw new UsageError(`--latency MIN-MAX must have MIN <= MAX, but is "${raw}"`);
  return { min, max: max ?? min };
}

/** kms setup's --endpoint (a URL, checked by the option table): not the embedded server of a run. */
export function checkNotLocal(endpoint: string, command: string): string {
  const named = namedEndpoints()[endpoint];
  if (endpoint !== 'local' && named !== undefined) {
    throw new UsageError(`kms ${command} --endpoint ${endpoint}: that is ${named}, not a KMS: give a KMS endpoint URL`);
  }
  if (endpoint.startsWith('kmip://')) {
    throw new UsageError(`kms ${command} --endpoint ${endpoint}: that is a KMIP server, not a KMS: pylogen kmip setup creates the keys of a KMIP key file`);
  }
  if (endpoint === 'local') {
    throw new UsageError(
      `kms ${command} --endpoint local: the embedded server of a run lives only for that run and creates its keys itself; ` +
        'start one with `pylogen kms serve` and give its URL',
    );
  }
  return endpoint;
}
