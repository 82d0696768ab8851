/**
 * The base class of the Azure Key Vault / Managed HSM CUTs (cuts/AzureKeyVault*.ts): per runner one
 * KeyClient and one CryptographyClient of @azure/keyvault-keys (their pipelines keep their HTTPS
 * connections alive), for the key of the Azure key file that `--extra '{"key": "ec256"}'` names.
 *
 * Every measured operation reaches the vault. Given a key id, the SDK's CryptographyClient GETs the
 * key on first use and, when it holds the key material, performs RSA1_5 / RSA-OAEP encryption and
 * wrapping and verifyData itself (node:crypto), without a request. setup() GETs the key through the
 * KeyClient (checking that it exists, is enabled and fits the CUT) and hands the CryptographyClient
 * that key WITHOUT its material, so the client has no local provider and sends every operation. The
 * client's first request is answered by Key Vault's 401 challenge: each CUT makes one call in setup()
 * (before t0) so that no measured operation carries it.
 *
 * Its static validate() checks, in the main process, the endpoint (https://NAME.vault.azure.net,
 * https://NAME.managedhsm.azure.net, any https URL, or azure-local), the key file, the key and the
 * algorithm: a problem is one line and exit 2, nothing started.
 */
import type { CryptographyClient, KeyClient, KeyVaultKey } from '@azure/keyvault-keys';
import { ClassUnderTest, type CutPlanView } from '../cut/ClassUnderTest.js';
import { describeError } from '../core/errors.js';
import { quote } from '../core/keyFile.js';
import { packageRoot } from '../core/paths.js';
import { setupErrorClass, validateKeyed, type ExtraKeys } from '../cut/KeyedCut.js';
import { algorithmsFor, oaepMaxPlaintext, type AzureUse } from './algorithms.js';
import { azureCredential, clientOptions, type RetryCounts } from './client.js';
import { azureErrorType } from './errorType.js';
import { azureVaultUrl, describeAzureKey, loadAzureKeyFile, pickAzureKey, type AzureFamily, type AzureKeyEntry } from './keyfile.js';
import { AZURE_LOCAL, keyProblem } from './keyCheck.js';

/** The --extra members of the Azure CUTs. */
export interface AzureExtra {
  /** the Azure key file (default AzureDefault.json) */
  file?: string;
  /** an entry of it (default: the CUT's own) */
  key?: string;
  /** the Key Vault algorithm (default: the key's first, see algorithms.ts) */
  algorithm?: string;
}

/** What an Azure CUT declares about itself, as `static override readonly azure`. */
export interface AzureCutSpec {
  /** the key-file entry used when --extra names none; absent: the CUT uses no key (GetRandomBytes) */
  defaultKey?: string;
  /** the key types it takes */
  families: readonly AzureFamily[];
  /** the key_ops its key must allow (Key Vault's names: sign, verify, encrypt, decrypt, wrapKey, unwrapKey) */
  ops: readonly string[];
  /** what its algorithm is for */
  use?: AzureUse;
  /** its own checks: problems, one line each */
  check?(plan: CutPlanView, key: AzureKeyEntry | undefined, algorithm: string | undefined): string[];
}

/** A call that setup() needs failed: the runner cannot prepare. */
export const AzureSetupError = setupErrorClass('AzureSetupError');

export const AZURE_EXTRA_KEYS: ExtraKeys = {
  file: "the Azure key file (default AzureDefault.json: as given, then ./profiles, then the package's profiles/)",
  key: "an entry of the key file (default: the CUT's own)",
  algorithm: "the Key Vault algorithm (default: the key's: PS256 / ES256 / ES384, RSA-OAEP-256, A256GCM, A256KW)",
};

