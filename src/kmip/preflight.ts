/**
 * The kmip protocol's preflight (src/kmip/protocol.ts), in the main process before any runner is
 * forked: for each line, the TLS handshake with the client certificate its runners will use (the
 * throwaway server's for `--endpoint pykmip`), then its key found as a runner finds it (its uid, else
 * Locate by Name) and its State read (GetAttributes: Active). Not a Get: that would bring the key's
 * material into the main process for nothing. A failure names the endpoint, the call and the cause.
 */
import type { PreflightLine, PreflightOutcome } from '../protocols/Protocol.js';
import { describeError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';
import { errorType } from '../cut/errorType.js';
import { KmipClient } from './KmipClient.js';
import { pickKmipKey, type KmipCutSpec, type KmipExtra } from './KmipCut.js';
import { loadKmipKeyFile } from './keyfile.js';
import { fileProblems, kmipFiles, missingFiles, parseKmipUrl, readKmipFiles, tlsOptions } from './target.js';

/** KMIP State 2: Active (KMIP 1.x, 3.22). */
const ACTIVE = 2;

async function preflightLine(l: PreflightLine): Promise<PreflightOutcome> {
  const spec = (l.cls as { kmip: KmipCutSpec }).kmip;
  const extra = l.line.options.extra as KmipExtra;
  const where = parseKmipUrl(l.endpoint);
  if ('problem' in where) return { ok: false, cause: `--endpoint: ${where.problem}` };
  const { files, missing } = kmipFiles(extra, { ...process.env, ...l.env });
  if (missing.length > 0) return { ok: false, cause: `no TLS files: give ${missingFiles(missing)}` };
  const read = readKmipFiles(files);
  if ('problems' in read) return { ok: false, cause: fileProblems(read.problems).join('; ') };
  const client = new KmipClient({
    tls: tlsOptions(where.host, where.port, read.pem, extra.servername),
    timeoutMs: l.line.options.timeout * 1000,
    connections: 1,
  });
  let step = 'the TLS handshake';
  try {
    if (spec.defaultKey === undefined) {
      step = 'Locate';
      await client.locate('pylogen-preflight');
      return { ok: true, detail: `preflight kmip: TLS handshake with ${l.endpoint} ok` };
    }
    const entry = pickKmipKey(loadKmipKeyFile(extra.file, process.cwd(), packageRoot), extra.key ?? spec.defaultKey, spec.usage);
    let uid = entry.uid;
    if (uid === undefined) {
      step = `Locate of the name ${entry.kmipName}`;
      uid = (await client.locate(entry.kmipName!))[0];
      if (uid === undefined)
        return {
          ok: false,
          cause: `key "${entry.name}": no object named ${entry.kmipName} on ${l.endpoint}: create the key file's keys with pylogen kmip setup`,
        };
    }
    step = `GetAttributes (State) of ${uid}`;
    const state = await client.state(uid);
    if (state !== ACTIVE)
      return {
        ok: false,
        cause: `key "${entry.name}" (${uid}) on ${l.endpoint} is not Active (State ${state ?? 'absent'}): activate it (pylogen kmip setup activates the keys it creates)`,
      };
    return { ok: true, detail: `preflight kmip: TLS handshake with ${l.endpoint} ok, key "${entry.name}" (${uid}) Active` };
  } catch (err) {
    return { ok: false, cause: `${step} with ${l.endpoint} failed: ${errorType(err)}: ${describeError(err)}` };
  } finally {
    client.close();
  }
}

export async function preflightKmipLines(lines: readonly PreflightLine[]): Promise<PreflightOutcome[]> {
  return Promise.all(lines.map(preflightLine));
}
