/**
 * pkcs11js (PeculiarVentures/pkcs11js, a native addon over a PKCS#11 module), loaded on demand. It
 * is an optionalDependency: it compiles from source with g++, make and python3, and a machine that
 * cannot build it still installs and runs everything else. Nothing here imports it at load time (the
 * KMS runners import the same package index), and its types are declared here, for the calls pylogen
 * makes, so that pylogen builds without it too.
 */
import { createRequire } from 'node:module';
import { UsageError } from '../core/errors.js';

/** A slot, session or object handle (pkcs11js: a Buffer holding a CK_ULONG). */
export type Handle = Buffer;

export interface Attribute {
  type: number;
  value?: number | boolean | string | Buffer;
}

export interface Mechanism {
  mechanism: number;
  parameter?: Buffer | number | ({ type: number } & Record<string, unknown>);
}

export interface TokenInfo {
  label: string;
  flags: number;
  model: string;
  manufacturerID: string;
  serialNumber: string;
}

/** The calls of a pkcs11js PKCS11 instance that pylogen makes. */
export interface P11 {
  load(path: string): void;
  close(): void;
  C_Initialize(options?: { flags?: number }): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Handle[];
  C_GetTokenInfo(slot: Handle): TokenInfo;
  C_GetMechanismInfo(slot: Handle, mechanism: number): { minKeySize: number; maxKeySize: number; flags: number };
  C_InitToken(slot: Handle, soPin: string, label: string): string;
  C_OpenSession(slot: Handle, flags: number): Handle;
  C_CloseSession(session: Handle): void;
  C_Login(session: Handle, userType: number, pin?: string): void;
  C_Logout(session: Handle): void;
  C_InitPIN(session: Handle, pin?: string): void;
  C_FindObjectsInit(session: Handle, template: Attribute[]): void;
  C_FindObjects(session: Handle, maxObjectCount: number): Handle[];
  C_FindObjectsFinal(session: Handle): void;
  C_GetAttributeValue(session: Handle, object: Handle, template: Attribute[]): { type: number; value: Buffer }[];
  C_DestroyObject(session: Handle, object: Handle): void;
  C_GenerateKey(session: Handle, mechanism: Mechanism, template: Attribute[]): Handle;
  C_GenerateKeyPair(
    session: Handle,
    mechanism: Mechanism,
    publicTemplate: Attribute[],
    privateTemplate: Attribute[],
  ): { publicKey: Handle; privateKey: Handle };
  C_EncryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Encrypt(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  C_EncryptAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  C_DecryptInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Decrypt(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  C_DecryptAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  C_SignInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Sign(session: Handle, inData: Buffer, outData: Buffer): Buffer;
  C_SignAsync(session: Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  C_VerifyInit(session: Handle, mechanism: Mechanism, key: Handle): void;
  C_Verify(session: Handle, inData: Buffer, signature: Buffer): boolean;
  C_VerifyAsync(session: Handle, inData: Buffer, signature: Buffer): Promise<boolean>;
  C_WrapKey(session: Handle, mechanism: Mechanism, wrappingKey: Handle, key: Handle, wrappedKey: Buffer): Buffer;
  C_WrapKeyAsync(session: Handle, mechanism: Mechanism, wrappingKey: Handle, key: Handle, wrappedKey: Buffer): Promise<Buffer>;
  C_UnwrapKey(session: Handle, mechanism: Mechanism, unwrappingKey: Handle, wrappedKey: Buffer, template: Attribute[]): Handle;
  C_UnwrapKeyAsync(session: Handle, mechanism: Mechanism, unwrappingKey: Handle, wrappedKey: Buffer, template: Attribute[]): Promise<Handle>;
  C_GenerateRandom(session: Handle, buf: Buffer): Buffer;
}

/** The pkcs11js module: the PKCS11 class and the PKCS#11 constants (CKM_*, CKA_*, CKR_*, ...). */
export type P11Module = { PKCS11: new () => P11 } & Record<string, number>;

/** The one line a PKCS#11 command or CUT says when pkcs11js cannot be loaded. */
export const PKCS11JS_MISSING =
  'the PKCS#11 CUTs need the optional package pkcs11js, which is not installed or did not build: ' +
  "run `npm install pkcs11js` in pylogen's folder (it compiles a native addon: g++, make and python3 needed)";

let loaded: P11Module | undefined;

/** pkcs11js, or a UsageError saying in one line how to get it. */
export function loadPkcs11js(): P11Module {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createRequire(import.meta.url)('pkcs11js') as P11Module;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'MODULE_NOT_FOUND' ? PKCS11JS_MISSING : `${PKCS11JS_MISSING} (${(err as Error).message.split('\n')[0]})`);
  }
  return loaded;
}

/** The CKR_ name of a PKCS#11 error (pkcs11js's Pkcs11Error carries it as its message), else undefined. */
export function ckrName(err: unknown): string | undefined {
  const m = (err as { message?: unknown } | null)?.message;
  return typeof m === 'string' && /^CKR_[A-Z0-9_]+$/.test(m) ? m : undefined;
}
