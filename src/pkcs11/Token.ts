/**
 * One PKCS#11 token opened by one process: the module loaded, C_Initialize done, the slot found by
 * its token label (slot ids are not stable: SoftHSM gives a fresh random one to each new token), the
 * user logged in, and a pool of sessions, one per operation in flight (a PKCS#11 session runs one
 * operation at a time; a synchronous call holds it only for the call itself, so a runner of
 * synchronous calls uses one session whatever its --concurrency), beside the session of the login.
 *
 * Start-up race: SoftHSM2 answers CKR_GENERAL_ERROR, or lists no token of that label, when several
 * processes call C_Initialize / C_GetTokenInfo at the same instant (SoftHSM issues #757, #688;
 * measured here: 9 failures in 60 starts of 4 processes). Each attempt that fails that way is undone
 * with C_Finalize, followed by a random 20-70 ms wait and a new attempt (0 failures in 60); after
 * ATTEMPTS, the error says what failed. CKR_CRYPTOKI_ALREADY_INITIALIZED counts as success (another
 * part of the same process initialised the module). A wrong PIN is never retried: tokens lock a
 * user after a few wrong PINs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ckrName, loadPkcs11js, type Handle, type P11, type P11Module } from './api.js';

export interface TokenOptions {
  /** the PKCS#11 module (shared library) */
  module: string;
  /** the token label */
  token: string;
  /** the user PIN (from PKCS11_PIN); never shown anywhere */
  pin: string;
  /** read-write sessions (creating keys), else read-only */
  readWrite?: boolean;
  /** attempts at start-up before giving up (default ATTEMPTS) */
  attempts?: number;
}

/** Attempts at opening the token: 8 attempts with 20-70 ms between them is about 0.3 s at worst. */
export const ATTEMPTS = 8;

/** A token's start-up failed for a reason worth retrying (the race), and the reason. */
class Retryable extends Error {
  override name = 'Retryable';
}

/** Opening the token failed: the message names the module, the token and what went wrong, never the PIN. */
export class Pkcs11OpenError extends Error {
  override name = 'Pkcs11OpenError';
}

/** Return values worth another attempt after C_Finalize (the start-up race), not a wrong PIN. */
const RETRYABLE = new Set([
  'CKR_GENERAL_ERROR',
  'CKR_FUNCTION_FAILED',
  'CKR_DEVICE_ERROR',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_SLOT_ID_INVALID',
]);

/** A token label as PKCS#11 returns it (32 bytes padded with blanks, some modules with NULs), trimmed. */
export function trimLabel(label: string): string {
  return label.replace(/[\s\0]+$/, '');
}

const errText = (err: unknown): string => ckrName(err) ?? (err instanceof Error ? err.message.split('\n')[0]! : String(err));

export class Pkcs11Token {
  private readonly free: Handle[] = [];
  private readonly sessions: Handle[] = [];
  private closed = false;

  constructor(
    readonly ck: P11Module,
    readonly p11: P11,
    readonly slot: Handle,
    readonly options: Readonly<TokenOptions>,
    /** the session the user logged in on: kept open, never used for operations (closing every session logs the user out) */
    readonly anchor: Handle,
  ) {}

  /** A session for one operation: a free one, else a new one (the user is logged in for all of them). */
  acquire(): Handle {
    return this.free.pop() ?? this.openSession();
  }

  /** Gives back a session that acquire() gave, once its operation is over. */
  release(session: Handle): void {
    this.free.push(session);
  }

  /**
   * Closes a session whose operation failed instead of giving it back: a module may leave the
   * operation active after an error (SoftHSM2 does after CKR_ARGUMENTS_BAD), and every later
   * C_xInit on that session would fail with CKR_OPERATION_ACTIVE.
   */
  discard(session: Handle): void {
    const i = this.sessions.indexOf(session);
    if (i >= 0) this.sessions.splice(i, 1);
    try {
      this.p11.C_CloseSession(session);
    } catch {
      /* it is gone either way */
    }
  }

  /** Sessions opened so far (one per operation that was in flight at once). */
  get sessionCount(): number {
    return this.sessions.length;
  }

