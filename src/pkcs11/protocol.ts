/**
 * PKCS#11 as a protocol of pylogen (src/protocols/Protocol.ts): the PKCS#11 CUTs (they extend
 * Pkcs11Cut: the static `pkcs11` spec), a throwaway SoftHSM2 token as `--endpoint softhsm`, and
 * return values counted by their CKR_ name. Light: pkcs11js and SoftHSM2 are loaded when used.
 */
import type { Protocol } from '../protocols/Protocol.js';
import { ckrName } from './api.js';
import { pkcs11SetupCommand } from './setupCommand.js';

export const pkcs11: Protocol = {
  name: 'pkcs11',
  describe: 'PKCS#11: an HSM or a SoftHSM2 token through its module',
  owns: (cls) => {
    const c = cls as { pkcs11?: unknown } | null;
    return typeof c?.pkcs11 === 'object' && c.pkcs11 !== null;
  },
  targets: [
    {
      name: 'softhsm',
      describe: 'a throwaway SoftHSM2 token (PKCS#11)',
      async start(_lines, { plan, cwd, log }) {
        const { startSoftHsm, SOFTHSM_ENDPOINT } = await import('./softhsm.js');
        // A throwaway token store: removed at the end (and on any exit, see startSoftHsm).
        const s = await startSoftHsm(plan, cwd, log);
        return {
          describe: `throwaway SoftHSM2 token${s.tokens.length > 1 ? 's' : ''} ${s.tokens.map((t) => `"${t}"`).join(', ')} in ${s.dir} (${s.keys} keys, module ${s.module})`,
          forLine: () => ({ endpoint: SOFTHSM_ENDPOINT, env: s.env }),
          died: () => undefined,
          close: async () => s.close(),
        };
      },
    },
  ],
  // one login per token in the main process, the key found, its mechanism offered (src/pkcs11/preflight.ts)
  preflight: async (lines, ctx) => (await import('./preflight.js')).preflightPkcs11Lines(lines, ctx),
  // pkcs11js's Pkcs11Error carries the return value as its message: CKR_GENERAL_ERROR, ...
  commands: [pkcs11SetupCommand],
  errorType: (err) => ((err as { name?: unknown } | null)?.name === 'Pkcs11Error' ? ckrName(err) : undefined),
};
