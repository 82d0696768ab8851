/**
 * KMIP's TTLV encoding (KMIP 1.x specification, section 9.1 "TTLV Encoding"): every item is a
 * 3-byte tag, a 1-byte type, a 4-byte big-endian length and a value padded with zeros to a multiple
 * of 8 bytes; a Structure's value is its items, one after the other. There is no maintained KMIP
 * client on npm, and the subset a load injector needs is small: this file is the whole codec.
 * Encoding writes into one Buffer sized in a first pass (no concatenation of pieces).
 */

export enum ItemType {
  Structure = 0x01,
  Integer = 0x02,
  LongInteger = 0x03,
  BigInteger = 0x04,
  Enumeration = 0x05,
  Boolean = 0x06,
  TextString = 0x07,
  ByteString = 0x08,
  DateTime = 0x09,
  Interval = 0x0a,
}

export type Item =
  | { tag: number; type: ItemType.Structure; value: Item[] }
  | { tag: number; type: ItemType.Integer | ItemType.Enumeration | ItemType.Interval; value: number }
  | { tag: number; type: ItemType.LongInteger | ItemType.BigInteger | ItemType.DateTime; value: bigint }
  | { tag: number; type: ItemType.Boolean; value: boolean }
  | { tag: number; type: ItemType.TextString; value: string }
  | { tag: number; type: ItemType.ByteString; value: Buffer };

/** A TTLV message that cannot be decoded (truncated, a bad length, an unknown type). */
export class TtlvError extends Error {
  override name = 'TtlvError';
}

// Constructors, so messages read like the specification's tables.
export const struct = (tag: number, ...value: (Item | undefined)[]): Item => ({
  tag,
  type: ItemType.Structure,
  value: value.filter((v): v is Item => v !== undefined),
});
export const int = (tag: number, value: number): Item => ({ tag, type: ItemType.Integer, value });
export const enm = (tag: number, value: number): Item => ({ tag, type: ItemType.Enumeration, value });
export const long = (tag: number, value: bigint): Item => ({ tag, type: ItemType.LongInteger, value });
export const big = (tag: number, value: bigint): Item => ({ tag, type: ItemType.BigInteger, value });
export const bool = (tag: number, value: boolean): Item => ({ tag, type: ItemType.Boolean, value });
export const text = (tag: number, value: string): Item => ({ tag, type: ItemType.TextString, value });
export const bytes = (tag: number, value: Buffer): Item => ({ tag, type: ItemType.ByteString, value });
export const dateTime = (tag: number, value: bigint): Item => ({ tag, type: ItemType.DateTime, value });
export const interval = (tag: number, value: number): Item => ({ tag, type: ItemType.Interval, value });

const pad8 = (n: number): number => (n + 7) & ~7;

/** The minimal two's-complement big-endian bytes of a Big Integer, sign-extended to a multiple of 8. */
function bigIntBytes(v: bigint): Buffer {
  let hex = (v < 0n ? -v : v).toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  const len = pad8(Math.max(1, hex.length / 2 + 1));
  const out = Buffer.alloc(len);
  let x = BigInt.asUintN(len * 8, v);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  // A positive value needs no extra leading 0x00 block when its top bit is clear (the spec's example).
  if (v >= 0n && len > 8 && out.subarray(0, 8).every((b) => b === 0) && (out[8]! & 0x80) === 0) return out.subarray(8);
  if (v < 0n && len > 8 && out.subarray(0, 8).every((b) => b === 0xff) && (out[8]! & 0x80) !== 0) return out.subarray(8);
  return out;
}

/** The encoded length of an item's value, without padding. */
function valueLength(item: Item): number {
  switch (item.type) {
    case ItemType.Structure: {
      let n = 0;
      for (const child of item.value) n += 8 + pad8(valueLength(child));
      return n;
    }
    case ItemType.Integer:
    case ItemType.Enumeration:
    case ItemType.Interval:
      return 4;
    case ItemType.LongInteger:
    case ItemType.DateTime:
    case ItemType.Boolean:
      return 8;
    case ItemType.BigInteger:
      return bigIntBytes(item.value).length;
    case ItemType.TextString:
      return Buffer.byteLength(item.value, 'utf8');
    case ItemType.ByteString:
      return item.value.length;
  }
}

function write(item: Item, buf: Buffer, at: number): number {
  const length = valueLength(item);
  buf.writeUIntBE(item.tag, at, 3);
  buf[at + 3] = item.type;
  buf.writeUInt32BE(length, at + 4);
  let p = at + 8;
  switch (item.type) {
    case ItemType.Structure:
      for (const child of item.value) p = write(child, buf, p);
      return p;
    case ItemType.Integer:
    case ItemType.Interval:
      buf.writeInt32BE(item.value | 0, p);
      break;
    case ItemType.Enumeration:
      buf.writeUInt32BE(item.value >>> 0, p);
      break;
    case ItemType.LongInteger:
    case ItemType.DateTime:
      buf.writeBigInt64BE(item.value, p);
      break;
    case ItemType.Boolean:
      buf.writeBigUInt64BE(item.value ? 1n : 0n, p);
      break;
    case ItemType.BigInteger:
      bigIntBytes(item.value).copy(buf, p);
      break;
    case ItemType.TextString:
      buf.write(item.value, p, 'utf8');
      break;
    case ItemType.ByteString:
      item.value.copy(buf, p);
      break;
  }
  // Buffer.alloc zero-fills: the padding is already zeros.
  return p + pad8(length);
}

