/**
 * The base class of the Vault Transit CUTs (cuts/VaultTransit*.ts), like KmsCut for KMS: one keep-alive
 * VaultClient per runner (src/vault/client.ts), the key of the Vault key file that
 * `--extra '{"file":"VaultDefault.json","key":"aes256"}'` names, and batches: `--extra '{"batch":N}'`
 * sends N items per request in `batch_input`, each item's result checked (a failed item is a
 * BatchItemError counted by its message's type), the request named `<NAME>-BATCH<N>` and timed with
 * `op.req(name, N)`, so that its summary row gives the ok items and items/s beside requests/s. Request bodies are made once per
 * payload length (the payloads do not change), so an operation allocates only its HTTP exchange.
 * Its static validate() checks, in the main process, the endpoint (or VAULT_ADDR), the key file, the
 * key's type against the CUT's use, the batch size and the CUT's own limits: one line each, exit 2.
 */
import { randomBytes } from 'node:crypto';
import { ClassUnderTest, type CutPlanView } from '../cut/ClassUnderTest.js';
import { exec } from '../cut/exec.js';
import type { Operation, Request } from '../cut/Operation.js';
import { packageRoot } from '../core/paths.js';
import { prepareCall, setupErrorClass, validateKeyed, type ExtraKeys } from '../cut/KeyedCut.js';
import { UnexpectedResponse } from '../kms/client/WrongResult.js';
import { VaultClient, type VaultBody } from './client.js';
import { INSECURE_WARNING, VAULT_LOCAL, vaultConnection, vaultEndpointProblem } from './connection.js';
import { loadVaultKeyFile, pickVaultKey, type VaultKeyEntry, type VaultKeyFile } from './keyfile.js';
import { MAX_BODY, type KeyUse } from './model.js';
import { BatchItemError } from './VaultError.js';

/** The --extra members every Vault CUT takes. */
export interface VaultExtra {
  file?: string;
  key?: string;
  batch?: number;
  namespace?: string;
}

/** What a Vault CUT declares about itself, as `static override readonly vault`. */
export interface VaultCutSpec {
  /** the key-file entry used when --extra names none; absent: a keyless CUT (random) */
  defaultKey?: string;
  use: KeyUse;
  /** whether it takes --extra "batch" */
  batch: boolean;
  /** its own checks: problems, one line each */
  check?(plan: CutPlanView, key: VaultKeyEntry | undefined): string[];
}

/** The most items per request a CUT sends (Vault has no fixed limit; its body cap is 32 MiB by default). */
export const MAX_BATCH = 4096;

/** A Vault call that setup() needs failed: the runner cannot prepare. */
export const VaultSetupError = setupErrorClass('VaultSetupError');

export const VAULT_EXTRA_KEYS: ExtraKeys = {
  file: "the Vault key file: as given, ./profiles, the package's profiles/ (default VaultDefault.json)",
  key: "an entry of the key file (default: the CUT's own)",
  batch: 'items per request in batch_input, 1 to 4096 (default 1: no batch_input)',
  namespace: 'X-Vault-Namespace (default VAULT_NAMESPACE)',
};

export abstract class VaultCut<Extra extends VaultExtra = VaultExtra, Context extends object = Record<string, unknown>> extends ClassUnderTest<Extra, Context> {
  /** The protocol this CUT belongs to (Protocol.owns). */
  static readonly protocol = 'vault';
  static readonly vault: VaultCutSpec = { defaultKey: 'aes256', use: 'encrypt', batch: true };
  static override extraKeys: ExtraKeys = VAULT_EXTRA_KEYS;

  client!: VaultClient;
  key!: VaultKeyEntry;
  keyFile!: VaultKeyFile;
  /** items per request */
  batch = 1;
  private readonly madeBodies = new Map<number, string>();

