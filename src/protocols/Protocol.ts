/**
 * The protocol seam. A protocol (kms/, pkcs11/, kmip/, vault/, gcp/, azure/) is one folder that
 * exports one `Protocol` object from its `protocol.ts`, registered by one line in src/registry.ts.
 * The entries install the protocols (src/protocols/seam.ts); the pipeline rooms (controller, config,
 * runner, stats, cut, output, core) ask the seam and never name a protocol. Everything here is
 * optional but `name`, `describe` and `owns`: a protocol fills what it has. docs/protocols.md walks
 * through adding one.
 *
 * protocol.ts must stay LIGHT: a runner of the protocol's CUT loads it (cut/errorType.ts asks its
 * errorType hook), so protocol.ts imports only small modules (constants, its errorType hook) and
 * loads its heavy parts (SDKs, servers, the preflight's client, a command's body) with `await
 * import()` inside the functions below.
 */
import type { CutLine, RunPlan } from '../core/plan.js';
import type { Command } from '../core/command.js';

/** A started throwaway target (`--endpoint local|softhsm|pykmip|vault-local|gcp-local|azure-local`). */
export interface StartedTarget {
  /** one line for -v: what was started, where (never a secret) */
  describe: string;
  /**
   * What the runners of one line that names this target get: the endpoint URL they are given
   * (RunnerInfo.endpoint), variables set in their environment (a throwaway token, NODE_EXTRA_CA_CERTS;
   * `undefined` removes one), and per-line values such as the region the target signs with.
   */
  forLine(line: CutLine): TargetForLine;
  /** how the target ended if it died during the run (before close()), else undefined */
  died(): string | undefined;
  /** stops it and removes what it made; resolves when it is gone (bounded) */
  close(): Promise<void>;
}

/** What the runners of one line get from the target it names (StartedTarget.forLine). */
export interface TargetForLine {
  endpoint: string;
  env?: Readonly<Record<string, string | undefined>>;
  region?: string;
}

/** A kind of throwaway target a protocol can start for the lines that name it. */
export interface TargetKind {
  /** the --endpoint value, e.g. "vault-local" */
  name: string;
  /** what it serves, for --help ("the embedded Vault Transit server") */
  describe: string;
  /**
   * Starts one target for every line of the plan that names it (`lines`: those lines); a bad key
   * file is a UsageError, thrown before anything is left running. `log` prints only with -vv.
   */
  /** `signal`: aborted by Ctrl-C; a start that waits (a server coming up) stops and throws core/errors.ts Interrupted */
  start(lines: readonly CutLine[], ctx: { plan: RunPlan; cwd: string; log: (line: string) => void; signal?: AbortSignal }): Promise<StartedTarget>;
}

/** One line to preflight, with what its runners will get. */
export interface PreflightLine {
  line: CutLine;
  /** the CUT class (its statics: keyFor, spec, ...) */
  cls: unknown;
  /** the endpoint the runners get (a target's URL replaced in), '' when none was given */
  endpoint: string;
  /** variables the runners get on top of the environment (the target's) */
  env: Readonly<Record<string, string | undefined>>;
  /** the region a target gave the line (the embedded KMS server's), else undefined */
  region?: string;
  /** the name of the throwaway target the line names (`local`, `softhsm`), else undefined */
  target?: string;
}

export type PreflightOutcome =
  | { ok: true; /** -v line */ detail?: string; /** shown always (a warning) */ note?: string }
  | { ok: false; /** one line: the cause and the fix */ cause: string };

export interface Protocol {
  /** short name: "kms", "pkcs11", "kmip", "vault", "gcp", "azure" */
  name: string;
  /** one line for --help */
  describe: string;
  /** whether a CUT class belongs to this protocol (e.g. it has the static spec of the protocol's CUT base) */
  owns(cls: unknown): boolean;
  /** --endpoint URL schemes this protocol's lines accept (http, https, kmip, ...) */
  schemes?: readonly string[];
  /** named throwaway targets */
  targets?: readonly TargetKind[];
  /**
   * --client values its lines accept, the first the default (kms: fast, sdk; gcp: grpc, rest). A line
   * whose --client is not among them is refused before anything starts; a line without --client gets
   * the first.
   */
  clients?: readonly string[];
  /**
   * One real call per line before anything is forked (a single login for PKCS#11): one outcome per
   * line, in order. `say` prints (with its own newline); `verbosity` is -v's count.
   */
  preflight?(lines: readonly PreflightLine[], ctx: { verbosity: number; say: (s: string) => void }): Promise<PreflightOutcome[]>;
  /**
   * The type an error of this protocol is counted under in errorsByType, or undefined to fall
   * through. Asked after the network and timeout codes (ECONNRESET, TimeoutError), before the error's
   * class name. Runs in every runner: keep it in a light module (no SDK import).
   */
  errorType?(err: unknown): string | undefined;
  /**
   * Environment variables whose values are credentials this protocol (or its SDK) reads: their values
   * are taken out of every error text, sample and log (src/core/redact.ts).
   */
  secretEnv?: readonly string[];
  /**
   * Sub-commands (`pylogen vault setup`): registered by the command line from the installed protocols. Keep the
   * objects light: options rows and texts as data, `run` importing its body with `await import()`.
   */
  commands?: readonly Command[];
}
