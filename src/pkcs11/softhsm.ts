/**
 * `--endpoint softhsm`: a throwaway SoftHSM2 token for the duration of a run, as `--endpoint local`
 * is a throwaway KMS. A private token store under a temporary folder (a softhsm2.conf with
 * `directories.tokendir` there, given to the runners as SOFTHSM2_CONF; the user's own SoftHSM tokens
 * are never touched), a token per token label that the run's softhsm lines name (their key file's
 * "token", or --extra "token"), initialised with random SO and user PINs, and the key file's keys
 * created on it. The runners get SOFTHSM2_CONF and the user PIN as PKCS11_PIN; the folder is removed
 * at the end of the run, and when pylogen exits in any other way it can catch (an error, SIGINT).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeError, UsageError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';
import type { RunPlan } from '../core/plan.js';
import { loadPkcs11js } from './api.js';
import { DEFAULT_PKCS11_KEY_FILE, describePkcs11Key, loadPkcs11KeyFile, type Pkcs11KeyEntry } from './keyfile.js';
import { setupPkcs11Keys } from './setup.js';
import { openToken, trimLabel } from './Token.js';

/** The --endpoint value (src/config/options.ts lists it among the named endpoints). */
export const SOFTHSM_ENDPOINT = 'softhsm';

/** Where distributions install SoftHSM2's module (Debian/Ubuntu, multiarch, Fedora/RHEL, /usr/local, Homebrew). */
export const SOFTHSM_MODULES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so',
];

/** SoftHSM2's module: PYLOGEN_SOFTHSM_MODULE when set (an install elsewhere), else the first of SOFTHSM_MODULES that exists. */
export function softHsmModule(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env.PYLOGEN_SOFTHSM_MODULE;
  if (given !== undefined && given !== '') return existsSync(given) ? given : undefined;
  return SOFTHSM_MODULES.find((p) => existsSync(p));
}

export function softHsmMissing(env: NodeJS.ProcessEnv = process.env): string {
  const where = env.PYLOGEN_SOFTHSM_MODULE ? `no ${env.PYLOGEN_SOFTHSM_MODULE} (PYLOGEN_SOFTHSM_MODULE)` : 'no libsofthsm2.so where distributions put it';
  return `--endpoint softhsm: SoftHSM2 is not installed (${where}): install the package softhsm2 (apt-get install softhsm2; dnf install softhsm; brew install softhsm)`;
}

export interface SoftHsmEndpoint {
  /** the module the runners load */
  module: string;
  /** the private store (removed by close()) */
  dir: string;
  /** token labels initialised */
  tokens: string[];
  /** keys created, over all tokens */
  keys: number;
  /** what the softhsm lines' runners get in their environment: SOFTHSM2_CONF and PKCS11_PIN */
  env: Readonly<Record<string, string>>;
  /** Removes the token store; safe to call twice. */
  close(): void;
}

/**
 * The keys of the softhsm lines, by token label: each key file once, each key label once per token.
 * The same label in two files is one key when both say the same kind, and an error otherwise.
 */
export function softHsmTokens(plan: RunPlan, cwd: string = process.cwd()): Map<string, Pkcs11KeyEntry[]> {
  const tokens = new Map<string, Map<string, { entry: Pkcs11KeyEntry; file: string }>>();
  for (const line of plan.lines) {
    if (line.options.endpoint !== SOFTHSM_ENDPOINT) continue;
    const extra = line.options.extra;
    const fileName = extra.file ?? DEFAULT_PKCS11_KEY_FILE;
    if (typeof fileName !== 'string') throw new UsageError(`--extra: "file" must be the name of a key file, but is ${JSON.stringify(fileName)}`);
    const file = loadPkcs11KeyFile(fileName, cwd, packageRoot);
    const label = typeof extra.token === 'string' && extra.token !== '' ? extra.token : file.token;
    let keys = tokens.get(label);
    if (keys === undefined) tokens.set(label, (keys = new Map()));
    for (const entry of file.entries.values()) {
      const seen = keys.get(entry.label);
      if (seen === undefined) {
        keys.set(entry.label, { entry, file: file.path });
      } else if (describePkcs11Key(seen.entry) !== describePkcs11Key(entry) || seen.entry.usage !== entry.usage) {
        throw new UsageError(
          `--endpoint softhsm: label "${entry.label}" on token "${label}" is ${describePkcs11Key(seen.entry)} in ${seen.file} (key "${seen.entry.name}") ` +
            `but ${describePkcs11Key(entry)} in ${file.path} (key "${entry.name}")`,
        );
      }
    }
  }
  return new Map([...tokens].map(([label, keys]) => [label, [...keys.values()].map((k) => k.entry)]));
}

