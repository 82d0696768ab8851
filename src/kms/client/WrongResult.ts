/**
 * A KMS call that answered, but with a wrong result: a round trip that does not give the plaintext
 * back, a signature or a MAC that does not verify, a response missing what it must carry. A KMS CUT
 * throws one inside its timed request, so that a wrong result is counted as a request error (under
 * its class name in errorsByType), never passed over in silence.
 */
export class WrongResult extends Error {
  override name = 'WrongResult';
}

/** Decrypt (or a round trip) did not give back the plaintext that was encrypted. */
export class RoundTripMismatch extends WrongResult {
  override name = 'RoundTripMismatch';
}

/** A signature (or a certificate's) does not verify with the key's public key. */
export class SignatureInvalid extends WrongResult {
  override name = 'SignatureInvalid';
}

/** VerifyMac did not confirm the MAC that GenerateMac returned. */
export class MacInvalid extends WrongResult {
  override name = 'MacInvalid';
}

/** An X.509 certificate signed through KMS does not verify, or does not parse. */
export class CertificateInvalid extends WrongResult {
  override name = 'CertificateInvalid';
}

/** A response that lacks a member it must carry, or carries one of the wrong size. */
export class UnexpectedResponse extends WrongResult {
  override name = 'UnexpectedResponse';
}

/** The bytes of a blob member of a response, or UnexpectedResponse naming what is missing. */
export function blob(value: Uint8Array | undefined, what: string): Buffer {
  if (value === undefined || value.length === 0) throw new UnexpectedResponse(`the response has no ${what}`);
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
