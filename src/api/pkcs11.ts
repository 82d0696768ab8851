/** `pylogen/pkcs11`: the PKCS#11 CUT base (pkcs11js is loaded only when a CUT opens its token). */
export { Pkcs11Cut, PKCS11_EXTRAS, Pkcs11SetupError, openPkcs11KeyFile, pickPkcs11Key, type Pkcs11Extra, type Pkcs11CutSpec } from '../pkcs11/Pkcs11Cut.js';
export { DEFAULT_PKCS11_KEY_FILE, type Pkcs11KeyEntry, type Pkcs11KeyFile, type Pkcs11KeyType, type Pkcs11Usage, type Pkcs11Hash } from '../pkcs11/keyfile.js';
export {
  atLeastOneByte,
  signMechanism,
  toBeSigned,
  signatureBytes,
  pkcs11Verifier,
  gcmMechanism,
  GCM_TAG_BYTES,
  HASH_BYTES as PKCS11_HASH_BYTES,
} from '../pkcs11/mechanisms.js';
export { publicKeyOf, type KeyHandles } from '../pkcs11/keys.js';
export { GcmIv } from '../pkcs11/GcmIv.js';
export type { Handle, Mechanism, P11, P11Module } from '../pkcs11/api.js';
// A digest of each length's payload computed once (the signing CUTs of any protocol).
export { DigestCache } from '../kms/client/localCrypto.js';
