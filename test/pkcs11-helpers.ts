/**
 * A SoftHSM2 token of the test's own, made with softhsm2-util (not with pylogen's code): a private
 * token store in a temp folder (SOFTHSM2_CONF), a token with known PINs. And an independent reader
 * of public keys, with pkcs11js straight, to verify signatures made through pylogen.
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface TestToken {
  dir: string;
  label: string;
  pin: string;
  /** SOFTHSM2_CONF and PKCS11_PIN, for pylogen's processes */
  env: Record<string, string>;
  close(): void;
}

export function makeToken(label = 'pylogen'): TestToken {
  const dir = tempDir('pylogen-p11test-');
  const store = join(dir, 'tokens');
  mkdirSync(store);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${store}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  // Distinctive PINs, so that a test can search every output for them.
  const pin = `pin${randomBytes(6).toString('hex')}`;
  execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', `so${pin}`, '--pin', pin], {
    env: { ...process.env, SOFTHSM2_CONF: conf },
    stdio: 'ignore',
  });
  return { dir, label, pin, env: { SOFTHSM2_CONF: conf, PKCS11_PIN: pin }, close: () => rmSync(dir, { recursive: true, force: true }) };
}

const pkcs11js: any = createRequire(import.meta.url)('pkcs11js');

/**
 * The public key labelled `label` on the token, read with pkcs11js directly (in this process, with
 * the token's SOFTHSM2_CONF while it reads), as node:crypto's KeyObject.
 */
export function readPublicKey(token: TestToken, label: string): KeyObject {
  const saved = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = token.env.SOFTHSM2_CONF;
  const p = new pkcs11js.PKCS11();
  p.load(SOFTHSM_MODULE);
  p.C_Initialize();
  try {
    const slot = p.C_GetSlotList(true).find((s: Buffer) => p.C_GetTokenInfo(s).label.trim() === token.label);
    const s = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    p.C_FindObjectsInit(s, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
    const [h] = p.C_FindObjects(s, 1);
    p.C_FindObjectsFinal(s);
    const [type] = p.C_GetAttributeValue(s, h, [{ type: pkcs11js.CKA_KEY_TYPE }]);
    if (type.value[0] === pkcs11js.CKK_EC) {
      const [params, point] = p.C_GetAttributeValue(s, h, [{ type: pkcs11js.CKA_EC_PARAMS }, { type: pkcs11js.CKA_EC_POINT }]);
      // SPKI by hand: SEQUENCE { SEQUENCE { id-ecPublicKey, curve OID }, BIT STRING point }.
      const q: Buffer = point.value.subarray(point.value[1] & 0x80 ? 3 : 2);
      const alg = Buffer.concat([Buffer.from('06072a8648ce3d0201', 'hex'), params.value]);
      const der = seq(Buffer.concat([seq(alg), tlv(0x03, Buffer.concat([Buffer.from([0]), q]))]));
      return createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
    const [n, e] = p.C_GetAttributeValue(s, h, [{ type: pkcs11js.CKA_MODULUS }, { type: pkcs11js.CKA_PUBLIC_EXPONENT }]);
    const int = (b: Buffer) => tlv(0x02, b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
    return createPublicKey({ key: seq(Buffer.concat([int(n.value), int(e.value)])), format: 'der', type: 'pkcs1' });
  } finally {
    p.C_Finalize();
    if (saved === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = saved;
  }
}

function tlv(tag: number, body: Buffer): Buffer {
  const len = body.length;
  const head = len < 0x80 ? Buffer.from([tag, len]) : len < 0x100 ? Buffer.from([tag, 0x81, len]) : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([head, body]);
}
const seq = (body: Buffer): Buffer => tlv(0x30, body);