  openSession(): Handle {
    const ck = this.ck;
    const s = this.p11.C_OpenSession(this.slot, ck.CKF_SERIAL_SESSION! | (this.options.readWrite === true ? ck.CKF_RW_SESSION! : 0));
    this.sessions.push(s);
    return s;
  }

  /** Closes every session and finalises the module; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.sessions, this.anchor]) {
      try {
        this.p11.C_CloseSession(s);
      } catch {
        /* closing anyway */
      }
    }
    try {
      this.p11.C_Finalize();
    } catch {
      /* closing anyway */
    }
    try {
      this.p11.close();
    } catch {
      /* closing anyway */
    }
  }
}

/** The labels of the tokens a module shows, for a message. */
function tokenLabels(p11: P11): string[] {
  return p11.C_GetSlotList(true).map((s) => `"${trimLabel(p11.C_GetTokenInfo(s).label)}"`);
}

function findSlot(p11: P11, token: string): Handle {
  for (const slot of p11.C_GetSlotList(true)) {
    if (trimLabel(p11.C_GetTokenInfo(slot).label) === token) return slot;
  }
  const labels = tokenLabels(p11);
  throw new Retryable(`no token labelled "${token}" (the module shows ${labels.length === 0 ? 'no token' : labels.join(', ')})`);
}

function attempt(ck: P11Module, p11: P11, o: TokenOptions): { slot: Handle; session: Handle } {
  try {
    // CKF_OS_LOCKING_OK: the asynchronous calls reach the module from libuv's threads at once.
    p11.C_Initialize({ flags: ck.CKF_OS_LOCKING_OK! });
  } catch (err) {
    if (ckrName(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') throw err;
  }
  const slot = findSlot(p11, o.token);
  const session = p11.C_OpenSession(slot, ck.CKF_SERIAL_SESSION! | (o.readWrite === true ? ck.CKF_RW_SESSION! : 0));
  try {
    p11.C_Login(session, ck.CKU_USER!, o.pin);
  } catch (err) {
    const name = ckrName(err);
    if (name !== 'CKR_USER_ALREADY_LOGGED_IN') {
      try {
        p11.C_CloseSession(session);
      } catch {
        /* the login error is the one to report */
      }
      if (name === 'CKR_PIN_INCORRECT' || name === 'CKR_PIN_LEN_RANGE')
        throw new Pkcs11OpenError(`C_Login: ${name}: the PIN in PKCS11_PIN is not the token's user PIN`);
      if (name === 'CKR_PIN_LOCKED') {
        throw new Pkcs11OpenError(
          `C_Login: ${name}: the token has locked its user PIN (too many wrong PINs): no login works until its security officer unlocks it (C_InitPIN, e.g. softhsm2-util or the HSM's own tool)`,
        );
      }
      throw err;
    }
  }
  return { slot, session };
}

/**
 * Loads the module, initialises it, finds the token and logs in, retrying the start-up race (see the
 * file's comment); a Pkcs11OpenError with what failed otherwise.
 */
export async function openToken(o: TokenOptions): Promise<Pkcs11Token> {
  const ck = loadPkcs11js();
  const where = `PKCS#11 token "${o.token}" of ${o.module}`;
  const p11 = new ck.PKCS11();
  try {
    p11.load(o.module);
  } catch (err) {
    throw new Pkcs11OpenError(`${where}: the module cannot be loaded: ${errText(err)}`);
  }
  const attempts = o.attempts ?? ATTEMPTS;
  for (let i = 1; ; i++) {
    try {
      const { slot, session } = attempt(ck, p11, o);
      return new Pkcs11Token(ck, p11, slot, o, session);
    } catch (err) {
      const retry = err instanceof Retryable || RETRYABLE.has(ckrName(err) ?? '');
      if (!retry || i >= attempts) {
        try {
          p11.C_Finalize();
        } catch {
          /* reporting the error that matters */
        }
        const tries = retry ? ` (after ${i} attempts)` : '';
        throw new Pkcs11OpenError(`${where}: ${err instanceof Pkcs11OpenError ? err.message : errText(err)}${tries}`);
      }
      try {
        p11.C_Finalize();
      } catch {
        /* the next C_Initialize decides */
      }
      await sleep(20 + Math.random() * 50);
    }
  }
}
