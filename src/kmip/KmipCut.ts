/**
 * The base class of the KMIP CUTs (cuts/Kmip*.ts), like KmsCut for KMS: one KmipClient per runner
 * (one TLS connection per operation in flight, made on demand, TLS sessions resumed), and the key of
 * the KMIP key file that `--extra '{"file":"KmipDefault.json","key":"aes-gcm"}'` names, found on the
 * server by its Name (Locate) in setup(). Its static validate() checks, in the main process, the
 * endpoint (`kmip://host:port`, or `pykmip`), the TLS files (--extra "ca", "cert", "clientKey"), the
 * key file, the key and the CUT's own limits: a problem is one line and exit 2, nothing started.
 */
import { ClassUnderTest, type CutPlanView } from '../cut/ClassUnderTest.js';
import { packageRoot } from '../core/paths.js';
import { pickEntry, prepareCall, setupErrorClass, validateKeyed, type ExtraKeys } from '../cut/KeyedCut.js';
import { cryptoParams, KmipClient } from './KmipClient.js';
import { HASH_OF, loadKmipKeyFile, MODE_OF, PADDING_OF, type KmipKeyEntry, type KmipKeyFile, type KmipUsage } from './keyfile.js';
import { CryptographicAlgorithm, PaddingMethod } from './tags.js';
import { fileProblems, kmipFiles, missingFiles, parseKmipUrl, readKmipFiles, tlsOptions, type KmipFiles } from './target.js';
import type { Item } from './ttlv.js';

/** The --extra members every KMIP CUT takes. */
export interface KmipExtra extends KmipFiles {
  /** the KMIP key file (default KmipDefault.json) */
  file?: string;
  /** an entry of it (default: the CUT's own) */
  key?: string;
  /** the server certificate's name, when it is not the endpoint's host */
  servername?: string;
}

/** What a KMIP CUT declares about itself, as `static override readonly kmip`. */
export interface KmipCutSpec {
  /** the key-file entry used when --extra names none; absent: the CUT uses no key (KmipCreate) */
  defaultKey?: string;
  /** what its key must be for ('any': any entry) */
  usage: KmipUsage | 'any';
  /** its --extra members beyond the common ones, each with one line: what it is, its default */
  extras?: ExtraKeys;
  /** its own checks: problems, one line each */
  check?(plan: CutPlanView, key: KmipKeyEntry | undefined): string[];
}

/** The named endpoint that starts a throwaway PyKMIP server. */
export const PYKMIP_ENDPOINT = 'pykmip';
/** The --extra keys every KMIP CUT takes (file and key only when it uses a key). */
export const KMIP_EXTRAS: ExtraKeys = {
  file: "the KMIP key file: as given, then ./profiles, then the package's profiles/ (default KmipDefault.json)",
  key: "an entry of the key file (default: the CUT's own)",
  ca: 'the CA certificate (PEM file) the server is checked against (a kmip:// endpoint)',
  cert: 'the client certificate (PEM file) (a kmip:// endpoint)',
  clientKey: "the client certificate's private key (PEM file) (a kmip:// endpoint)",
  servername: "the server certificate's name, when it is not the endpoint's host",
};
/** A KMIP message carries its data whole: past this a server may refuse it (PyKMIP reads any size). */
export const KMIP_MAX_DATA = 1024 * 1024;

/** A KMIP call that setup() needs failed: the runner cannot prepare. */
export const KmipSetupError = setupErrorClass('KmipSetupError');

const USAGE_WORDS: Record<KmipUsage, string> = { encrypt: 'an AES', sign: 'an RSA', mac: 'an HMAC' };

export function pickKmipKey(file: KmipKeyFile, name: string, usage: KmipUsage | 'any'): KmipKeyEntry {
  return pickEntry(file, name, (entry) =>
    usage === 'any' || entry.usage === usage ? undefined : `is ${entry.type}-${entry.length}, but this CUT needs ${USAGE_WORDS[usage]} key`,
  );
}

/** The endpoint problem of a KMIP line, or undefined. */
export function kmipEndpointProblem(endpoint: string): string | undefined {
  if (endpoint === PYKMIP_ENDPOINT) return undefined;
  if (endpoint === '') return `--endpoint: a KMIP CUT needs --endpoint kmip://host:port (or ${PYKMIP_ENDPOINT}, a throwaway PyKMIP server)`;
  const parsed = parseKmipUrl(endpoint);
  return 'problem' in parsed ? `--endpoint: a KMIP CUT needs a kmip://host:port URL or ${PYKMIP_ENDPOINT}, but is "${endpoint}"` : undefined;
}

export abstract class KmipCut<Extra extends KmipExtra = KmipExtra, Context extends object = Record<string, unknown>> extends ClassUnderTest<Extra, Context> {
  static readonly kmip: KmipCutSpec = { defaultKey: 'aes-gcm', usage: 'encrypt' };
  /** The --extra keys: the common ones (file and key when the CUT uses a key), then its own (`kmip.extras`). */
  static override get extraKeys(): ExtraKeys {
    const { file, key, ...tls } = KMIP_EXTRAS;
    return { ...(this.kmip.defaultKey !== undefined ? { file: file!, key: key! } : {}), ...tls, ...this.kmip.extras };
  }

  client!: KmipClient;
  key!: KmipKeyEntry;
  keyFile!: KmipKeyFile;
  /** the key's Unique Identifier on the server (the private key's, for RSA); unset for a keyless CUT */
  uid!: string;

