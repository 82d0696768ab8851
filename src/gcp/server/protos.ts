/**
 * The real Cloud KMS service definition: the protobuf bundle that @google-cloud/kms ships
 * (build/protos/protos.json, made from Google's .proto files), loaded with protobufjs. It gives the
 * gRPC method table and, from each method's google.api.http annotation, the REST route
 * (`POST /v1/{name=projects/*\/locations/*\/keyRings/*\/cryptoKeys/**}:encrypt`, body "*").
 */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import type { EnumNames } from './service.js';

export const SERVICE = 'google.cloud.kms.v1.KeyManagementService';

export interface Method {
  name: string;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
  /** the REST route, when the method has one */
  http?: Route;
}

export interface Route {
  verb: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  /** matches the URL path; its groups are the path fields, in `fields` order */
  pattern: RegExp;
  /** the request fields bound by the path, dotted (crypto_key_version.name), lowerCamelCase */
  fields: string[];
  /** the request field the body fills: '*' the whole request, a field name, or '' none */
  body: string;
}

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Compiles a path template: `{name=projects/*\/locations/*}` binds name to one or more segments. */
export function compileTemplate(template: string): { pattern: RegExp; fields: string[] } {
  const fields: string[] = [];
  let re = '';
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      re += escape(template.slice(i));
      break;
    }
    re += escape(template.slice(i, open));
    const close = template.indexOf('}', open);
    const [field, sub = '*'] = template.slice(open + 1, close).split('=') as [string, string?];
    fields.push(field.split('.').map(camel).join('.'));
    re += `(${sub
      .split('/')
      .map((seg) => (seg === '**' ? '.+' : seg === '*' ? '[^/]+' : escape(seg)))
      .join('/')})`;
    i = close + 1;
  }
  return { pattern: new RegExp(`^${re}$`), fields };
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface Protos {
  root: protobuf.Root;
  methods: Map<string, Method>;
  enums: EnumNames;
}

let loaded: Protos | undefined;

export function loadProtos(): Protos {
  if (loaded !== undefined) return loaded;
  const require = createRequire(import.meta.url);
  const root = protobuf.Root.fromJSON(require('@google-cloud/kms/build/protos/protos.json') as protobuf.INamespace);
  const service = root.lookupService(SERVICE);
  service.resolveAll();
  const methods = new Map<string, Method>();
  for (const m of service.methodsArray) {
    const method: Method = { name: m.name, requestType: m.resolvedRequestType!, responseType: m.resolvedResponseType! };
    const rule = (m.parsedOptions ?? []).find((o: Record<string, unknown>) => '(google.api.http)' in o)?.['(google.api.http)'] as
      Record<string, string> | undefined;
    if (rule !== undefined) {
      const verb = (['get', 'post', 'patch', 'delete', 'put'] as const).find((v) => rule[v] !== undefined);
      if (verb !== undefined) {
        const { pattern, fields } = compileTemplate(rule[verb]!);
        method.http = {
          verb: verb.toUpperCase() as Route['verb'],
          pattern,
          fields,
          body: rule.body === undefined ? '' : rule.body === '*' ? '*' : camel(rule.body),
        };
      }
    }
    methods.set(m.name, method);
  }
  const names = (path: string): Record<number, string> => root.lookupEnum(path).valuesById;
  loaded = {
    root,
    methods,
    enums: {
      protectionLevel: names('google.cloud.kms.v1.ProtectionLevel'),
      algorithm: names('google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionAlgorithm'),
      purpose: names('google.cloud.kms.v1.CryptoKey.CryptoKeyPurpose'),
      state: names('google.cloud.kms.v1.CryptoKeyVersion.CryptoKeyVersionState'),
    },
  };
  return loaded;
}
