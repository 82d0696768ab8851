/**
 * Reading JSON given by the user (profiles, summaries, key files): a UsageError that names the file
 * on any problem, one line, in the words of the caller.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.js';

/** Parses `text`; when it is not JSON, a UsageError `<label>: <notJson(JSON.parse's message)>`. */
export function parseJson(text: string, label: string, notJson: (why: string) => string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${label}: ${notJson((err as Error).message)}`);
  }
}

/** Reads and parses a JSON file; `<label>: cannot be read (ENOENT)` when it cannot be read. */
export function readJsonFile(path: string, label: string, notJson = (why: string) => `not valid JSON (${why})`): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${label}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseJson(text, label, notJson);
}

/** A JSON value that is an object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
