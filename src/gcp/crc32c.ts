/**
 * CRC32C (Castagnoli), the checksum Cloud KMS puts beside every byte field of its requests and
 * answers (`plaintext_crc32c`, `verified_plaintext_crc32c`, ...). node:zlib's crc32 is CRC-32 (the
 * IEEE polynomial), not this one; @aws-crypto/crc32c is a maintained, dependency-free table
 * implementation (AWS's SDKs use it for S3's CRC32C checksums). Its cost is measured in docs/gcp.md.
 */
import { crc32c as table } from '@aws-crypto/crc32c';

/** The CRC32C of some bytes, an unsigned 32-bit integer. */
export function crc32c(data: Uint8Array): number {
  return table(data) >>> 0;
}

/**
 * An answer's checksum field as a number: the client gives an Int64Value as `{ value }` whose value
 * is a number, a string or a Long (gRPC) — or undefined when the answer has none.
 */
export function int64Value(field: unknown): number | undefined {
  if (field === null || field === undefined) return undefined;
  const v = typeof field === 'object' && 'value' in field ? (field as { value: unknown }).value : field;
  if (v === null || v === undefined) return undefined;
  return Number(typeof v === 'object' ? String(v) : v);
}
