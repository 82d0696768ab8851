/**
 * `pylogen azure serve`: the embedded Key Vault / Managed HSM server in the foreground, for runs of
 * other processes, tests and demos. It writes its throwaway CA to a file (--ca-file, default a new
 * temporary one), prints its URL on stdout (one line, for scripts) and how to use it on stderr, serves
 * until SIGINT or SIGTERM, then prints its counts and exits 0. It accepts any bearer token (clients
 * set PYLOGEN_AZURE_TOKEN to anything), as `kms serve` accepts any signature: keep it on loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode } from '../core/exitcodes.js';
import { packageRoot } from '../core/paths.js';
import { parseLatency } from '../command/kmsOptions.js';
import { optionsCommand, type CommandIO } from '../command/optionsCommand.js';
import { signalled } from '../command/signals.js';
import { AZURE_API_VERSION } from './apiVersion.js';
import { AZURE_TOKEN_ENV } from './client.js';
import { loadAzureKeyFile } from './keyfile.js';
import { AZURE_SERVE_OPTIONS } from './options.js';
import { startAzureServer, type AzureFlavour } from './server/server.js';

export interface AzureServeIO extends CommandIO {
  /** resolves when the server must stop (default: SIGINT or SIGTERM) */
  stopped?: Promise<unknown>;
}

export const azureServe = optionsCommand<AzureServeIO>('azure', 'serve', AZURE_SERVE_OPTIONS, async ({ v, cwd, out, err, io }) => {
  const latency = parseLatency(v.text('latency'));
  const file = loadAzureKeyFile(v.text('keys'), cwd, packageRoot);
  const flavour = v.text('flavour') as AzureFlavour;
  const stop = io.stopped ?? signalled();
  const throttleRps = v.maybeNum('throttle');
  const keys = [...file.entries.values()].filter((k) => flavour === 'managedhsm' || k.family !== 'oct');
  const server = await startAzureServer({
    host: v.text('host'),
    port: v.num('port'),
    flavour,
    keys,
    ...(latency.max > 0 ? { latencyMs: latency } : {}),
    ...(throttleRps !== undefined ? { throttleRps } : {}),
    errorRate: v.num('error-rate'),
  });
  const given = v.maybeText('ca-file');
  const dir = given === undefined ? mkdtempSync(join(tmpdir(), 'pylogen-azure-')) : undefined;
  const caFile = given === undefined ? join(dir!, 'ca.pem') : resolve(cwd, given);
  writeFileSync(caFile, server.ca);
  const since = performance.now();
  const name = flavour === 'managedhsm' ? 'Managed HSM' : 'Key Vault';
  err(`pylogen azure server (${name}, API version ${AZURE_API_VERSION}) listening on ${server.url} (${keys.length} keys from ${file.path})\n`);
  err(
    `pylogen azure server: its CA is ${caFile}: run clients with NODE_EXTRA_CA_CERTS=${caFile} ${AZURE_TOKEN_ENV}=any --endpoint ${server.url}; Ctrl-C stops it\n`,
  );
  out(`${server.url}\n`);
  await stop;
  const s = server.stats();
  await server.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  const seconds = (performance.now() - since) / 1000;
  const ops = Object.entries(s.ops)
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
  err(
    `pylogen azure server: stopped after ${seconds.toFixed(1)} s: ${s.requests} requests (${(s.requests / Math.max(seconds, 0.001)).toFixed(1)}/s; ${ops || 'no operation'}), ` +
      `${s.challenges} challenges, ${s.throttled} throttled, ${s.injectedErrors} injected errors\n`,
  );
  return ExitCode.ok;
});
