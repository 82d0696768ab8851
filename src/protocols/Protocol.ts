/**
 * DRAFT of the protocol seam (issue "One seam for every key-management protocol"). A protocol
 * (kms/, pkcs11/, kmip/, vault/, gcp/, azure/) is one folder that exports one `Protocol` object from
 * its `protocol.ts`, registered by one line in src/protocols/registry.ts. The pipeline rooms
 * (controller, config, runner, stats, cut, output, core) loop over the registry and never name a
 * protocol. Everything here is additive: a protocol fills what it has.
 *
 * The seam's implementer may refine these types; the names below are the contract the protocol
 * folders are written against.
 */
import type { CutLine, RunPlan } from '../core/plan.js';

/** A started throwaway target (`--endpoint local|softhsm|pykmip|vault-local|gcp-local|azure-local`). */
export interface StartedTarget {
  /** one line for -v: what was started, where (never a secret) */
  describe: string;
  /**
   * What the runners of one line that names this target get: the endpoint URL they are given
   * (RunnerInfo.endpoint), variables set in their environment (a throwaway token, NODE_EXTRA_CA_CERTS;
   * `undefined` removes one), and per-line values such as the region the target signs with.
   */
  forLine(line: CutLine): { endpoint: string; env?: Readonly<Record<string, string | undefined>>; region?: string };
  /** how the target ended if it died during the run (before close()), else undefined */
  died(): string | undefined;
  /** stops it and removes what it made; resolves when it is gone (bounded) */
  close(): Promise<void>;
}

/** A kind of throwaway target a protocol can start for the lines that name it. */
export interface TargetKind {
  /** the --endpoint value, e.g. "vault-local" */
  name: string;
  /** what it serves, for --help ("the embedded Vault Transit server") */
  describe: string;
  /** starts one target for every line of the plan that names it; a bad key file is a UsageError */
  start(lines: readonly CutLine[], ctx: { plan: RunPlan; cwd: string; log: (line: string) => void }): Promise<StartedTarget>;
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
}

export type PreflightOutcome =
  | { ok: true; /** -v line */ detail?: string; /** shown always (a warning) */ note?: string }
  | { ok: false; /** one line: the cause and the fix */ cause: string };

export interface Protocol {
  /** short name: "kms", "pkcs11", "kmip", "vault", "gcp", "azure" */
  name: string;
  /** one line for --help */
  describe: string;
  /** whether a CUT class belongs to this protocol (e.g. it extends the protocol's CUT base: a static `protocol` name) */
  owns(cls: unknown): boolean;
  /** --endpoint URL schemes this protocol's lines accept (http, https, kmip, ...) */
  schemes?: readonly string[];
  /** named throwaway targets */
  targets?: readonly TargetKind[];
  /** --client values its lines accept, the first the default (kms: fast, sdk; gcp: grpc, rest) */
  clients?: readonly string[];
  /** one real call per line before anything is forked (a single login for PKCS#11) */
  preflight?(lines: readonly PreflightLine[], ctx: { verbosity: number; say: (s: string) => void }): Promise<PreflightOutcome[]>;
  /** the type an error of this protocol is counted under in errorsByType, or undefined to fall through */
  errorType?(err: unknown): string | undefined;
  /** sub-commands: `pylogen vault setup`, `pylogen vault serve` (objects of the shape of src/cli/command.ts's Command) */
  commands?: readonly unknown[];
}
