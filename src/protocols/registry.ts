/**
 * Every protocol pylogen speaks: one import and one entry of PROTOCOLS per protocol folder
 * (src/protocols/Protocol.ts says what a protocol contributes; docs/protocols.md how to add one).
 * The pipeline (controller, config, cut, the command line) asks these functions, never a protocol
 * folder. Loaded by every runner (errorType): the protocol.ts files it imports stay light.
 */
import { gcp } from '../gcp/protocol.js';
import { kmip } from '../kmip/protocol.js';
import { kms } from '../kms/protocol.js';
import { pkcs11 } from '../pkcs11/protocol.js';
import type { Protocol, TargetKind } from './Protocol.js';

export const PROTOCOLS: readonly Protocol[] = [kms, pkcs11, kmip, gcp];

/** The protocol a CUT class belongs to, or undefined (Dummy, a user's own CUT). */
export function protocolOf(cls: unknown): Protocol | undefined {
  return PROTOCOLS.find((p) => p.owns(cls));
}

/** Every named throwaway target, with its protocol, in registry order. */
export function targetKinds(): { protocol: Protocol; kind: TargetKind }[] {
  return PROTOCOLS.flatMap((protocol) => (protocol.targets ?? []).map((kind) => ({ protocol, kind })));
}

/** The named --endpoint values (`local`, `softhsm`, ...) and what each serves. */
export function namedEndpoints(): Record<string, string> {
  return Object.fromEntries(targetKinds().map(({ kind }) => [kind.name, kind.describe]));
}

/** Every URL scheme an --endpoint may have (http, https, kmip, ...), each once. */
export function endpointSchemes(): string[] {
  return [...new Set(PROTOCOLS.flatMap((p) => p.schemes ?? []))];
}

/** Every --client value some protocol accepts, each once. */
export function clientChoices(): string[] {
  return [...new Set(PROTOCOLS.flatMap((p) => p.clients ?? []))];
}

/** The first protocol's answer to what type an error counts under, or undefined. */
export function protocolErrorType(err: unknown): string | undefined {
  for (const p of PROTOCOLS) {
    const type = p.errorType?.(err);
    if (type !== undefined) return type;
  }
  return undefined;
}