  static override validate(plan: CutPlanView): string[] {
    const spec = this.kmip;
    const extra = plan.extra as KmipExtra;
    return validateKeyed(plan, {
      declared: this.extraKeys,
      strings: Object.keys(KMIP_EXTRAS),
      basics: () => {
        const endpointProblem = kmipEndpointProblem(plan.endpoint);
        if (endpointProblem !== undefined) return [endpointProblem];
        if (plan.endpoint === PYKMIP_ENDPOINT) {
          return (['ca', 'cert', 'clientKey', 'servername'] as const)
            .filter((m) => extra[m] !== undefined)
            .map((m) => `--extra "${m}": --endpoint ${PYKMIP_ENDPOINT} makes its own throwaway certificates; give "${m}" with a kmip:// endpoint only`);
        }
        const { files, missing } = kmipFiles(extra);
        if (missing.length > 0) return [`--extra: a KMIP endpoint needs the TLS files: give ${missingFiles(missing)}`];
        const read = readKmipFiles(files);
        return 'problems' in read ? fileProblems(read.problems) : [];
      },
      key: () =>
        spec.defaultKey !== undefined
          ? pickKmipKey(loadKmipKeyFile(extra.file, process.cwd(), packageRoot), extra.key ?? spec.defaultKey, spec.usage)
          : undefined,
      withKey: (key) => spec.check?.(plan, key) ?? [],
    });
  }

  override async setup(): Promise<void> {
    const spec = (this.constructor as typeof KmipCut).kmip;
    const where = parseKmipUrl(this.runner.endpoint);
    if ('problem' in where) throw new KmipSetupError(`--endpoint: ${where.problem}`);
    const { files, missing } = kmipFiles(this.extra);
    if (missing.length > 0) throw new KmipSetupError(`no TLS files: give ${missingFiles(missing)}`);
    const read = readKmipFiles(files);
    if ('problems' in read) throw new KmipSetupError(fileProblems(read.problems).join('; '));
    this.client = new KmipClient({
      tls: tlsOptions(where.host, where.port, read.pem, this.extra.servername),
      timeoutMs: this.runner.timeout * 1000,
      // One connection per operation in flight, made when first needed.
      connections: 4096,
    });
    if (spec.defaultKey !== undefined) {
      this.keyFile = loadKmipKeyFile(this.extra.file, process.cwd(), packageRoot);
      this.key = pickKmipKey(this.keyFile, this.extra.key ?? spec.defaultKey, spec.usage);
      this.uid = await this.findKey(this.key, 'private');
    }
  }

  /** The Unique Identifier of a key-file entry (or of its public key): its uid, else Locate by Name. */
  protected async findKey(entry: KmipKeyEntry, which: 'private' | 'public'): Promise<string> {
    if (which === 'private' && entry.uid !== undefined) return entry.uid;
    if (which === 'public' && entry.publicUid !== undefined) return entry.publicUid;
    if (entry.kmipName === undefined) throw new KmipSetupError(`key "${entry.name}": no publicUid for its public key`);
    const name = which === 'public' ? `${entry.kmipName}-public` : entry.kmipName;
    const found = await this.prepare(`Locate of the name ${name}`, () => this.client.locate(name));
    if (found.length === 0) {
      throw new KmipSetupError(
        `setup: key "${entry.name}": no object named ${name} on ${this.runner.endpoint}: create the key file's keys with pylogen kmip setup`,
      );
    }
    return found[0]!;
  }

  override async teardown(): Promise<void> {
    this.client?.close();
  }

  /** Runs a KMIP call that setup() needs; its failure fails the runner, saying what and where. */
  protected prepare<T>(what: string, call: () => Promise<T>): Promise<T> {
    return prepareCall(KmipSetupError, what, this.runner.endpoint, call);
  }

  /** The Cryptographic Parameters of Encrypt / Decrypt with an AES key (server-made IV). */
  protected cipherParams(entry: KmipKeyEntry = this.key): Item {
    const gcm = entry.mode === 'GCM';
    return cryptoParams({
      blockCipherMode: MODE_OF[entry.mode ?? 'GCM'],
      ...(gcm ? {} : { paddingMethod: PaddingMethod.PKCS5 }),
      cryptographicAlgorithm: CryptographicAlgorithm.AES,
      randomIv: true,
      ...(gcm ? { tagLength: 16 } : {}),
    });
  }

  /** The Cryptographic Parameters of Sign / SignatureVerify with an RSA key. */
  protected signParams(entry: KmipKeyEntry = this.key): Item {
    return cryptoParams({
      paddingMethod: PADDING_OF[entry.padding ?? 'PSS'],
      hashingAlgorithm: HASH_OF[entry.hash ?? 'SHA256'],
      cryptographicAlgorithm: CryptographicAlgorithm.RSA,
    });
  }

  /** The Cryptographic Parameters of MAC with an HMAC key. */
  protected macParams(entry: KmipKeyEntry = this.key): Item {
    return cryptoParams({ cryptographicAlgorithm: CryptographicAlgorithm[entry.type as 'HMAC_SHA256'] });
  }
}

/** The lengths check of the CUTs that send the payload: at most KMIP_MAX_DATA bytes. */
export function dataLengthProblems(plan: CutPlanView): string[] {
  const over = plan.lengths.filter((l) => l > KMIP_MAX_DATA);
  return over.length > 0 ? [`--lengths: a KMIP CUT sends at most ${KMIP_MAX_DATA} bytes per request, but --lengths has ${over.join(', ')}`] : [];
}