/** Encodes one item (a whole message is one Structure). */
export function encode(item: Item): Buffer {
  const buf = Buffer.alloc(8 + pad8(valueLength(item)));
  write(item, buf, 0);
  return buf;
}

/** The total length of the message whose first 8 bytes are `header` (for framing a stream). */
export function messageLength(header: Buffer): number {
  return 8 + header.readUInt32BE(4);
}

function readItem(buf: Buffer, at: number, end: number): { item: Item; next: number } {
  if (end - at < 8) throw new TtlvError(`truncated item header at byte ${at}`);
  const tag = buf.readUIntBE(at, 3);
  const type = buf[at + 3] as ItemType;
  const length = buf.readUInt32BE(at + 4);
  const p = at + 8;
  // A Structure's length is its items' padded lengths; any other value is padded to 8.
  const span = type === ItemType.Structure ? length : pad8(length);
  if (p + span > end) throw new TtlvError(`item 0x${tag.toString(16)} at byte ${at} runs past the end (${length} bytes)`);
  const fixed = (n: number): void => {
    if (length !== n) throw new TtlvError(`item 0x${tag.toString(16)} of type ${type} must be ${n} bytes long, but is ${length}`);
  };
  let item: Item;
  switch (type) {
    case ItemType.Structure: {
      const children: Item[] = [];
      let q = p;
      while (q < p + length) {
        const r = readItem(buf, q, p + length);
        children.push(r.item);
        q = r.next;
      }
      item = { tag, type, value: children };
      break;
    }
    case ItemType.Integer:
    case ItemType.Interval:
      fixed(4);
      item = { tag, type, value: type === ItemType.Integer ? buf.readInt32BE(p) : buf.readUInt32BE(p) };
      break;
    case ItemType.Enumeration:
      fixed(4);
      item = { tag, type, value: buf.readUInt32BE(p) };
      break;
    case ItemType.LongInteger:
    case ItemType.DateTime:
      fixed(8);
      item = { tag, type, value: buf.readBigInt64BE(p) };
      break;
    case ItemType.Boolean:
      fixed(8);
      item = { tag, type, value: buf.readBigUInt64BE(p) !== 0n };
      break;
    case ItemType.BigInteger: {
      if (length % 8 !== 0) throw new TtlvError(`Big Integer 0x${tag.toString(16)} must be a multiple of 8 bytes long, but is ${length}`);
      let v = 0n;
      for (let i = 0; i < length; i++) v = (v << 8n) | BigInt(buf[p + i]!);
      item = { tag, type, value: length === 0 ? 0n : BigInt.asIntN(length * 8, v) };
      break;
    }
    case ItemType.TextString:
      item = { tag, type, value: buf.toString('utf8', p, p + length) };
      break;
    case ItemType.ByteString:
      // A copy: the receive buffer is reused for the next message.
      item = { tag, type, value: Buffer.from(buf.subarray(p, p + length)) };
      break;
    default:
      throw new TtlvError(`unknown item type 0x${(type as number).toString(16)} at byte ${at}`);
  }
  return { item, next: p + span };
}

/** Decodes one item that fills `buf` exactly. */
export function decode(buf: Buffer): Item {
  const { item, next } = readItem(buf, 0, buf.length);
  if (next !== buf.length) throw new TtlvError(`${buf.length - next} bytes after the item`);
  return item;
}

// Readers of decoded structures.

/** The first child of a Structure with this tag. */
export function child(item: Item | undefined, tag: number): Item | undefined {
  if (item === undefined || item.type !== ItemType.Structure) return undefined;
  for (const c of item.value) if (c.tag === tag) return c;
  return undefined;
}

/** Every child of a Structure with this tag. */
export function children(item: Item | undefined, tag: number): Item[] {
  if (item === undefined || item.type !== ItemType.Structure) return [];
  return item.value.filter((c) => c.tag === tag);
}

/** A child's value as a number (Integer, Enumeration, Interval), or undefined. */
export function numberOf(item: Item | undefined, tag: number): number | undefined {
  const c = child(item, tag);
  return c !== undefined && typeof c.value === 'number' ? c.value : undefined;
}
export function textOf(item: Item | undefined, tag: number): string | undefined {
  const c = child(item, tag);
  return c !== undefined && typeof c.value === 'string' ? c.value : undefined;
}
export function bytesOf(item: Item | undefined, tag: number): Buffer | undefined {
  const c = child(item, tag);
  return c !== undefined && Buffer.isBuffer(c.value) ? c.value : undefined;
}
