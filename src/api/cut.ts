/**
 * `pylogen/cut`: what every CUT needs and nothing more (a Dummy runner loads only this: no SDK, no
 * controller). The protocol entries (`pylogen/kms`, `pylogen/pkcs11`, `pylogen/kmip`) add their CUT
 * bases; `pylogen/run` is the programmatic run(); `pylogen` re-exports them all.
 */
export { ClassUnderTest, type CutPlanView, type RunnerInfo } from '../cut/ClassUnderTest.js';
export { Operation, Request } from '../cut/Operation.js';
export { exec } from '../cut/exec.js';
export { RequestError, RC_ERROR } from '../cut/RequestError.js';
// Results that are wrong though the call succeeded, and per-length data: any protocol's CUT may use them.
export { PerLength } from '../kms/client/PerLength.js';
export { WrongResult, RoundTripMismatch, SignatureInvalid, MacInvalid, CertificateInvalid, UnexpectedResponse, blob } from '../kms/client/WrongResult.js';
export { lengthProblem } from '../kms/model/lengthLimits.js';
