import { invalidMember, serialization } from './errors.js';

/**
 * Readers for the members of a JSON 1.1 request body. A member of the wrong JSON type is a
 * SerializationException, as AWS's deserializer answers; a value outside the model's constraints is
 * a ValidationException naming the member. A JSON null counts as absent, as in AWS.
 */
export type Json = Record<string, unknown>;

function present(o: Json, member: string): unknown {
  const v = o[member];
  return v === null ? undefined : v;
}

export function optString(o: Json, member: string, max = 2048): string | undefined {
  const v = present(o, member);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw serialization(`${member} must be a string`);
  if (v.length < 1 || v.length > max) {
    throw invalidMember(member, v, `Member must have length greater than or equal to 1 and less than or equal to ${max}`);
  }
  return v;
}

export function reqString(o: Json, member: string, max = 2048): string {
  const v = optString(o, member, max);
  if (v === undefined) throw invalidMember(member, null, 'Member must not be null');
  return v;
}

export function optEnum(o: Json, member: string, values: readonly string[]): string | undefined {
  const v = present(o, member);
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw serialization(`${member} must be a string`);
  if (!values.includes(v)) throw invalidMember(member, v, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return v;
}

export function reqEnum(o: Json, member: string, values: readonly string[]): string {
  const v = optEnum(o, member, values);
  if (v === undefined) throw invalidMember(member, null, 'Member must not be null');
  return v;
}

// Standard base64 with padding, as every AWS SDK sends blobs; Buffer.from alone would accept garbage.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function optBlob(o: Json, member: string, max: number): Buffer | undefined {
  const v = present(o, member);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !BASE64.test(v)) throw serialization(`${member} must be a base64-encoded blob`);
  const b = Buffer.from(v, 'base64');
  if (b.length < 1 || b.length > max) {
    throw invalidMember(member, null, `Member must have length greater than or equal to 1 and less than or equal to ${max}`);
  }
  return b;
}

export function reqBlob(o: Json, member: string, max: number): Buffer {
  const v = optBlob(o, member, max);
  if (v === undefined) throw invalidMember(member, null, 'Member must not be null');
  return v;
}

export function optInt(o: Json, member: string, min: number, max: number): number | undefined {
  const v = present(o, member);
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw serialization(`${member} must be an integer`);
  if (v < min || v > max) {
    throw invalidMember(member, String(v), `Member must have value greater than or equal to ${min} and less than or equal to ${max}`);
  }
  return v;
}

export function optBool(o: Json, member: string): boolean | undefined {
  const v = present(o, member);
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw serialization(`${member} must be a boolean`);
  return v;
}

/** An encryption context: a map of strings, returned in a canonical form (sorted keys) for the AAD. */
export function optContext(o: Json, member: string): string | undefined {
  const v = present(o, member);
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw serialization(`${member} must be a map of strings`);
  const keys = Object.keys(v as object);
  if (keys.length === 0) return undefined;
  keys.sort();
  const pairs: string[] = [];
  for (const k of keys) {
    const value = (v as Json)[k];
    if (typeof value !== 'string') throw serialization(`${member} must be a map of strings`);
    pairs.push(k, value);
  }
  // JSON of the sorted pairs: unambiguous whatever the keys and values contain.
  return JSON.stringify(pairs);
}

/** Members that only accept a list of strings (GrantTokens): checked for shape, otherwise ignored. */
export function optStringList(o: Json, member: string, maxItems: number): string[] | undefined {
  const v = present(o, member);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw serialization(`${member} must be a list of strings`);
  if (v.length > maxItems) {
    throw invalidMember(member, null, `Member must have length less than or equal to ${maxItems}`);
  }
  return v as string[];
}
