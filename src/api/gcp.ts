/** `pylogen/gcp`: the gcp protocol's CUT base and what its CUT authors need around it. */
export {
  GcpCut,
  GcpAeadCut,
  aeadSpec as gcpAeadSpec,
  GcpSetupError,
  pickGcpKey,
  lengthProblems as gcpLengthProblems,
  GCP_LOCAL,
  GCP_EXTRA_KEYS,
  GCP_AAD_KEYS,
  type GcpExtra,
  type GcpCutSpec,
} from '../gcp/GcpCut.js';
export { Crc32cMismatch } from '../gcp/Crc32cMismatch.js';
export { crc32c } from '../gcp/crc32c.js';
export {
  ALGORITHM_INFO,
  MAX_PLAINTEXT as GCP_MAX_PLAINTEXT,
  OAEP_2048_SHA256_MAX,
  RANDOM_MIN,
  RANDOM_MAX,
  type GcpAlgorithm,
  type GcpPurpose,
} from '../gcp/algorithms.js';
export { loadGcpKeyFile, type GcpKeyEntry, type GcpKeyFile } from '../gcp/keyfile.js';
// A digest of each length's payload computed once (the signing CUTs of any protocol).
export { DigestCache } from '../kms/client/localCrypto.js';
