/**
 * KMIP as a protocol of pylogen (src/protocols/Protocol.ts): the KMIP CUTs (they extend KmipCut: the
 * static `kmip` spec), kmip:// endpoints and a throwaway PyKMIP server as `--endpoint pykmip`.
 * Light: the client and the server are loaded when used.
 */
import type { Protocol } from '../protocols/Protocol.js';
import { kmipSetupCommand } from './setupCommand.js';

export const kmip: Protocol = {
  name: 'kmip',
  describe: 'KMIP 1.x over TLS: a KMIP server, or a throwaway PyKMIP server',
  owns: (cls) => {
    const c = cls as { kmip?: unknown } | null;
    return typeof c?.kmip === 'object' && c.kmip !== null;
  },
  schemes: ['kmip'],
  targets: [
    {
      name: 'pykmip',
      describe: 'a throwaway PyKMIP server (KMIP)',
      async start(_lines, { plan, log, signal }) {
        const { startPykmipEndpoint } = await import('./pykmipEndpoint.js');
        const p = await startPykmipEndpoint(plan, log, signal);
        return {
          describe: `throwaway PyKMIP server on ${p.url} (${p.keys} keys, pid ${p.pid})`,
          forLine: () => ({ endpoint: p.url, env: p.env }),
          died: p.died,
          close: p.close,
        };
      },
    },
  ],
  // the TLS handshake and the key found Active, once per line before anything is forked (src/kmip/preflight.ts)
  commands: [kmipSetupCommand],
  preflight: async (lines) => (await import('./preflight.js')).preflightKmipLines(lines),
};
