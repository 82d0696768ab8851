/**
 * The protocols this process speaks, as its entry installed them (docs/protocols.md "The seam"). The
 * pipeline (config, controller, cut, the runner) asks these functions and never imports a protocol
 * folder nor the registry: the composition roots (src/cli/main.ts, src/api/run.ts, src/runner/main.ts)
 * load the protocols from src/registry.ts and hand them here, so the folders import each other one
 * way only (test/house-rules.test.ts). A runner installs only its own line's protocol.
 */
import { declareSecretEnv } from '../core/redact.js';
import type { Protocol, TargetKind } from './Protocol.js';

let installed: readonly Protocol[] = [];

/** Installs the protocols of this process (the entry's job), their secret variables with them. */
export function useProtocols(list: readonly Protocol[]): void {
  installed = list;
  declareSecretEnv(list.flatMap((p) => p.secretEnv ?? []));
}

/** The installed protocols, in registry order. */
export function protocols(): readonly Protocol[] {
  return installed;
}

/** The protocol a CUT class belongs to, or undefined (Dummy, a user's own CUT). */
export function protocolOf(cls: unknown): Protocol | undefined {
  return installed.find((p) => p.owns(cls));
}

/** Every named throwaway target, with its protocol, in registry order. */
export function targetKinds(): { protocol: Protocol; kind: TargetKind }[] {
  return installed.flatMap((protocol) => (protocol.targets ?? []).map((kind) => ({ protocol, kind })));
}

/** The named --endpoint values (`local`, `softhsm`, ...) and what each serves. */
export function namedEndpoints(): Record<string, string> {
  return Object.fromEntries(targetKinds().map(({ kind }) => [kind.name, kind.describe]));
}

/** Every URL scheme an --endpoint may have (http, https, kmip, ...), each once. */
export function endpointSchemes(): string[] {
  return [...new Set(installed.flatMap((p) => p.schemes ?? []))];
}

/** Every --client value some protocol accepts, each once. */
export function clientChoices(): string[] {
  return [...new Set(installed.flatMap((p) => p.clients ?? []))];
}

/** The first protocol's answer to what type an error counts under, or undefined. */
export function protocolErrorType(err: unknown): string | undefined {
  for (const p of installed) {
    const type = p.errorType?.(err);
    if (type !== undefined) return type;
  }
  return undefined;
}
