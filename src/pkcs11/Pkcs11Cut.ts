/**
 * The base class of the PKCS#11 CUTs (cuts/Pkcs11*.ts), and of a user's own, as KmsCut is for KMS.
 * It gives a CUT one opened token per runner (module loaded, token found by label, user logged in
 * with PKCS11_PIN, the start-up race retried), the key of the key file that
 * `--extra '{"file":"Pkcs11Default.json","key":"ecc256"}'` names, and the calls of one operation on
 * a session of its own. Its static validate() checks everything it can before a runner is forked:
 * pkcs11js present, --extra, the key file, the key's kind, the module file, PKCS11_PIN set.
 *
 * Calls are synchronous by default: with SoftHSM2 a synchronous C_Sign is ~3x the asynchronous one
 * with one in flight (ECDSA P-256: 25.8k/s vs 9.1k/s; the async calls go through libuv's pool). With
 * `--extra '{"async": true}'` the *Async calls run on libuv's pool, one session per operation in
 * flight: for a network HSM, where a call waits rather than computes, with --concurrency N.
 */
import { existsSync } from 'node:fs';
import { ClassUnderTest, type CutPlanView } from '../cut/ClassUnderTest.js';
import { describeError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';
import { article, pickEntry, setupErrorClass, validateKeyed, type ExtraKeys } from '../cut/KeyedCut.js';
import { loadPkcs11js, PKCS11JS_MISSING, type Handle, type Mechanism, type P11, type P11Module } from './api.js';
import {
  DEFAULT_PKCS11_KEY_FILE,
  describePkcs11Key,
  loadPkcs11KeyFile,
  type Pkcs11KeyEntry,
  type Pkcs11KeyFile,
  type Pkcs11KeyType,
  type Pkcs11Usage,
} from './keyfile.js';
import { findKey, type KeyHandles } from './keys.js';
import { softHsmModule, SOFTHSM_ENDPOINT } from './softhsm.js';
import { openToken, type Pkcs11Token } from './Token.js';

/** The --extra members every PKCS#11 CUT takes. */
export interface Pkcs11Extra {
  /** the key file: as given, then ./profiles, then the package's profiles/ (default Pkcs11Default.json) */
  file?: string;
  /** the name of an entry of the key file (default: the CUT's own) */
  key?: string;
  /** the PKCS#11 module path, instead of the key file's */
  module?: string;
  /** the token label, instead of the key file's */
  token?: string;
  /** asynchronous calls on libuv's pool, one session per operation in flight (default false) */
  async?: boolean;
}

/** What a PKCS#11 CUT declares about itself, as `static override readonly pkcs11`. */
export interface Pkcs11CutSpec {
  /** the entry used when --extra names no key; absent: the CUT uses no key */
  defaultKey?: string;
  /** what its key must be for */
  usages?: readonly Pkcs11Usage[];
  /** the key types it works with (default: any with that usage) */
  types?: readonly Pkcs11KeyType[];
  /** its --extra members beyond the common ones, each with one line: what it is, its default */
  extras?: ExtraKeys;
  /** whether it has an asynchronous path (C_GenerateRandom has none) */
  noAsync?: boolean;
  /** its own checks (lengths, extras), given its key: problems, one line each */
  check?(plan: CutPlanView, key: Pkcs11KeyEntry | undefined, file: Pkcs11KeyFile): string[];
}

/** The --extra keys every PKCS#11 CUT takes ("key" only when it uses a key). */
export const PKCS11_EXTRAS: ExtraKeys = {
  file: "the key file: as given, then ./profiles, then the package's profiles/ (default Pkcs11Default.json)",
  key: "an entry of the key file (default: the CUT's own)",
  module: "the PKCS#11 module path (default: the key file's; --endpoint softhsm: SoftHSM2's)",
  token: "the token label (default: the key file's)",
  async: "true: asynchronous calls on libuv's pool, one session per operation in flight (default false)",
};

/** The key file named by --extra (or the default), from the working directory's point of view. */
export function openPkcs11KeyFile(file: string | undefined): Pkcs11KeyFile {
  return loadPkcs11KeyFile(file ?? DEFAULT_PKCS11_KEY_FILE, process.cwd(), packageRoot);
}

/** The entry `name`, checked against what the CUT needs of it; a UsageError naming the file and key otherwise. */
export function pickPkcs11Key(file: Pkcs11KeyFile, name: string, needs: Pick<Pkcs11CutSpec, 'usages' | 'types'>): Pkcs11KeyEntry {
  return pickEntry(file, name, (entry) => {
    const usageOk = needs.usages === undefined || needs.usages.includes(entry.usage);
    const typeOk = needs.types === undefined || needs.types.includes(entry.type);
    if (usageOk && typeOk) return undefined;
    const kind = `${needs.types?.join(' or ') ?? ''} ${needs.usages?.join(' or ') ?? ''}`.trim();
    return `is ${describePkcs11Key(entry)}, but this CUT needs ${article(kind)} ${kind} key`;
  });
}

/** The module a line uses: SoftHSM2's with --endpoint softhsm, else --extra "module", else the key file's. */
export function moduleOf(extra: Pkcs11Extra, file: Pkcs11KeyFile, endpoint: string): string {
  if (endpoint === SOFTHSM_ENDPOINT) return softHsmModule() ?? file.module;
  return extra.module ?? file.module;
}

/** A PKCS#11 call that setup() needs failed: the runner cannot prepare, and says what and where. */
export const Pkcs11SetupError = setupErrorClass('Pkcs11SetupError');

type OneShot = 'Sign' | 'Verify' | 'Encrypt' | 'Decrypt';
/** Method names per one-shot operation, built once (no string concatenation per call). */
const CALLS: Record<OneShot, { init: keyof P11; call: keyof P11; async: keyof P11 }> = {
  Sign: { init: 'C_SignInit', call: 'C_Sign', async: 'C_SignAsync' },
  Verify: { init: 'C_VerifyInit', call: 'C_Verify', async: 'C_VerifyAsync' },
  Encrypt: { init: 'C_EncryptInit', call: 'C_Encrypt', async: 'C_EncryptAsync' },
  Decrypt: { init: 'C_DecryptInit', call: 'C_Decrypt', async: 'C_DecryptAsync' },
};
type AnyCall = (...args: unknown[]) => unknown;

export abstract class Pkcs11Cut<Extra extends Pkcs11Extra = Pkcs11Extra, Context extends object = Record<string, unknown>> extends ClassUnderTest<
  Extra,
  Context
> {
  /** What this CUT needs: override in each subclass. */
  static readonly pkcs11: Pkcs11CutSpec = {};
  /** The --extra keys: the common ones ("key" when the CUT uses a key), then its own (`pkcs11.extras`). */
  static override get extraKeys(): ExtraKeys {
    const { key, ...common } = PKCS11_EXTRAS;
    return { ...common, ...(this.pkcs11.defaultKey !== undefined ? { key: key! } : {}), ...this.pkcs11.extras };
  }

  /** This runner's token: module, session pool, the PKCS#11 constants (token.ck). */
  token!: Pkcs11Token;
  /** pkcs11js's constants (CKM_*, CKA_*, ...) */
  ck!: P11Module;
  keyFile!: Pkcs11KeyFile;
  /** the key file entry this CUT uses (undefined for a CUT that uses no key) */
  key!: Pkcs11KeyEntry;
  /** its handles on the token */
  handles!: KeyHandles;
  /** whether calls go through pkcs11js's *Async functions */
  async = false;

  /** Checks pkcs11js, --extra, the key file and the key, the module, the PIN, then the CUT's own limits. */
  static override validate(plan: CutPlanView): string[] {
    const spec = this.pkcs11;
    const extra = plan.extra as Pkcs11Extra;
    let file: Pkcs11KeyFile;
    return validateKeyed(plan, {
      declared: this.extraKeys,
      strings: ['file', 'key', 'module', 'token'],
      basics: () => {
        const problems: string[] = [];
        if (extra.async !== undefined && typeof extra.async !== 'boolean')
          problems.push(`--extra: "async" must be true or false, but is ${JSON.stringify(extra.async)}`);
        if (extra.async === true && spec.noAsync === true)
          problems.push('--extra: "async": this CUT has no asynchronous call (C_GenerateRandom is synchronous only)');
        if (plan.endpoint !== '' && plan.endpoint !== SOFTHSM_ENDPOINT) {
          problems.push(
            `--endpoint: a PKCS#11 CUT talks to the module of its key file (or to a throwaway token with --endpoint softhsm), not to "${plan.endpoint}"`,
          );
        }
        return problems;
      },
      key: () => {
        try {
          loadPkcs11js();
        } catch {
          throw new Error(PKCS11JS_MISSING);
        }
        file = openPkcs11KeyFile(extra.file);
        return spec.defaultKey !== undefined ? pickPkcs11Key(file, extra.key ?? spec.defaultKey, spec) : undefined;
      },
      withKey: (key) => {
        const problems: string[] = [];
        if (plan.endpoint !== SOFTHSM_ENDPOINT) {
          const module = moduleOf(extra, file, plan.endpoint);
          if (!existsSync(module)) {
            const from = extra.module !== undefined ? '--extra "module"' : `the "module" of ${file.label}`;
            problems.push(
              `PKCS#11 module "${module}" (${from}) does not exist: give the path of your HSM's PKCS#11 library, or run against a throwaway SoftHSM2 token with --endpoint softhsm`,
            );
          }
          if ((process.env.PKCS11_PIN ?? '') === '') {
            problems.push(`PKCS11_PIN is not set: export the user PIN of token "${extra.token ?? file.token}" in PKCS11_PIN (it is never shown)`);
          }
        }
        if (spec.check !== undefined) problems.push(...spec.check(plan, key, file));
        return problems;
      },
    });
  }

  /** Opens the token, finds the key. A subclass that prepares more calls super.setup() first. */
  override async setup(): Promise<void> {
    const spec = (this.constructor as typeof Pkcs11Cut).pkcs11;
    this.keyFile = openPkcs11KeyFile(this.extra.file);
    if (spec.defaultKey !== undefined) this.key = pickPkcs11Key(this.keyFile, this.extra.key ?? spec.defaultKey, spec);
    this.async = this.extra.async === true;
    const module = moduleOf(this.extra, this.keyFile, this.runner.endpoint);
    const token = this.extra.token ?? this.keyFile.token;
    try {
      this.token = await openToken({ module, token, pin: process.env.PKCS11_PIN ?? '' });
    } catch (err) {
      throw new Pkcs11SetupError(`setup: ${(err as Error).message}`);
    }
    this.ck = this.token.ck;
    if (this.key !== undefined) {
      const found = this.prepare('finding the key', (s) => findKey(this.token, s, this.key));
      if (found === undefined) {
        throw new Pkcs11SetupError(
          `setup: key "${this.key.name}" (label "${this.key.label}") is not on token "${token}": create it with \`pylogen pkcs11 setup --module ${module} --token ${token}${this.extra.file !== undefined ? ` --keys ${this.extra.file}` : ''}\``,
        );
      }
      this.handles = found;
    }
  }

  override async teardown(): Promise<void> {
    this.token?.close();
  }

  /**
   * Runs PKCS#11 calls that setup() needs, on the token's login session (which lives as long as the
   * runner: session objects made there, like Pkcs11Wrap's keys to wrap, last as long); a failure
   * fails the runner, saying what and where.
   */
  protected prepare<T>(what: string, fn: (session: Handle) => T): T {
    try {
      return fn(this.token.anchor);
    } catch (err) {
      const withKey = this.key === undefined ? '' : ` (key "${this.key.name}", label "${this.key.label}")`;
      throw new Pkcs11SetupError(`setup: ${what}${withKey} on token "${this.token.options.token}" failed: ${describeError(err)}`);
    }
  }

  /**
   * One single-part operation (C_xInit then C_x) on a session of its own: synchronous (the result)
   * or asynchronous (a promise) as the CUT runs. `out` receives the output (ignored by Verify, which
   * takes the signature there and answers a boolean). A session whose call failed is closed, not
   * reused (Pkcs11Token.discard).
   */
  protected oneShot(kind: OneShot, mechanism: Mechanism, key: Handle, data: Buffer, out: Buffer): Buffer | boolean | Promise<Buffer | boolean> {
    const token = this.token;
    const p11 = token.p11;
    const c = CALLS[kind];
    const s = token.acquire();
    try {
      (p11[c.init] as AnyCall).call(p11, s, mechanism, key);
    } catch (err) {
      token.release(s);
      throw err;
    }
    return this.onSession<Buffer | boolean>(s, (this.async ? p11[c.async] : p11[c.call]) as AnyCall, [s, data, out]);
  }

  /** C_WrapKey of `key` with `wrappingKey`, on a session of its own. */
  protected wrapKey(mechanism: Mechanism, wrappingKey: Handle, key: Handle, out: Buffer): Buffer | Promise<Buffer> {
    const token = this.token;
    const s = token.acquire();
    return this.onSession<Buffer>(s, (this.async ? token.p11.C_WrapKeyAsync : token.p11.C_WrapKey) as AnyCall, [s, mechanism, wrappingKey, key, out]);
  }

  /**
   * Calls a PKCS#11 function on session s (the first of args), synchronously or not as the CUT runs:
   * the session is released after a success and closed after a failure (Pkcs11Token.discard).
   */
  private onSession<T>(s: Handle, call: AnyCall, args: unknown[]): T | Promise<T> {
    const token = this.token;
    let r: T | Promise<T>;
    try {
      r = call.apply(token.p11, args) as T | Promise<T>;
    } catch (err) {
      token.discard(s);
      throw err;
    }
    if (!this.async) {
      token.release(s);
      return r;
    }
    return (r as Promise<T>).then(
      (v) => {
        token.release(s);
        return v;
      },
      (err: unknown) => {
        token.discard(s);
        throw err;
      },
    );
  }
}
