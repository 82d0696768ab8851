/**
 * `pylogen gcp serve`: the embedded Cloud KMS server in the foreground, its two URLs (gRPC, REST) on
 * stdout, messages on stderr; it serves until SIGINT or SIGTERM, then prints its counts and exits 0.
 */
import { packageRoot } from '../core/paths.js';
import { loadGcpKeyFile } from './keyfile.js';
import { parseKmsOptions } from '../command/kmsOptions.js';
import { signalled, takeSignals } from '../command/signals.js';
import { GCP_SERVE_OPTIONS } from './options.js';
import { startGcpServer } from './server/server.js';

export interface GcpServeIO {
  stdout?: (t: string) => void;
  stderr?: (t: string) => void;
  /** resolves when the server must stop (default: SIGINT or SIGTERM) */
  stopped?: Promise<unknown>;
}

export async function gcpServe(positionals: readonly string[], raw: Readonly<Record<string, string>>, cwd: string, io: GcpServeIO = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const v = parseKmsOptions('serve', positionals, raw, GCP_SERVE_OPTIONS, 'gcp');
  const keyFile = loadGcpKeyFile(v.text('keys'), cwd, packageRoot);
  if (io.stopped === undefined) takeSignals();
  const stop = io.stopped ?? signalled();
  const server = await startGcpServer({
    host: v.text('host'),
    grpcPort: v.num('grpc-port'),
    restPort: v.num('rest-port'),
    keyFiles: [keyFile],
    latencyMs: v.num('latency'),
    ...(v.maybeNum('throttle') !== undefined ? { throttleRps: v.num('throttle') } : {}),
    errorRate: v.num('error-rate'),
    badCrc: v.num('bad-crc'),
  });
  const since = performance.now();
  err(
    `pylogen gcp server: gRPC on ${server.grpcUrl}, REST on ${server.restUrl} (${keyFile.entries.size} keys of ${keyFile.path}, key ring ${keyFile.keyRing})\n`,
  );
  err(
    `pylogen gcp server: use --endpoint ${server.grpcUrl} --client grpc, or --endpoint ${server.restUrl} --client rest (no credentials needed); Ctrl-C stops it\n`,
  );
  out(`grpc ${server.grpcUrl}\nrest ${server.restUrl}\n`);
  await stop;
  const { calls, errors } = server.counts();
  await server.close();
  const total = Object.values(calls).reduce((a, b) => a + b, 0);
  const failed = Object.entries(errors)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  err(`pylogen gcp server: stopped after ${((performance.now() - since) / 1000).toFixed(1)} s: ${total} calls${failed === '' ? '' : ` (${failed})`}\n`);
  return 0;
}
