/**
 * `--endpoint pykmip`: a throwaway PyKMIP server for the duration of a run (src/kmip/pykmipServer.ts),
 * with the keys of every KMIP key file that the run's pykmip lines name (`--extra '{"file": ...}'`,
 * default KmipDefault.json) created and activated by setupKmipKeys, as `kmip setup` would. The
 * runners of those lines get its kmip:// URL as their endpoint and its throwaway client certificate
 * through the environment (PYLOGEN_KMIP_CA, _CERT, _KEY). Without PyKMIP installed: one line saying
 * which package to install, exit 2, nothing started.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { KmipClient } from './KmipClient.js';
import { PYKMIP_ENDPOINT } from './KmipCut.js';
import { DEFAULT_KMIP_KEY_FILE, loadKmipKeyFile, type KmipKeyEntry } from './keyfile.js';
import { checkPykmipInstalled, startPykmip } from './pykmipServer.js';
import { setupKmipKeys } from './setup.js';
import { KMIP_FILE_ENV } from './target.js';
import { packageRoot } from '../core/paths.js';
import type { RunPlan } from '../core/plan.js';

export interface PykmipEndpoint {
  url: string;
  /** what the runners of pykmip lines get in their environment */
  env: Record<string, string>;
  keys: number;
  pid: number | undefined;
  close(): Promise<void>;
  died(): string | undefined;
}

/** The keys of every key file a pykmip line names, each KMIP Name once. */
export function pykmipKeys(plan: RunPlan, cwd: string = process.cwd()): KmipKeyEntry[] {
  const byName = new Map<string, KmipKeyEntry>();
  const files = new Set<string>();
  for (const line of plan.lines) {
    if (line.options.endpoint !== PYKMIP_ENDPOINT) continue;
    const file = line.options.extra.file ?? DEFAULT_KMIP_KEY_FILE;
    if (typeof file !== 'string') throw new UsageError(`--extra: "file" must be the name of a key file, but is ${JSON.stringify(file)}`);
    const loaded = loadKmipKeyFile(file, cwd, packageRoot);
    if (files.has(loaded.path)) continue;
    files.add(loaded.path);
    for (const e of loaded.entries.values()) {
      if (e.kmipName === undefined) {
        throw new UsageError(`--endpoint ${PYKMIP_ENDPOINT}: key "${e.name}" of ${file} has a fixed uid, which a throwaway server cannot have: give it a name`);
      }
      const seen = byName.get(e.kmipName);
      if (seen !== undefined && (seen.type !== e.type || seen.length !== e.length)) {
        throw new UsageError(
          `--endpoint ${PYKMIP_ENDPOINT}: the name ${e.kmipName} is ${seen.type}-${seen.length} in one key file and ${e.type}-${e.length} in ${file}`,
        );
      }
      byName.set(e.kmipName, e);
    }
  }
  return [...byName.values()];
}

export async function startPykmipEndpoint(plan: RunPlan, log: (line: string) => void = () => {}, signal?: AbortSignal): Promise<PykmipEndpoint> {
  // Everything that can be wrong with the input, before anything starts.
  const entries = pykmipKeys(plan);
  const installed = checkPykmipInstalled();
  const server = await startPykmip(signal, installed);
  const client = new KmipClient({
    tls: {
      host: server.host,
      port: server.port,
      ca: readFileSync(server.files.ca),
      cert: readFileSync(server.files.cert),
      key: readFileSync(server.files.key),
    },
    timeoutMs: 60_000,
    connections: 1,
  });
  try {
    await setupKmipKeys(client, entries, log);
  } catch (err) {
    client.close();
    await server.close();
    throw new Error(`--endpoint ${PYKMIP_ENDPOINT}: creating the key file's keys failed: ${(err as Error).message}`);
  }
  client.close();
  return {
    url: server.url,
    env: { [KMIP_FILE_ENV.ca]: server.files.ca, [KMIP_FILE_ENV.cert]: server.files.cert, [KMIP_FILE_ENV.clientKey]: server.files.key },
    keys: entries.length,
    pid: server.pid,
    close: () => server.close(),
    died: () => server.died(),
  };
}
