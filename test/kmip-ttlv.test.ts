import { describe, expect, it } from 'vitest';
import {
  big,
  bool,
  bytes,
  dateTime,
  decode,
  encode,
  enm,
  int,
  interval,
  ItemType,
  long,
  messageLength,
  struct,
  text,
  TtlvError,
  type Item,
} from '../src/kmip/ttlv.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');

// The KMIP 1.x specification's "TTLV encoding examples" (section 9.1.2 of KMIP 1.0-1.4), tag 42 00 20.
// The bytes are the specification's, separated as it prints them: tag | type | length | value.
const SPEC_EXAMPLES: [string, Item, string][] = [
  ['an Integer containing the decimal value 8', int(0x420020, 8), '42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00'],
  [
    'a Long Integer containing the decimal value 123456789000000000',
    long(0x420020, 123456789000000000n),
    '42 00 20 | 03 | 00 00 00 08 | 01 B6 9B 4B A5 74 92 00',
  ],
  [
    'a Big Integer containing the decimal value 1234567890000000000000000000',
    big(0x420020, 1234567890000000000000000000n),
    '42 00 20 | 04 | 00 00 00 10 | 00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00',
  ],
  ['an Enumeration with value 255', enm(0x420020, 255), '42 00 20 | 05 | 00 00 00 04 | 00 00 00 FF 00 00 00 00'],
  ['a Boolean with the value True', bool(0x420020, true), '42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 01'],
  [
    'a Text String with the value "Hello World"',
    text(0x420020, 'Hello World'),
    '42 00 20 | 07 | 00 00 00 0B | 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00',
  ],
  ['a Byte String with the value { 0x01, 0x02, 0x03 }', bytes(0x420020, Buffer.from([1, 2, 3])), '42 00 20 | 08 | 00 00 00 03 | 01 02 03 00 00 00 00 00'],
  [
    'a Date-Time containing the value for Friday, March 14, 2008, 11:56:40 GMT',
    dateTime(0x420020, BigInt(Date.UTC(2008, 2, 14, 11, 56, 40) / 1000)),
    '42 00 20 | 09 | 00 00 00 08 | 00 00 00 00 47 DA 67 F8',
  ],
  ['an Interval containing the value for 10 days', interval(0x420020, 10 * 86400), '42 00 20 | 0A | 00 00 00 04 | 00 0D 2F 00 00 00 00 00'],
  [
    'a Structure containing an Enumeration, value 254, followed by an Integer, value 255, having tags 420004 and 420005',
    struct(0x420020, enm(0x420004, 254), int(0x420005, 255)),
    '42 00 20 | 01 | 00 00 00 20 | 42 00 04 | 05 | 00 00 00 04 | 00 00 00 FE 00 00 00 00 | 42 00 05 | 02 | 00 00 00 04 | 00 00 00 FF 00 00 00 00',
  ],
];

describe('TTLV codec: the KMIP specification examples', () => {
  for (const [what, item, bytesHex] of SPEC_EXAMPLES) {
    it(`encodes ${what}`, () => {
      expect(encode(item).toString('hex')).toBe(hex(bytesHex).toString('hex'));
    });
    it(`decodes ${what}`, () => {
      expect(decode(hex(bytesHex))).toEqual(item);
    });
  }
});

describe('TTLV codec: beyond the examples', () => {
  it('round-trips negative numbers, empty strings, UTF-8 and nested structures', () => {
    const msg = struct(
      0x420078,
      struct(0x420077, int(0x42000d, -2), long(0x420001, -5n), big(0x420002, -1n), big(0x420003, 2n ** 64n)),
      text(0x420055, ''),
      text(0x420055, 'clé été'),
      bytes(0x4200c2, Buffer.alloc(0)),
      bytes(0x4200c2, Buffer.alloc(13, 7)),
      bool(0x420006, false),
    );
    const encoded = encode(msg);
    expect(encoded.length % 8).toBe(0);
    expect(messageLength(encoded.subarray(0, 8))).toBe(encoded.length);
    expect(decode(encoded)).toEqual(msg);
  });

  it('encodes a Big Integer in two’s complement with sign extension to 8 bytes', () => {
    expect(encode(big(0x420020, -1n)).subarray(8).toString('hex')).toBe('ffffffffffffffff');
    // 0x80 needs a leading zero byte to stay positive: still one 8-byte block.
    expect(encode(big(0x420020, 0x80n)).subarray(8).toString('hex')).toBe('0000000000000080');
    expect(
      encode(big(0x420020, 2n ** 63n))
        .subarray(8)
        .toString('hex'),
    ).toBe('00000000000000008000000000000000');
  });

  it('refuses truncated, overlong and unknown input with a TtlvError naming the byte', () => {
    const good = encode(struct(0x420020, int(0x420004, 1)));
    expect(() => decode(good.subarray(0, good.length - 8))).toThrow(TtlvError);
    expect(() => decode(Buffer.concat([good, Buffer.alloc(8)]))).toThrow(/bytes after the item/);
    const badType = Buffer.from(good);
    badType[11] = 0x0f;
    expect(() => decode(badType)).toThrow(/unknown item type 0xf at byte 8/);
    const badLength = hex('42 00 20 | 02 | 00 00 00 08 | 00 00 00 00 00 00 00 08');
    expect(() => decode(badLength)).toThrow(/must be 4 bytes long/);
  });

  it('types decoded items as the specification does', () => {
    const item = decode(encode(struct(0x420020, enm(0x420004, 3))));
    expect(item.type).toBe(ItemType.Structure);
    expect((item.value as Item[])[0]!.type).toBe(ItemType.Enumeration);
  });
});
