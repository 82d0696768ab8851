/**
 * The Azure key file (profiles/AzureDefault.json): named entries, each a Key Vault / Managed HSM key
 * that `pylogen azure setup` (and `--endpoint azure-local`) creates under its `name`, and that an
 * AzureKeyVault CUT uses by that name (its latest version, or a fixed `version`). Looked up like the
 * other key files (core/keyFile.ts); every problem of a file reported at once, one line.
 *
 *   { "rsa2048": { "name": "pylogen-rsa2048", "kty": "RSA", "size": 2048 },
 *     "ec256":   { "name": "pylogen-ec256", "kty": "EC", "curve": "P-256" },
 *     "aes256":  { "name": "pylogen-aes256", "kty": "oct-HSM", "size": 256 } }
 *
 * Beside the entries, an optional "vaultUrl": "https://NAME.vault.azure.net" (a string, where an entry
 * is an object) says where the keys are: the URL of a line without --endpoint (--endpoint overrides it).
 */
import { Problems, UsageError } from '../core/errors.js';
import { findKeyFile, keyFileObject, oneOf, parseEntries, quote, resolveKey, unknownFields } from '../core/keyFile.js';

export const AZURE_KTYS = ['RSA', 'RSA-HSM', 'EC', 'EC-HSM', 'oct-HSM'] as const;
export type AzureKty = (typeof AZURE_KTYS)[number];
export const AZURE_CURVES = ['P-256', 'P-384', 'P-521'] as const;
export type AzureCurve = (typeof AZURE_CURVES)[number];
/** What a key is for, from its type: the CUTs check it. */
export type AzureFamily = 'rsa' | 'ec' | 'oct';

export interface AzureKeyEntry {
  /** the key-file entry's name */
  entry: string;
  /** the key's name in the vault */
  name: string;
  /** a fixed version (default: the latest) */
  version?: string;
  kty: AzureKty;
  family: AzureFamily;
  /** RSA modulus bits, or oct-HSM key bits */
  size?: number;
  curve?: AzureCurve;
}

export const DEFAULT_AZURE_KEY_FILE = 'AzureDefault.json';
const FIELDS = ['name', 'version', 'kty', 'size', 'curve'];
const SIZES: Record<AzureFamily, readonly number[]> = { rsa: [2048, 3072, 4096], oct: [128, 192, 256], ec: [] };

export const familyOf = (kty: AzureKty): AzureFamily => (kty.startsWith('RSA') ? 'rsa' : kty.startsWith('EC') ? 'ec' : 'oct');

export interface AzureKeyFile {
  path: string;
  label: string;
  entries: Map<string, AzureKeyEntry>;
  /** the file's "vaultUrl": where its keys are, unless --endpoint says otherwise */
  vaultUrl?: string;
}

/** The file's member that is not a key entry. */
const VAULT_URL = 'vaultUrl';

export function parseAzureKeyFile(text: string, label: string): Map<string, AzureKeyEntry> {
  return parseAzureKeyDoc(text, label).entries;
}

function parseAzureKeyDoc(text: string, label: string): { entries: Map<string, AzureKeyEntry>; vaultUrl?: string } {
  const { [VAULT_URL]: vaultUrl, ...doc } = keyFileObject(text, label, undefined, false);
  if (vaultUrl !== undefined && (typeof vaultUrl !== 'string' || vaultUrl === '')) {
    throw new UsageError(`${label}: "${VAULT_URL}" must be the vault's URL (https://NAME.vault.azure.net), but is ${quote(vaultUrl)}`);
  }
  const problems = new Problems();
  const entries = parseEntries(doc, problems, (entry, o, at) => parseEntry(entry, o, at, problems), {
    unique: { field: 'name', of: (e) => e.name },
  });
  problems.throwIfAny(`${label}: `);
  return { entries, ...(vaultUrl === undefined ? {} : { vaultUrl }) };
}

function parseEntry(entry: string, o: Record<string, unknown>, at: string, problems: Problems): AzureKeyEntry | undefined {
  unknownFields(o, FIELDS, problems, at);
  const name = o.name;
  if (typeof name !== 'string' || !/^[0-9A-Za-z-]{1,127}$/.test(name)) {
    problems.add(`${at}: name must be 1 to 127 letters, digits or '-' (Key Vault's rule), but is ${quote(name)}`);
  }
  if (o.version !== undefined && (typeof o.version !== 'string' || !/^[0-9A-Za-z]{1,64}$/.test(o.version))) {
    problems.add(`${at}: version must be a key version (letters and digits), but is ${quote(o.version)}`);
  }
  const kty = oneOf(o, 'kty', AZURE_KTYS, at, problems);
  if (kty === undefined) return undefined;
  const family = familyOf(kty);
  let curve: AzureCurve | undefined;
  if (family === 'ec') {
    curve = oneOf(o, 'curve', AZURE_CURVES, at, problems);
    if (o.size !== undefined) problems.add(`${at}: an EC key takes curve, not size`);
  } else {
    if (o.curve !== undefined) problems.add(`${at}: curve is for EC keys only`);
    if (!SIZES[family].includes(o.size as number))
      problems.add(`${at}: size of a ${kty} key must be one of ${SIZES[family].join(', ')}, but is ${quote(o.size)}`);
  }
  return {
    entry,
    name: name as string,
    ...(typeof o.version === 'string' ? { version: o.version } : {}),
    kty,
    family,
    ...(family === 'ec' ? { curve: curve! } : { size: o.size as number }),
  };
}

export function loadAzureKeyFile(nameOrPath: string | undefined, cwd: string, packageRoot: string): AzureKeyFile {
  const { path, text } = findKeyFile(nameOrPath ?? DEFAULT_AZURE_KEY_FILE, cwd, packageRoot);
  const label = nameOrPath ?? DEFAULT_AZURE_KEY_FILE;
  return { path, label, ...parseAzureKeyDoc(text, label) };
}

/**
 * The vault URL of a line: its --endpoint, else the key file's "vaultUrl" (else ''), and where it came
 * from, for messages.
 */
export function azureVaultUrl(endpoint: string, file: AzureKeyFile): { url: string; from: string } {
  if (endpoint !== '' || file.vaultUrl === undefined) return { url: endpoint, from: '--endpoint' };
  return { url: file.vaultUrl, from: `${file.label} "${VAULT_URL}"` };
}

export const pickAzureKey = (file: AzureKeyFile, entry: string): AzureKeyEntry => resolveKey(file.entries, entry, file.label);

/** How an entry reads in messages: "pylogen-rsa2048 (RSA 2048)". */
export const describeAzureKey = (k: AzureKeyEntry): string => `${k.name} (${k.kty} ${k.curve ?? k.size})`;
