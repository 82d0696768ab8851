/**
 * The base class of every CUT (PYLOGEN's ClassUnderTest). A CUT file in cuts/ exports a class that
 * extends it; the runner makes one instance per runner process, calls setup() once, func() once per
 * operation (with --concurrency N, up to N at once on the same instance), then teardown().
 */
import type { Operation } from './Operation.js';

/** Who this runner is, for labels and per-runner behaviour. */
export interface RunnerInfo {
  /** runner number within its line (0-based): PYLOGEN's runner in full_id */
  index: number;
  /** runners of this line */
  count: number;
  /** the line's --id */
  id: string;
  /** the CUT's class name */
  cut: string;
  /** the KMS endpoint of the run ('' when none was given: the SDK's own environment decides) */
  endpoint: string;
  region: string;
  /** --client: one of the line's protocol's clients (KMS: fast, JSON 1.1 directly; sdk, KMSClient.send); '' for its default, the first */
  client: string;
  retries: number;
  /** per-request timeout, seconds */
  timeout: number;
  /** the line's --lengths, so that setup() can prepare data for each (ciphertexts, signatures) */
  lengths: readonly number[];
}

/** What a CUT class may check before anything starts: the values it will be given. */
export interface CutPlanView {
  extra: Record<string, unknown>;
  lengths: number[];
  concurrency: number;
  endpoint: string;
}

export abstract class ClassUnderTest<Extra extends object = Record<string, unknown>, Context extends object = Record<string, unknown>> {
  /** the --extra object */
  extra!: Extra;
  /** a per-runner object that lives across operations (setup() may fill it) */
  context: Context = {} as Context;
  /** who this runner is */
  runner!: RunnerInfo;
  /** the name of the `tra` event of an operation that timed more than one request */
  transactionName = 'TRANSACTION';
  /** logs one line on stderr (never stdout: stdout is the event stream) */
  log: (message: string) => void = (m) => process.stderr.write(`${m}\n`);

  /**
   * Requests this runner's client sent again after a retryable failure (--retries): read after
   * teardown(), summed in the summary's `requests.retries`. A CUT whose client retries says how many.
   */
  retried(): number {
    return 0;
  }

  /**
   * Optional check of the plan before any runner is forked: return the problems (each one line,
   * naming the option and the bad value), or nothing. Called in the main process.
   */
  static validate?(plan: CutPlanView): string[] | void | Promise<string[] | void>;

  /**
   * Optional: the --extra keys this CUT takes, each with one line saying what it is and its default
   * (`{ sleep: 'seconds each request sleeps (default 0.1)' }`). When declared, a key not in it is
   * refused before the run (a typo like "slep" is never silently ignored), and `pylogen <cut> --help`
   * lists them.
   */
  static extraKeys?: Readonly<Record<string, string>>;

  /** Once per runner, before t0. */
  async setup(): Promise<void> {}

  /** One operation: time one or more requests with op.time(), or methods decorated with @exec. */
  abstract func(op: Operation): unknown;

  /** Once per runner, after its last operation. */
  async teardown(): Promise<void> {}
}

/** The constructor type of a CUT class. */
export type CutClass = (new () => ClassUnderTest) & {
  validate?(plan: CutPlanView): string[] | void | Promise<string[] | void>;
  extraKeys?: Readonly<Record<string, string>>;
};

/** The problems of an --extra object against the keys a CUT declares (none when it declares none). */
export function unknownExtraKeys(extra: Record<string, unknown>, declared: Readonly<Record<string, string>> | undefined): string[] {
  if (declared === undefined) return [];
  const known = Object.keys(declared);
  return Object.keys(extra)
    .filter((k) => !Object.hasOwn(declared, k))
    .map((k) => `--extra: unknown member "${k}" (${known.length > 0 ? `this CUT takes: ${known.join(', ')}` : 'this CUT takes none'})`);
}
