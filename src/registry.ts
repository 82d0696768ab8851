/**
 * Every protocol pylogen speaks: one entry of MODULES per protocol folder (src/protocols/Protocol.ts
 * says what a protocol contributes; docs/protocols.md how to add one). A composition root: only the
 * entries import it (src/cli/main.ts, src/api/run.ts, src/runner/main.ts: .dependency-cruiser.cjs),
 * and hand what they load to src/protocols/seam.ts, which the pipeline asks. Each entry is a
 * function, so that a runner loads only its own line's protocol.ts (a Dummy runner: none).
 *
 * PYLOGEN_PROTOCOLS adds protocols from outside the package: JavaScript modules (paths separated by
 * the platform's path delimiter, relative to the working directory) that export `protocol`, a
 * Protocol. The tests register a loopback protocol written only in test/fixtures/ this way; the
 * runners inherit the variable, so a runner of its line loads it too.
 */
import { delimiter, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Protocol } from './protocols/Protocol.js';
import { useProtocols } from './protocols/seam.js';

/** The shipped protocols, in registry order (the order their hooks are asked in). */
const MODULES: Readonly<Record<string, () => Promise<Protocol>>> = {
  kms: async () => (await import('./kms/protocol.js')).kms,
  pkcs11: async () => (await import('./pkcs11/protocol.js')).pkcs11,
  kmip: async () => (await import('./kmip/protocol.js')).kmip,
  azure: async () => (await import('./azure/protocol.js')).azure,
  vault: async () => (await import('./vault/protocol.js')).vault,
  gcp: async () => (await import('./gcp/protocol.js')).gcp,
};

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

/** Every protocol, shipped then outside ones. */
export async function allProtocols(): Promise<readonly Protocol[]> {
  const shipped = await Promise.all(Object.values(MODULES).map((load) => load()));
  return [...shipped, ...(await outsideProtocols(process.env.PYLOGEN_PROTOCOLS))];
}

/** Loads every protocol and installs them (the main process's entries); resolves to them. */
export async function installProtocols(): Promise<readonly Protocol[]> {
  const list = await allProtocols();
  useProtocols(list);
  return list;
}

/** One protocol by name (a runner's line's: RunnerSpec.protocol), shipped or of PYLOGEN_PROTOCOLS. */
export async function loadProtocol(name: string): Promise<Protocol> {
  const shipped = Object.hasOwn(MODULES, name) ? MODULES[name] : undefined;
  if (shipped !== undefined) return shipped();
  const found = (await outsideProtocols(process.env.PYLOGEN_PROTOCOLS)).find((p) => p.name === name);
  if (found === undefined) throw new Error(`no protocol "${name}" (neither shipped nor in PYLOGEN_PROTOCOLS)`);
  return found;
}
