/**
 * Every protocol pylogen speaks: one import and one entry of PROTOCOLS per protocol folder
 * (src/protocols/Protocol.ts says what a protocol contributes; docs/protocols.md how to add one).
 * The pipeline (controller, config, cut, the command line) asks these functions, never a protocol
 * folder. Loaded by every runner (errorType): the protocol.ts files it imports stay light.
 *
 * PYLOGEN_PROTOCOLS adds protocols from outside the package: JavaScript modules (paths separated by
 * the platform's path delimiter, relative to the working directory) that export `protocol`, a
 * Protocol. The tests register a loopback protocol written only in test/fixtures/ this way; the
 * runners inherit the variable, so its errorType hook counts their errors too.
 */
import { delimiter, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { azure } from '../azure/protocol.js';
import { gcp } from '../gcp/protocol.js';
import { kmip } from '../kmip/protocol.js';
import { kms } from '../kms/protocol.js';
import { pkcs11 } from '../pkcs11/protocol.js';
import { vault } from '../vault/protocol.js';
import type { Protocol, TargetKind } from './Protocol.js';

/** The protocols of PYLOGEN_PROTOCOLS (see above); a module without a `protocol` export is an error. */
async function outsideProtocols(list: string | undefined): Promise<Protocol[]> {
  const paths = (list ?? '').split(delimiter).filter((p) => p !== '');
  return Promise.all(
    paths.map(async (path) => {
      const m = (await import(pathToFileURL(resolve(path)).href)) as { protocol?: Protocol };
      if (typeof m.protocol?.name !== 'string' || typeof m.protocol.owns !== 'function')
        throw new Error(`PYLOGEN_PROTOCOLS: ${path} exports no \`protocol\` (a Protocol with a name and owns())`);
      return m.protocol;
    }),
  );
}

export const PROTOCOLS: readonly Protocol[] = [kms, pkcs11, kmip, azure, vault, gcp, ...(await outsideProtocols(process.env.PYLOGEN_PROTOCOLS))];

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
