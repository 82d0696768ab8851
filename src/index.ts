/** The package `pylogen`: the CUT API for cuts/ files, and the programmatic run(). */
export { ClassUnderTest, type CutPlanView, type RunnerInfo } from './cut/ClassUnderTest.js';
export { Operation, Request } from './cut/Operation.js';
export { exec } from './cut/exec.js';
export { RequestError, RC_ERROR } from './cut/RequestError.js';
export { run, type RunResult, type RunIO } from './controller/run.js';
export { planFromWords, planFromScenario } from './config/buildPlan.js';
export type { RunPlan, CutLine, LineOptions } from './core/plan.js';
export type { Summary } from './stats/summary.js';
export { renderReport, type ReportSummary } from './report/renderReport.js';
export { writeReport } from './report/writeReport.js';
export { ExitCode } from './core/exitcodes.js';
// KMS CUTs: the base class and what a KMS CUT author needs around it.
export { KmsCut, KmsSetupError, openKeyFile, pickKey, DEFAULT_KEY_FILE, type KmsExtra, type KmsCutSpec, type KeyFile } from './kms/client/KmsCut.js';
export { PerLength } from './kms/client/PerLength.js';
export { WrongResult, RoundTripMismatch, SignatureInvalid, MacInvalid, CertificateInvalid, UnexpectedResponse, blob } from './kms/client/WrongResult.js';
export { publicKeyFromSpki, signatureVerifier, DigestCache, sealAes256Gcm, type Sealed } from './kms/client/localCrypto.js';
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
} from './kms/model/keyAlgorithms.js';
export { lengthProblem } from './kms/model/lengthLimits.js';
export { CertificateBuilder, algorithmIdentifier, subjectProblems, SUBJECT_FIELDS, type Subject, type Tbs } from './kms/client/certificate.js';
export { createKmsClient, type KmsClientOptions } from './kms/client/client.js';
export { keyRef, type KeyEntry } from './kms/model/keyfile.js';
export { HASH_BYTES, signingHash, macHash, type KeySpec, type KeyUsage, type KeyFamily, type SigningAlgorithm, type EncryptionAlgorithm, type MacAlgorithm, type HashName } from './kms/model/specs.js';
export { plaintextProblems, contextProblems, signingProblems, messageTypeOf, ENCRYPTING_CUT, SIGNING_CUT, type MessageType } from './kms/client/cutChecks.js';
// PKCS#11 CUTs: the base class and what a PKCS#11 CUT author needs around it (pkcs11js itself is
// loaded only when a PKCS#11 CUT opens its token).
export { Pkcs11Cut, Pkcs11SetupError, openPkcs11KeyFile, pickPkcs11Key, type Pkcs11Extra, type Pkcs11CutSpec } from './pkcs11/Pkcs11Cut.js';
export { DEFAULT_PKCS11_KEY_FILE, type Pkcs11KeyEntry, type Pkcs11KeyFile, type Pkcs11KeyType, type Pkcs11Usage, type Pkcs11Hash } from './pkcs11/keyfile.js';
export { atLeastOneByte, signMechanism, toBeSigned, signatureBytes, pkcs11Verifier, gcmMechanism, GCM_TAG_BYTES, HASH_BYTES as PKCS11_HASH_BYTES } from './pkcs11/mechanisms.js';
export { publicKeyOf, type KeyHandles } from './pkcs11/keys.js';
export { GcmIv } from './pkcs11/GcmIv.js';
export type { Handle, Mechanism, P11, P11Module } from './pkcs11/api.js';
// KMIP CUTs: the base class, the client and the key file.
export { KmipCut, KmipSetupError, pickKmipKey, dataLengthProblems, KMIP_MAX_DATA, PYKMIP_ENDPOINT, type KmipExtra, type KmipCutSpec } from './kmip/KmipCut.js';
export { KmipClient, cryptoParams, type CryptoParams, type KmipClientOptions, type GetResult } from './kmip/KmipClient.js';
export { KmipError, KmipProtocolError } from './kmip/KmipError.js';
export { loadKmipKeyFile, NODE_HASH_OF, type KmipKeyEntry, type KmipKeyFile, type KmipUsage } from './kmip/keyfile.js';
// Verdicts: thresholds parsed and judged over a summary (a run's, read back, or shards' merged).
export { parseThreshold, canOnlyGetWorse, type Threshold } from './verdict/threshold.js';
export { evaluateThresholds, verdicts, formatVerdicts, type Verdict, type Judged, type VerdictSource } from './verdict/evaluateThresholds.js';
export { evaluateSummary, sourceFromSummary } from './verdict/sourceFromSummary.js';
// Cloud KMS CUTs: the base class, the key file and the integrity checks (the official client itself
// is loaded only when a CloudKms CUT's runner sets up).
export { GcpCut, GcpSetupError, pickGcpKey, lengthProblems as gcpLengthProblems, GCP_LOCAL, GCP_EXTRA_KEYS, GCP_AAD_KEYS, type GcpExtra, type GcpCutSpec } from './gcp/GcpCut.js';
export { Crc32cMismatch } from './gcp/Crc32cMismatch.js';
export { crc32c } from './gcp/crc32c.js';
export { ALGORITHM_INFO, MAX_PLAINTEXT as GCP_MAX_PLAINTEXT, OAEP_2048_SHA256_MAX, RANDOM_MIN, RANDOM_MAX, type GcpAlgorithm, type GcpPurpose } from './gcp/algorithms.js';
export { loadGcpKeyFile, type GcpKeyEntry, type GcpKeyFile } from './gcp/keyfile.js';
