/**
 * The base class of the KMS CUTs (cuts/Kms*.ts), and of a user's own. It gives a CUT one KMS client
 * per runner, reused by every operation, and the key of the key file that PYLOGEN's
 * `--extra '{"file":"KmsDefault.json","key":"symmetric1"}'` names (file optional, each CUT has a
 * default key). Its static validate() checks the key file, the key and the CUT's own limits in the
 * main process, before anything is forked, so a wrong key name or a length that KMS would refuse is
 * one line and exit 2, never a run full of errors.
 *
 *   export class KmsEncryptSymmetric extends KmsCut {
 *     static override readonly kms: KmsCutSpec = { defaultKey: 'symmetric1', usage: 'ENCRYPT_DECRYPT' };
 *     @exec encrypt(req: Request, data: Buffer) {
 *       return this.client.send(new EncryptCommand({ KeyId: this.keyId, Plaintext: data }));
 *     }
 *     func(op: Operation) { return this.encrypt(op.req('ENCRYPT'), op.payload); }
 *   }
 */
import { ClassUnderTest, type CutPlanView } from '../../cut/ClassUnderTest.js';
import { article, pickEntry, prepareCall, setupErrorClass, validateKeyed, type ExtraKeys } from '../../cut/KeyedCut.js';
import { namedEndpoints } from '../../protocols/seam.js';
import { packageRoot } from '../../core/paths.js';
import { createKmsSender, retriedBy, type KmsSender } from './client.js';
import { DEFAULT_KEY_FILE, keyRef, loadKeyFile, type KeyEntry } from '../model/keyfile.js';
import { SPEC_INFO, type KeyFamily, type KeyUsage } from '../model/specs.js';

/** The --extra members every keyed KMS CUT takes (PYLOGEN's). */
export interface KmsExtra {
  /** the key file: as given, then ./profiles, then the package's profiles/ (default KmsDefault.json) */
  file?: string;
  /** the name of an entry of the key file (default: the CUT's own) */
  key?: string;
}

/** What a KMS CUT declares about itself, as `static override readonly kms`. */
export interface KmsCutSpec {
  /** The entry used when --extra names no key; absent: the CUT uses no key (and takes no file/key). */
  defaultKey?: string;
  /** The usage its key must have. */
  usage?: KeyUsage;
  /** The key families it works with (default: any with that usage). */
  families?: readonly KeyFamily[];
  /** Its --extra members beyond file and key, each with one line: what it is, its default (`pylogen <cut> --help` lists them). */
  extras?: ExtraKeys;
  /** Its own checks (lengths, extras), given its key and key file: problems, one line each. */
  check?(plan: CutPlanView, key: KeyEntry | undefined, file: KeyFile | undefined): string[];
}

/** A loaded key file. */
export interface KeyFile {
  /** the name as given (what messages show) */
  label: string;
  path: string;
  entries: Map<string, KeyEntry>;
}

export { DEFAULT_KEY_FILE };

/** Loads the key file named by --extra (or the default) from the working directory's point of view. */
export function openKeyFile(file: string | undefined): KeyFile {
  const label = file ?? DEFAULT_KEY_FILE;
  const { path, entries } = loadKeyFile(label, process.cwd(), packageRoot);
  return { label, path, entries };
}

/** The --extra keys of a keyed KMS CUT. */
export const KMS_KEY_EXTRAS: ExtraKeys = {
  file: "the key file: as given, then ./profiles, then the package's profiles/ (default KmsDefault.json)",
  key: "an entry of the key file (default: the CUT's own)",
};

/**
 * The entry `name` of a key file, checked against what the CUT needs of it; a UsageError (one line
 * naming the file and the key) otherwise. `member` is the --extra member that named it.
 */
export function pickKey(file: KeyFile, name: string, needs: { usage?: KeyUsage; families?: readonly KeyFamily[] }, member = 'key'): KeyEntry {
  return pickEntry(
    file,
    name,
    (entry) => {
      const usageOk = needs.usage === undefined || entry.keyUsage === needs.usage;
      const familyOk = needs.families === undefined || needs.families.includes(SPEC_INFO[entry.keySpec].family);
      if (usageOk && familyOk) return undefined;
      const kind = `${needs.families?.join(' or ') ?? ''} ${needs.usage ?? ''}`.trim();
      return `is ${entry.keySpec} ${entry.keyUsage}, but this CUT needs ${article(kind)} ${kind} key`;
    },
    member,
  );
}

