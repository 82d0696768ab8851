/** `pylogen/kms`: the AWS KMS API CUT base and what a KMS CUT author needs around it (loads the AWS SDK). */
export {
  KmsCut,
  KmsSetupError,
  KMS_KEY_EXTRAS,
  openKeyFile,
  pickKey,
  DEFAULT_KEY_FILE,
  type KmsExtra,
  type KmsCutSpec,
  type KeyFile,
} from '../kms/client/KmsCut.js';
export { publicKeyFromSpki, signatureVerifier, DigestCache, sealAes256Gcm, type Sealed } from '../kms/client/localCrypto.js';
export {
  encryptionAlgorithmOf,
  signingAlgorithmOf,
  signingDigestOf,
  macAlgorithmOf,
  isSymmetric,
  maxPlaintext,
  MAX_PLAINTEXT,
  MAX_MESSAGE,
  MAX_RANDOM_BYTES,
} from '../kms/model/keyAlgorithms.js';
export { CertificateBuilder, algorithmIdentifier, subjectProblems, SUBJECT_FIELDS, type Subject, type Tbs } from '../kms/client/certificate.js';
export { createKmsClient, type KmsClientOptions } from '../kms/client/client.js';
export { keyRef, type KeyEntry } from '../kms/model/keyfile.js';
export {
  HASH_BYTES,
  signingHash,
  macHash,
  type KeySpec,
  type KeyUsage,
  type KeyFamily,
  type SigningAlgorithm,
  type EncryptionAlgorithm,
  type MacAlgorithm,
  type HashName,
} from '../kms/model/specs.js';
export {
  plaintextProblems,
  contextProblems,
  CONTEXT_EXTRA,
  signingProblems,
  messageTypeOf,
  ENCRYPTING_CUT,
  SIGNING_CUT,
  type MessageType,
} from '../kms/client/cutChecks.js';