/** The endpoint problem of an Azure line, or undefined. */
export function azureEndpointProblem(endpoint: string, from = '--endpoint'): string | undefined {
  if (endpoint === AZURE_LOCAL) return undefined;
  const example = 'https://NAME.vault.azure.net or https://NAME.managedhsm.azure.net';
  if (endpoint === '') return `--endpoint: an Azure Key Vault CUT needs the vault URL (${example}, or "vaultUrl" in its key file) or ${AZURE_LOCAL}`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `${from}: an Azure Key Vault CUT needs an https:// vault URL (${example}) or ${AZURE_LOCAL}, but is ${quote(endpoint)}`;
  }
  if (url.protocol !== 'https:') return `${from}: the SDK sends bearer tokens over https:// only, but the vault URL is ${quote(endpoint)}`;
  if (url.username !== '' || url.password !== '') return `${from}: a vault URL takes no user or password (credentials come from DefaultAzureCredential)`;
  return undefined;
}

/** The algorithm a CUT uses with a key: --extra "algorithm", else the key's default for the use. */
export function algorithmOf(spec: AzureCutSpec, key: AzureKeyEntry, chosen: unknown): { algorithm?: string; problem?: string } {
  if (spec.use === undefined) return {};
  const allowed = algorithmsFor(key, spec.use);
  if (chosen === undefined) return { algorithm: allowed[0]! };
  if (typeof chosen === 'string' && allowed.includes(chosen)) return { algorithm: chosen };
  return { problem: `--extra "algorithm": key "${key.entry}" (${key.kty}) takes ${allowed.join(', ')}, but is ${quote(chosen)}` };
}

export abstract class AzureCut<Extra extends AzureExtra = AzureExtra, Context extends object = Record<string, unknown>> extends ClassUnderTest<Extra, Context> {
  /** the protocol this CUT belongs to (src/azure/protocol.ts owns the classes that say "azure") */
  static readonly protocol = 'azure';
  static readonly azure: AzureCutSpec = { defaultKey: 'rsa2048', families: ['rsa'], ops: [] };
  static override readonly extraKeys: ExtraKeys = AZURE_EXTRA_KEYS;

  /** the vault: --endpoint, else the key file's vaultUrl */
  vaultUrl!: string;
  keys!: KeyClient;
  crypto!: CryptographyClient;
  /** the key as the vault answered it (its public JWK in `key.key`); unset for a keyless CUT */
  vaultKey!: KeyVaultKey;
  entry!: AzureKeyEntry;
  algorithm!: string;
  /** retries and 429 answers of this runner's clients, logged at teardown */
  readonly retryCounts: RetryCounts = { attempts: 0, calls: 0, challenged: 0, throttled: 0 };
  /** the options of every measured call: --timeout per call (one object, reused) */
  protected callOptions!: { requestOptions: { timeout: number } };

  static override validate(plan: CutPlanView): string[] {
    const spec = this.azure;
    const extra = plan.extra as AzureExtra;
    let file: ReturnType<typeof loadAzureKeyFile> | undefined;
    return validateKeyed(plan, {
      declared: this.extraKeys,
      strings: ['file', 'key', 'algorithm'],
      basics: () => {
        // The vault's URL: --endpoint, else the key file's vaultUrl (so the file is read first).
        try {
          file = loadAzureKeyFile(extra.file, process.cwd(), packageRoot);
        } catch (err) {
          return [(err as Error).message];
        }
        const vault = azureVaultUrl(plan.endpoint, file);
        const endpointProblem = azureEndpointProblem(vault.url, vault.from);
        return endpointProblem === undefined ? [] : [endpointProblem];
      },
      key: () => (spec.defaultKey === undefined ? undefined : pickAzureKey(file!, extra.key ?? spec.defaultKey)),
      withKey: (key) => {
        if (key === undefined) return spec.check?.(plan, undefined, undefined) ?? [];
        if (!spec.families.includes(key.family)) {
          return [
            `--extra "key": key "${key.entry}" of ${file!.label} is ${key.kty}, but this CUT needs a key of type ${spec.families.map((f) => (f === 'oct' ? 'oct-HSM' : f.toUpperCase())).join(' or ')}`,
          ];
        }
        const a = algorithmOf(spec, key, extra.algorithm);
        return [...(a.problem !== undefined ? [a.problem] : []), ...(spec.check?.(plan, key, a.algorithm) ?? [])];
      },
    });
  }

