/**
 * A Cloud KMS answer whose integrity check failed: a `*_crc32c` that is not the CRC32C of the bytes
 * it stands beside, or a `verified_*_crc32c` that is false although the request carried that
 * checksum. Google asks clients to discard such an answer; a CloudKms CUT counts it as a request
 * error of its own type, never as a success. Light (no SDK): errorType.ts names it by its class.
 */
import { WrongResult } from '../kms/client/WrongResult.js';

export class Crc32cMismatch extends WrongResult {
  override name = 'Crc32cMismatch';
}
