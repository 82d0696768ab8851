/**
 * A threshold: `[REQUEST:]METRIC OP VALUE` (k6's thresholds, Artillery's `ensure`), parsed into a
 * typed value with no reference to a run. Pure: src/verdict/evaluateThresholds.ts judges it over a
 * summary, wherever that summary came from (one run, one capacity step, several shards merged).
 *
 *   p99<20               latency (ms) over every request of the run
 *   ENCRYPT:p99.9<50ms   latency of one request name (ms, s or us)
 *   service.p99<10       service time (from the actual start: open model)
 *   errors<1%            request errors, a count or a share of the requests
 *   throughput>=1000     ok requests per second over the run (failed ones are not throughput)
 *   dropped<=0           open-model arrivals dropped (a count or a share of the planned ones)
 *   ThrottlingException<1%  one error type of errorsByType (a count or a share of the requests)
 */

import { LATENCY_METRICS, type LatencyMetric, type Op, type Target, type Threshold } from '../core/threshold.js';

export { LATENCY_METRICS, type LatencyMetric, type Op, type Target, type Threshold };

const SHAPE = /^(?:([^:<>=]*):)?([^<>=]+?)\s*(<=|>=|<|>)\s*([^<>=]+)$/;
const VALUE = /^(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|us|µs|%|\/s)?$/;
const MS_PER: Record<string, number> = { ms: 1, s: 1000, us: 0.001, µs: 0.001 };
const EXAMPLES = 'like p99<20, ENCRYPT:p99.9<50ms, errors<1%, throughput>=1000';
const METRICS_HELP =
  'min, mean, p50, p90, p95, p99, p99.9, max (ms), service.<latency metric>, errors, throughput, dropped, or an error type such as ThrottlingException';

/** Parses one threshold; a problem names it and says what is wrong, in one line. */
export function parseThreshold(raw: string, label = '--threshold'): { threshold: Threshold } | { problem: string } {
  const text = raw.trim();
  const bad = (why: string) => ({ problem: `${label} "${raw}": ${why}` });
  const m = SHAPE.exec(text);
  if (m === null) {
    if (/[<>]=?\s*$/.test(text) || text === '') return bad(`expected [REQUEST:]METRIC OP VALUE (${EXAMPLES})`);
    if (/==|=/.test(text) && !/[<>]/.test(text)) return bad(`the operator must be <, <=, > or >= (${EXAMPLES})`);
    return bad(`expected [REQUEST:]METRIC OP VALUE with OP one of <, <=, >, >= (${EXAMPLES})`);
  }
  const request = m[1]?.trim();
  if (request === '') return bad('the request name before ":" is empty');
  const name = m[2]!.trim();
  const op = m[3] as Op;
  const v = VALUE.exec(m[4]!.trim());
  if (v === null) return bad(`the value "${m[4]!.trim()}" must be a non-negative number, with ms, s or us for a latency, or % for a share`);
  const n = Number(v[1]);
  const unit = v[2];

  let target: Target;
  let value = n;
  let percent = false;
  const service = name.startsWith('service.');
  const metric = service ? name.slice('service.'.length) : name;
  if ((LATENCY_METRICS as readonly string[]).includes(metric)) {
    if (unit !== undefined && !(unit in MS_PER)) return bad(`a latency is in ms (the default), s or us, not "${unit}"`);
    value = n * MS_PER[unit ?? 'ms']!;
    target = { kind: 'latency', metric: metric as LatencyMetric, service };
  } else if (service) {
    return bad(`service time takes a latency metric (${LATENCY_METRICS.join(', ')}), not "${metric}"`);
  } else if (name === 'throughput') {
    if (unit !== undefined && unit !== '/s') return bad(`throughput is in ok requests per second, not "${unit}"`);
    target = { kind: 'throughput' };
  } else if (name === 'errors' || name === 'dropped') {
    if (unit !== undefined && unit !== '%') return bad(`${name} is a count or a percentage (${name}<1%), not "${unit}"`);
    percent = unit === '%';
    if (name === 'dropped' && request !== undefined) return bad('dropped counts the arrivals of the whole schedule, not of one request');
    target = name === 'errors' ? { kind: 'errors' } : { kind: 'dropped' };
  } else if (/^[A-Z][A-Za-z0-9_.]*$/.test(name) || /^HTTP \d{3}$/.test(name)) {
    // Error types are class names (ThrottlingException, DummyError), codes (ECONNRESET) or
    // `HTTP <status>`: they start with a capital, metrics never do.
    if ([...LATENCY_METRICS, 'errors', 'throughput', 'dropped'].includes(name.toLowerCase())) {
      return bad(`metrics are written in lower case: ${name.toLowerCase()}`);
    }
    if (unit !== undefined && unit !== '%') return bad(`an error type is a count or a percentage (${name}<1%), not "${unit}"`);
    if (request !== undefined) return bad('error types are counted over the whole run, not per request: drop the REQUEST: prefix');
    percent = unit === '%';
    target = { kind: 'errorType', type: name };
  } else {
    return bad(`unknown metric "${name}" (${METRICS_HELP})`);
  }
  if (percent && n > 100) return bad(`a percentage is at most 100, but is ${n}`);
  return { threshold: { text, ...(request !== undefined ? { request } : {}), target, op, value, percent } };
}

/** Whether `measured OP limit` holds. */
export function compare(measured: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<':
      return measured < limit;
    case '<=':
      return measured <= limit;
    case '>':
      return measured > limit;
    case '>=':
      return measured >= limit;
  }
}

/**
 * A threshold whose measure can only grow during a run, so once crossed it stays crossed: an upper
 * bound on a count (errors, an error type, dropped arrivals) or on the maximum latency. These are
 * the ones --abort-on-fail stops on; a share or a percentile may still recover.
 */
export function canOnlyGetWorse(t: Threshold): boolean {
  if (t.op !== '<' && t.op !== '<=') return false;
  if (t.target.kind === 'latency') return t.target.metric === 'max';
  return !t.percent && (t.target.kind === 'errors' || t.target.kind === 'errorType' || t.target.kind === 'dropped');
}
