/**
 * The pkcs11 protocol's preflight (src/pkcs11/protocol.ts), in the main process before any runner is
 * forked: each token that the lines use is opened ONCE (one C_Login, whatever --process: a wrong PIN
 * is one failed login, not one per runner, and a token that locks after a few never locks because of
 * a run), then for each line its key is looked up and the mechanism its CUT will call is asked with
 * C_GetMechanismInfo. A refusal names the line's token, the call and the CKM_.
 */
import type { PreflightLine, PreflightOutcome } from '../protocols/Protocol.js';
import { describeError } from '../core/errors.js';
import type { Handle, P11Module } from './api.js';
import type { Pkcs11KeyEntry } from './keyfile.js';
import { findKey } from './keys.js';
import { moduleOf, openPkcs11KeyFile, pickPkcs11Key, type Pkcs11CutSpec, type Pkcs11Extra } from './Pkcs11Cut.js';
import { openToken, Pkcs11OpenError, type Pkcs11Token } from './Token.js';

/** The mechanisms the Pkcs11 CUTs call with a key of this entry (src/pkcs11/mechanisms.ts). */
export function mechanismsOf(e: Pkcs11KeyEntry): string[] {
  switch (e.usage) {
    case 'encrypt':
      return ['CKM_AES_GCM'];
    case 'wrap':
      return ['CKM_AES_KEY_WRAP'];
    case 'mac':
      return [`CKM_${e.hash.toUpperCase()}_HMAC`];
    case 'sign':
      return [e.type === 'EC' ? 'CKM_ECDSA' : e.padding === 'PSS' ? 'CKM_RSA_PKCS_PSS' : 'CKM_RSA_PKCS'];
  }
}

/** The first of `names` the token's slot does not offer (C_GetMechanismInfo refuses it), or undefined. */
export function missingMechanism(token: Pick<Pkcs11Token, 'ck' | 'p11' | 'slot'>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const code = (token.ck as P11Module)[name];
    if (code === undefined) return name;
    try {
      token.p11.C_GetMechanismInfo(token.slot as Handle, code);
    } catch {
      return name;
    }
  }
  return undefined;
}

interface Planned {
  module: string;
  token: string;
  pin: string;
  key?: Pkcs11KeyEntry;
  /** SOFTHSM2_CONF of a throwaway token: the module reads it at C_Initialize */
  conf?: string;
}

function planOf(l: PreflightLine): Planned | { problem: string } {
  const spec = (l.cls as { pkcs11: Pkcs11CutSpec }).pkcs11;
  const extra = l.line.options.extra as Pkcs11Extra;
  try {
    const file = openPkcs11KeyFile(extra.file);
    const key = spec.defaultKey !== undefined ? pickPkcs11Key(file, extra.key ?? spec.defaultKey, spec) : undefined;
    return {
      module: moduleOf(extra, file, l.endpoint),
      token: extra.token ?? file.token,
      pin: l.env.PKCS11_PIN ?? process.env.PKCS11_PIN ?? '',
      ...(key !== undefined ? { key } : {}),
      ...(l.env.SOFTHSM2_CONF !== undefined ? { conf: l.env.SOFTHSM2_CONF } : {}),
    };
  } catch (err) {
    return { problem: describeError(err) };
  }
}

/** Runs fn with SOFTHSM2_CONF set as a runner of the line will have it. */
async function withConf<T>(conf: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (conf === undefined) return fn();
  const saved = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
  }
}

export async function preflightPkcs11Lines(lines: readonly PreflightLine[], ctx: { verbosity: number; say: (s: string) => void }): Promise<PreflightOutcome[]> {
  const planned = lines.map(planOf);
  const outcomes: PreflightOutcome[] = planned.map((p) => ('problem' in p ? { ok: false, cause: p.problem } : { ok: true }));
  // One opening (one C_Login) per token, for every line that uses it, one token after the other.
  const groups = new Map<string, number[]>();
  planned.forEach((p, i) => {
    if ('problem' in p) return;
    const id = JSON.stringify([p.module, p.token, p.pin, p.conf ?? '']);
    groups.set(id, [...(groups.get(id) ?? []), i]);
  });
  for (const indexes of groups.values()) {
    const first = planned[indexes[0]!] as Planned;
    await withConf(first.conf, async () => {
      let token: Pkcs11Token;
      try {
        token = await openToken({ module: first.module, token: first.token, pin: first.pin });
      } catch (err) {
        const cause = err instanceof Pkcs11OpenError ? err.message : describeError(err);
        for (const i of indexes) outcomes[i] = { ok: false, cause };
        return;
      }
      try {
        for (const i of indexes) {
          const p = planned[i] as Planned;
          if (p.key === undefined) {
            outcomes[i] = { ok: true, detail: `preflight pkcs11: logged in to token "${p.token}"` };
            continue;
          }
          const mechanisms = mechanismsOf(p.key);
          const missing = missingMechanism(token, mechanisms);
          if (missing !== undefined) {
            outcomes[i] = {
              ok: false,
              cause: `token "${p.token}" of ${p.module} does not offer ${missing} (C_GetMechanismInfo), which key "${p.key.name}" (${p.key.usage}) needs`,
            };
            continue;
          }
          const found = findKey(token, token.anchor, p.key);
          if (found === undefined) {
            outcomes[i] = {
              ok: false,
              cause: `key "${p.key.name}" (label "${p.key.label}") is not on token "${p.token}": create it with \`pylogen pkcs11 setup --module ${p.module} --token ${p.token}\``,
            };
            continue;
          }
          outcomes[i] = { ok: true, detail: `preflight pkcs11: key "${p.key.name}" found on token "${p.token}", ${mechanisms.join(', ')} offered` };
        }
      } finally {
        token.close();
      }
    });
  }
  if (ctx.verbosity > 1) ctx.say(`pkcs11: preflight: ${groups.size} token${groups.size === 1 ? '' : 's'}, one C_Login each\n`);
  return outcomes;
}