/** A KMS call that setup() needs failed: the runner cannot prepare, and says with what and where. */
export const KmsSetupError = setupErrorClass('KmsSetupError');

export abstract class KmsCut<Extra extends KmsExtra = KmsExtra, Context extends object = Record<string, unknown>> extends ClassUnderTest<Extra, Context> {
  /** What this CUT needs: override in each subclass. */
  static readonly kms: KmsCutSpec = {};
  /** The --extra keys: file and key when the CUT uses a key, then its own (`kms.extras`). */
  static override get extraKeys(): ExtraKeys {
    return { ...(this.kms.defaultKey !== undefined ? KMS_KEY_EXTRAS : {}), ...this.kms.extras };
  }

  /**
   * This runner's KMS client (one per runner, made in setup(), destroyed in teardown()): by --client,
   * the fast client or the SDK's KMSClient; both take `send(new XxxCommand(input))` and answer alike.
   */
  client!: KmsSender;
  /** The key file entry this CUT uses (undefined for a CUT that uses no key). */
  key!: KeyEntry;
  /** What requests pass as KeyId: the entry's keyId, else its alias. */
  keyId!: string;
  keyFile!: KeyFile;

  /** Checks --extra, the key file and the key, then the CUT's own limits, in the main process. */
  static override validate(plan: CutPlanView): string[] {
    const spec = this.kms;
    const extra = plan.extra as KmsExtra;
    return validateKeyed(plan, {
      declared: this.extraKeys,
      strings: spec.defaultKey !== undefined ? ['file', 'key'] : [],
      basics: () => {
        const problems: string[] = [];
        const named = namedEndpoints()[plan.endpoint];
        if (plan.endpoint !== 'local' && named !== undefined) {
          problems.push(`--endpoint ${plan.endpoint} is ${named}, not a KMS: give a KMS endpoint URL, or "local" for the embedded KMS server`);
        }
        // kmip://, pykmip and the other named endpoints are not KMS: their CUTs are Kmip*, Pkcs11*.
        if (plan.endpoint !== '' && plan.endpoint !== 'local' && !/^https?:\/\//.test(plan.endpoint)) {
          problems.push(`--endpoint: a KMS CUT needs an http:// or https:// URL or local, but is "${plan.endpoint}"`);
        }
        return problems;
      },
      key: () => this.keyFor(extra),
      withKey: (keyed) => spec.check?.(plan, keyed?.key, keyed?.file) ?? [],
    });
  }

  /**
   * The key file and the key that a runner of this CUT uses with `extra` (undefined for a CUT that
   * uses no key): what setup() resolves, and what the preflight checks on the endpoint.
   */
  static keyFor(extra: KmsExtra): { file: KeyFile; key: KeyEntry } | undefined {
    const spec = this.kms;
    if (spec.defaultKey === undefined) return undefined;
    const file = openKeyFile(extra.file);
    return { file, key: pickKey(file, extra.key ?? spec.defaultKey, spec) };
  }

  /** Makes the client and resolves the key. A subclass that prepares more calls super.setup() first. */
  override async setup(): Promise<void> {
    const keyed = (this.constructor as typeof KmsCut).keyFor(this.extra);
    if (keyed !== undefined) {
      this.keyFile = keyed.file;
      this.key = keyed.key;
      this.keyId = keyRef(this.key);
    }
    this.client = createKmsSender(this.runner.client === 'sdk' ? 'sdk' : 'fast', {
      endpoint: this.runner.endpoint || undefined,
      region: this.runner.region || undefined,
      retries: this.runner.retries,
      timeoutMs: this.runner.timeout * 1000,
    });
  }

  override async teardown(): Promise<void> {
    this.client?.destroy();
  }

  override retried(): number {
    return this.client === undefined ? 0 : retriedBy(this.client);
  }

  /**
   * Runs a KMS call that setup() needs (GetPublicKey, the ciphertexts to decrypt); its failure fails
   * the runner with what was asked of which key, and where.
   */
  protected prepare<T>(what: string, call: () => Promise<T>, key: KeyEntry | undefined = this.key): Promise<T> {
    const withKey = key === undefined ? '' : ` with key "${key.name}" (${keyRef(key)})`;
    return prepareCall(KmsSetupError, `${what}${withKey}`, this.runner.endpoint || "the SDK's endpoint", call);
  }
}