  static override validate(plan: CutPlanView): string[] {
    const spec = this.vault;
    const extra = plan.extra as VaultExtra;
    return validateKeyed(plan, {
      declared: this.extraKeys,
      strings: ['file', 'key', 'namespace'],
      basics: () => {
        const problems: string[] = [];
        const b = extra.batch as unknown;
        if (b !== undefined) {
          if (!spec.batch) problems.push('--extra "batch": this CUT sends no batch_input');
          else if (typeof b !== 'number' || !Number.isInteger(b) || b < 1 || b > MAX_BATCH)
            problems.push(`--extra "batch" must be an integer from 1 to ${MAX_BATCH}, but is ${JSON.stringify(b)}`);
        }
        const ep = vaultEndpointProblem(plan.endpoint, process.env);
        if (ep !== undefined) problems.push(ep);
        return problems;
      },
      key: () => this.keyFor(extra)?.key,
      withKey: (key) => spec.check?.(plan, key) ?? [],
    });
  }

  /** The key file and key a runner of this CUT uses with `extra` (undefined for a keyless CUT). */
  static keyFor(extra: VaultExtra): { file: VaultKeyFile; key: VaultKeyEntry } | undefined {
    const spec = this.vault;
    if (spec.defaultKey === undefined) return undefined;
    const file = loadVaultKeyFile(extra.file, process.cwd(), packageRoot);
    return { file, key: pickVaultKey(file, extra.key ?? spec.defaultKey, spec.use) };
  }

  override async setup(): Promise<void> {
    const cls = this.constructor as typeof VaultCut;
    const keyed = cls.keyFor(this.extra);
    if (keyed !== undefined) {
      this.keyFile = keyed.file;
      this.key = keyed.key;
    }
    this.batch = this.extra.batch ?? 1;
    if (this.runner.endpoint === VAULT_LOCAL) throw new VaultSetupError(`--endpoint ${VAULT_LOCAL} is started by the run: this runner was given no URL`);
    const conn = vaultConnection(this.runner.endpoint, process.env, this.extra.namespace);
    if (conn.insecure && this.runner.index === 0) this.log(`pylogen: warning: ${INSECURE_WARNING}`);
    this.client = new VaultClient({ ...conn, timeoutMs: this.runner.timeout * 1000, retries: this.runner.retries });
  }

  override async teardown(): Promise<void> {
    this.client?.close();
  }

  override retried(): number {
    return this.client?.retried ?? 0;
  }

  /** `/v1/<mount>/<what>/<key name>` of this CUT's key. */
  path(what: string, key: VaultKeyEntry = this.key): string {
    return `/v1/${key.mount}/${what}/${key.name}`;
  }

  /** The request name: `NAME`, or `NAME-BATCH<N>` when each request carries N items. */
  requestName(name: string): string {
    return this.batch > 1 ? `${name}-BATCH${this.batch}` : name;
  }

  /** The request-wide fields of sign and verify: the entry's hash, RSA padding, ECDSA marshaling. */
  protected signParams(): Record<string, string> {
    const k = this.key;
    if (k.type === 'ed25519') return {};
    return {
      hash_algorithm: k.hash,
      ...(k.type.startsWith('rsa-') ? { signature_algorithm: k.signatureAlgorithm } : {}),
      ...(k.type.startsWith('ecdsa-') ? { marshaling_algorithm: k.marshaling } : {}),
    };
  }

  /** The derived key's context, as an item field (empty for other keys). */
  protected contextField(): Record<string, string> {
    return this.key?.context === undefined ? {} : { context: this.key.context };
  }

  /**
   * The JSON body of a request for a payload length, made once: `item` alone, or `batch` copies of it
   * in batch_input, beside the request-wide `common` fields.
   */
  protected bodyFor(length: number, item: () => Record<string, unknown>, common: Record<string, unknown> = {}): string {
    let body = this.madeBodies.get(length);
    if (body === undefined) {
      const one = item();
      body = JSON.stringify(this.batch > 1 ? { ...common, batch_input: Array.from({ length: this.batch }, () => one) } : { ...common, ...one });
      this.madeBodies.set(length, body);
    }
    return body;
  }

  /**
   * POSTs a body and gives the result items: `data` alone, or each of `data.batch_results` (the first
   * failed item throws its BatchItemError; a missing or short batch_results is UnexpectedResponse).
   */
  protected async post(path: string, body: string): Promise<Record<string, unknown>[]> {
    const answer = await this.client.call('POST', path, body, this.batch > 1);
    return resultsOf(answer, this.batch);
  }

