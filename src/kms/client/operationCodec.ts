/**
 * The JSON 1.1 body of a KMS command and the reading of its answer, exactly as @aws-sdk/client-kms
 * does them, for the fast client: the member types come from the SDK's own schemas (the operation
 * schema each Command carries), walked once per operation with @smithy/core's NormalizedSchema, so
 * that only the members that need it are converted on the hot path:
 * - blobs: Uint8Array (or a string, taken as UTF-8) → base64 in the request; base64 → Uint8Array in
 *   the answer;
 * - timestamps: Date → epoch seconds in the request; epoch seconds → Date in the answer;
 * - structures, lists and maps holding any of those, recursively.
 * Everything else is JSON as is, in both directions.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import { fromBase64 } from '@smithy/core/serde';

/** How one value is converted: a blob, a timestamp, or a container holding some. */
type Plan =
  | { kind: 'blob' }
  | { kind: 'timestamp' }
  | { kind: 'struct'; members: ReadonlyArray<readonly [string, Plan]> }
  | { kind: 'list'; item: Plan }
  | { kind: 'map'; value: Plan };

export interface OperationCodec {
  /** the operation's name, e.g. "Encrypt" (X-Amz-Target: TrentService.Encrypt) */
  name: string;
  target: string;
  /** the request body */
  encode(input: object): string;
  /** the output members from the answer's parsed JSON (the object is converted in place) */
  decode(body: Record<string, unknown>): Record<string, unknown>;
}

/** The conversions a schema needs, or undefined when its values pass as they are. */
function planOf(schema: NormalizedSchema, depth = 0): Plan | undefined {
  if (depth > 20) return undefined; // recursive shapes (none in KMS's model): stop converting
  if (schema.isBlobSchema()) return { kind: 'blob' };
  if (schema.isTimestampSchema()) return { kind: 'timestamp' };
  if (schema.isStructSchema()) {
    const members: Array<readonly [string, Plan]> = [];
    for (const [name, member] of schema.structIterator()) {
      const p = planOf(member, depth + 1);
      if (p !== undefined) members.push([name, p]);
    }
    return members.length > 0 ? { kind: 'struct', members } : undefined;
  }
  if (schema.isListSchema()) {
    const item = planOf(schema.getValueSchema(), depth + 1);
    return item === undefined ? undefined : { kind: 'list', item };
  }
  if (schema.isMapSchema()) {
    const value = planOf(schema.getValueSchema(), depth + 1);
    return value === undefined ? undefined : { kind: 'map', value };
  }
  return undefined;
}

function toWire(plan: Plan, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  switch (plan.kind) {
    case 'blob':
      if (typeof value === 'string') return Buffer.from(value, 'utf8').toString('base64');
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
      return value;
    case 'timestamp':
      return value instanceof Date ? value.getTime() / 1000 : value;
    case 'struct': {
      if (typeof value !== 'object') return value;
      const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      for (const [name, p] of plan.members) {
        if (out[name] !== undefined) out[name] = toWire(p, out[name]);
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) ? value.map((v) => toWire(plan.item, v)) : value;
    case 'map': {
      if (typeof value !== 'object') return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toWire(plan.value, v);
      return out;
    }
  }
}

function fromWire(plan: Plan, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  switch (plan.kind) {
    case 'blob': {
      if (typeof value !== 'string') return value;
      // The SDK's own decoder: invalid base64 is its TypeError, not bytes Buffer.from would guess.
      return fromBase64(value);
    }
    case 'timestamp':
      if (typeof value === 'number') return new Date(Math.round(value * 1000));
      return typeof value === 'string' ? new Date(value) : value;
    case 'struct': {
      if (typeof value !== 'object') return value;
      const o = value as Record<string, unknown>;
      for (const [name, p] of plan.members) {
        if (o[name] !== undefined) o[name] = fromWire(p, o[name]);
      }
      return o;
    }
    case 'list':
      return Array.isArray(value) ? value.map((v) => fromWire(plan.item, v)) : value;
    case 'map': {
      if (typeof value !== 'object') return value;
      const o = value as Record<string, unknown>;
      for (const k of Object.keys(o)) o[k] = fromWire(plan.value, o[k]);
      return o;
    }
  }
}

/** The operation schema a Command carries: [9, namespace, name, traits, input, output]. */
type OperationSchema = readonly [number, string, string, unknown, unknown, unknown];

const isOperationSchema = (s: unknown): s is OperationSchema => Array.isArray(s) && s.length >= 6 && s[0] === 9 && typeof s[2] === 'string';

/** The codec of a command's operation, from the schema it carries; undefined if it carries none. */
export function codecOf(command: { schema?: unknown }): OperationCodec | undefined {
  const schema = command.schema;
  if (!isOperationSchema(schema)) return undefined;
  const name = schema[2];
  const input = planOf(NormalizedSchema.of(schema[4] as never));
  const output = planOf(NormalizedSchema.of(schema[5] as never));
  return {
    name,
    target: `TrentService.${name}`,
    encode: input === undefined ? (i) => JSON.stringify(i) : (i) => JSON.stringify(toWire(input, i)),
    decode: output === undefined ? (o) => o : (o) => fromWire(output, o) as Record<string, unknown>,
  };
}