/** Directories to remove if pylogen exits before close() (an error, process.exit on SIGINT). */
const pending = new Set<string>();
let exitHook = false;
function removeOnExit(dir: string): void {
  pending.add(dir);
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const d of pending) rmSync(d, { recursive: true, force: true });
  });
}

/**
 * Initialises a token labelled `label` in the first free slot of the store, sets its user PIN, and
 * creates `entries` on it. In this process, with SOFTHSM2_CONF pointing at the private store only
 * while it works (SoftHSM reads it at C_Initialize), then finalised.
 */
async function initToken(
  module: string,
  conf: string,
  label: string,
  soPin: string,
  pin: string,
  entries: Pkcs11KeyEntry[],
  log: (l: string) => void,
): Promise<number> {
  const saved = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  try {
    const ck = loadPkcs11js();
    const p11 = new ck.PKCS11();
    p11.load(module);
    p11.C_Initialize();
    try {
      const free = p11.C_GetSlotList(true).find((s) => (p11.C_GetTokenInfo(s).flags & ck.CKF_TOKEN_INITIALIZED!) === 0);
      if (free === undefined) throw new Error('SoftHSM2 offers no free slot');
      // Token labels are 32 bytes padded with blanks (PKCS#11 2.40, CK_TOKEN_INFO).
      p11.C_InitToken(free, soPin, label.padEnd(32, ' '));
      const slot = p11.C_GetSlotList(true).find((s) => trimLabel(p11.C_GetTokenInfo(s).label) === label);
      if (slot === undefined) throw new Error(`the token "${label}" just initialised is not listed`);
      const s = p11.C_OpenSession(slot, ck.CKF_SERIAL_SESSION! | ck.CKF_RW_SESSION!);
      p11.C_Login(s, ck.CKU_SO!, soPin);
      p11.C_InitPIN(s, pin);
      p11.C_Logout(s);
      p11.C_CloseSession(s);
    } finally {
      p11.C_Finalize();
      p11.close();
    }
    const token = await openToken({ module, token: label, pin, readWrite: true });
    try {
      const done = await setupPkcs11Keys(token, entries, log);
      return done.created.length;
    } finally {
      token.close();
    }
  } finally {
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
  }
}

export async function startSoftHsm(plan: RunPlan, cwd: string = process.cwd(), log: (line: string) => void = () => undefined): Promise<SoftHsmEndpoint> {
  const tokens = softHsmTokens(plan, cwd);
  const module = softHsmModule();
  if (module === undefined) throw new UsageError(softHsmMissing());
  loadPkcs11js();
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-softhsm-'));
  removeOnExit(dir);
  const close = (): void => {
    rmSync(dir, { recursive: true, force: true });
    pending.delete(dir);
  };
  try {
    const conf = join(dir, 'softhsm2.conf');
    const store = join(dir, 'tokens');
    mkdirSync(store, { mode: 0o700 });
    // The file backend (Debian's build has no db backend); errors only in SoftHSM's own log.
    writeFileSync(conf, `directories.tokendir = ${store}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`, { mode: 0o600 });
    const pin = randomBytes(12).toString('hex');
    let keys = 0;
    for (const [label, entries] of tokens) {
      keys += await initToken(module, conf, label, randomBytes(12).toString('hex'), pin, entries, log);
    }
    return { module, dir, tokens: [...tokens.keys()], keys, env: { SOFTHSM2_CONF: conf, PKCS11_PIN: pin }, close };
  } catch (err) {
    close();
    if (err instanceof UsageError) throw err;
    throw new Error(`--endpoint softhsm: the throwaway token could not be made: ${describeError(err)}`);
  }
}