  /**
   * Data made once per --lengths value before t0, from a random plaintext of that length (the
   * ciphertexts to decrypt, the signatures to verify): an operation only looks it up by op.step.
   */
  protected async perLength<T>(what: string, make: (plaintext: Buffer) => Promise<T>): Promise<Map<number, T>> {
    const made = new Map<number, T>();
    for (const length of new Set(this.runner.lengths)) made.set(length, await this.prepare(`${what} of ${length} bytes`, () => make(randomBytes(length))));
    return made;
  }

  /** POSTs one untimed request of setup() and gives its data. */
  protected async data(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    return resultsOf(await this.client.call('POST', path, JSON.stringify(body)), 1)[0]!;
  }

  /** Runs a Vault call that setup() needs; its failure fails the runner, saying what and where. */
  protected prepare<T>(what: string, call: () => Promise<T>): Promise<T> {
    const withKey = this.key === undefined ? '' : ` with key "${this.key.entry}" (${this.key.mount}/${this.key.name})`;
    return prepareCall(VaultSetupError, `${what}${withKey}`, this.client.address.origin, call);
  }
}

/**
 * The base of the Vault Transit CUTs that ask POST /v1/{mount}/verify/{name} whether what Vault made in setup()
 * is valid (VaultTransitVerify: a signature, VaultTransitHmacVerify: an HMAC): setup() makes, once per --lengths
 * value, the body of that question (verifyBody); each operation asks it, and an item answered `valid: false` is
 * the subclass's invalid() error.
 */
export abstract class VaultVerifyCut extends VaultCut {
  /** the request's name (`<NAME>-BATCH<N>` with a batch) */
  protected abstract readonly request: string;
  /** the Transit call that setup() makes per length, as its failure names it */
  protected abstract readonly made: string;

  private url!: string;
  private name!: string;
  private bodies!: Map<number, string>;

  /** The verification body of a random message (setup(), once per length). */
  protected abstract verifyBody(message: Buffer): Promise<string>;
  /** The error of an item answered `valid: false`. */
  protected abstract invalid(): Error;

  override async setup(): Promise<void> {
    await super.setup();
    this.url = this.path('verify');
    this.name = this.requestName(this.request);
    this.bodies = await this.perLength(this.made, (p) => this.verifyBody(p));
  }

  @exec
  async verify(req: Request, body: string): Promise<void> {
    for (const item of await this.post(this.url, body)) {
      if (item.valid !== true) throw this.invalid();
    }
  }

  func(op: Operation): Promise<void> {
    return this.verify(op.req(this.name, this.batch), this.bodies.get(op.step)!);
  }
}

/** The result items of an answer: [data], or data.batch_results checked item by item. */
export function resultsOf(answer: VaultBody | null, batch: number): Record<string, unknown>[] {
  const data = answer?.data;
  if (data === undefined || data === null || typeof data !== 'object') throw new UnexpectedResponse('the answer has no data');
  if (batch <= 1) return [data];
  const results = (data as { batch_results?: unknown }).batch_results;
  if (!Array.isArray(results) || results.length !== batch) {
    throw new UnexpectedResponse(`the answer has ${Array.isArray(results) ? results.length : 'no'} batch_results for ${batch} items`);
  }
  for (let i = 0; i < results.length; i++) {
    const r = results[i] as { error?: unknown };
    if (typeof r.error === 'string' && r.error !== '') throw new BatchItemError(i, r.error);
  }
  return results as Record<string, unknown>[];
}

/** A string field of a result item, or UnexpectedResponse. */
export function field(item: Record<string, unknown>, name: string): string {
  const v = item[name];
  if (typeof v !== 'string' || v === '') throw new UnexpectedResponse(`the answer has no ${name}`);
  return v;
}

/** The lengths check of the CUTs that send or get the payload in base64: each answer must fit the client's 1 MiB cap. */
export function bodyProblems(plan: CutPlanView): string[] {
  const batch = typeof plan.extra.batch === 'number' ? plan.extra.batch : 1;
  const perItem = (len: number): number => 4 * Math.ceil((len + 28) / 3) + 64;
  const over = plan.lengths.filter((l) => perItem(l) * batch > MAX_BODY);
  return over.length > 0
    ? [
        `--lengths: ${over.join(', ')} bytes${batch > 1 ? ` × batch ${batch}` : ''} make answers over the ${MAX_BODY}-byte cap of the Vault client: give smaller lengths or a smaller batch`,
      ]
    : [];
}