  override async setup(): Promise<void> {
    const spec = (this.constructor as typeof AzureCut).azure;
    const file = loadAzureKeyFile(this.extra.file, process.cwd(), packageRoot);
    const url = (this.vaultUrl = azureVaultUrl(this.runner.endpoint, file).url);
    const problem = azureEndpointProblem(url);
    if (problem !== undefined || url === AZURE_LOCAL) throw new AzureSetupError(problem ?? `--endpoint ${AZURE_LOCAL} was not replaced by the server's URL`);
    const { KeyClient: Keys, CryptographyClient: Crypto } = await import('@azure/keyvault-keys');
    const credential = await azureCredential();
    const options = clientOptions(url, this.runner.retries, this.retryCounts);
    this.keys = new Keys(url, credential, options);
    this.callOptions = { requestOptions: { timeout: this.runner.timeout * 1000 } };
    if (spec.defaultKey === undefined) return;
    this.entry = pickAzureKey(file, this.extra.key ?? spec.defaultKey);
    this.algorithm = algorithmOf(spec, this.entry, this.extra.algorithm).algorithm ?? '';
    this.vaultKey = await this.prepare(`GET of the key ${describeAzureKey(this.entry)}`, () =>
      this.keys.getKey(this.entry.name, this.entry.version === undefined ? {} : { version: this.entry.version }),
    );
    const bad = keyProblem([], this.entry, this.vaultKey);
    if (bad !== undefined) throw new AzureSetupError(`setup: ${bad}`);
    // The vault decides what a key may do: an operation its key_ops lack is answered 403 Forbidden and
    // counted by type. The preflight refuses such a line first, naming the fix; --no-preflight measures it.
    const denied = keyProblem(spec.ops, this.entry, this.vaultKey);
    if (denied !== undefined && this.runner.index === 0) this.log(`pylogen: warning: ${denied}: the vault will answer 403 Forbidden`);
    // Without its material the client has no local provider: every operation goes to the vault. Without
    // its key_ops the client does not refuse an operation they lack itself: the vault answers it (403).
    this.crypto = new Crypto({ ...this.vaultKey, key: undefined, keyOperations: undefined }, credential, options);
  }

  override async teardown(): Promise<void> {
    const retries = this.retried();
    if (retries > 0)
      this.log(`${this.runner.id}#${this.runner.index}: ${retries} Azure requests retried (${this.retryCounts.throttled} answers 429 Throttled)`);
  }

  /** The attempts past each call's first, the challenge's second attempt aside. */
  override retried(): number {
    const c = this.retryCounts;
    return c.attempts - c.calls - c.challenged;
  }

  /** Runs a call that setup() needs; its failure fails the runner, saying what and where. */
  protected async prepare<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const type = azureErrorType(err);
      throw new AzureSetupError(`setup: ${what} at ${this.vaultUrl} failed: ${type === undefined ? '' : `${type}: `}${describeError(err)}`);
    }
  }
}

/** The lengths check of RSA-OAEP encryption: at most the modulus allows. */
export function oaepLengthProblems(plan: CutPlanView, key: AzureKeyEntry | undefined, algorithm: string | undefined): string[] {
  if (key === undefined || key.family !== 'rsa' || algorithm === undefined) return [];
  const max = oaepMaxPlaintext(key.size!, algorithm);
  const over = plan.lengths.filter((l) => l > max);
  return over.length > 0
    ? [`--lengths: ${algorithm} with key "${key.entry}" (RSA ${key.size}) encrypts at most ${max} bytes, but --lengths has ${over.join(', ')}`]
    : [];
}
