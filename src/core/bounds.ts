/**
 * How many distinct error types and request (transaction) names a runner keeps at most: an endpoint
 * that answers each request with a new __type (or a CUT naming each request anew) would otherwise
 * grow the summary and the main process's memory without bound. Past the bound they are counted
 * under OTHER, and the summary warns (src/runner/Recorder.ts counts, src/controller/run.ts warns).
 */
export const MAX_ERROR_TYPES = 100;
export const MAX_NAMES = 1000;
export const OTHER = '(other)';
