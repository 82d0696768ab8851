/**
 * A runner: one child process per runner of a CUT line (child_process.fork). It loads the CUT, runs
 * setup(), says `ready`, waits for its start instant, loops, runs teardown(), flushes its events and
 * sends its done message (its final figures). It exits by itself when its IPC channel closes (the main process died).
 */
import { systemClock } from '../cut/clock.js';
import { loadCut } from '../cut/load.js';
import { readSource, requestsOf } from '../cut/catalog.js';
import { describeError } from '../core/errors.js';
import type { MainMessage, RunnerMessage } from '../core/protocol.js';
import type { RunnerSpec } from '../core/plan.js';
import { Recorder } from './Recorder.js';
import type { LoopControl } from './loops/operate.js';
import { cpuMeter } from './cpu.js';
import type { ClassUnderTest } from '../cut/ClassUnderTest.js';
import { declareSecretEnv, redactor } from '../core/redact.js';
import { useProtocols } from '../protocols/seam.js';
import { loadProtocol } from '../registry.js';
import { ExitSpill, SPILL_ENV } from '../core/exitSpill.js';

/** A batch that is not full goes out after this long. */
const FLUSH_EVERY_MS = 100;

if (typeof process.send !== 'function') {
  process.stderr.write('pylogen runner: must be started by pylogen (no IPC channel)\n');
  process.exit(2);
}

function send(msg: RunnerMessage): void {
  if (process.connected) process.send!(msg);
}

let finished = false;
let failedHere = false;
// The main process closes the channel once it has our done message; before that, a closed channel means
// it is gone: stop at once, nobody would read what we measure (no orphan keeps loading a KMS).
// If the CUT blocks the event loop, the main process's orphan guard kills us (controller/orphanGuard.ts).
process.on('disconnect', () => process.exit(failedHere ? 1 : finished ? 0 : 3));

let recorder: Recorder | undefined;
const spill = new ExitSpill(process.env[SPILL_ENV]);
let control: LoopControl | undefined;
let startResolve: ((at: number) => void) | undefined;
let stopRequested = false;

process.on('message', (m: MainMessage) => {
  switch (m.type) {
    case 'init':
      init(m.spec).catch((err) => fail(phase, err));
      break;
    case 'start':
      startResolve?.(m.at);
      break;
    case 'ack':
      recorder?.ack(m.seq);
      spill.ack(m.seq);
      break;
    case 'stop':
      stopRequested = true;
      control?.stop();
      startResolve?.(Number.NaN);
      break;
  }
});

// SIGINT reaches the whole process group from a terminal: the main process decides, not us.
process.on('SIGINT', () => {});

let phase: 'load' | 'setup' | 'run' | 'teardown' = 'load';
/** the run's known secrets out of every error text this runner sends (src/core/redact.ts) */
let redact = redactor();

function fail(where: typeof phase, err: unknown): void {
  if (finished) return;
  finished = true;
  failedHere = true;
  // What was recorded before the failure still reaches the stats queue.
  try {
    recorder?.flush(true);
  } catch {
    /* the failure is what matters */
  }
  send({ type: 'failed', phase: where, error: redact(describeError(err)) });
  // Exit once the failure message is out: the main process closes the channel, or a timer decides.
  setTimeout(() => process.exit(1), 1000).unref();
}

async function init(spec: RunnerSpec): Promise<void> {
  const clock = systemClock;
  // A runner is a composition root too: it installs only its line's protocol (its errorType hook), and
  // redacts every credential variable the main process knows.
  if (spec.protocol !== undefined) useProtocols([await loadProtocol(spec.protocol)]);
  declareSecretEnv(spec.secretEnv ?? []);
  redact = redactor(process.env, spec.options.extra);
  const Cut = await loadCut(spec.cut, spec.modulePath);
  const cut = new Cut() as ClassUnderTest;
  cut.extra = spec.options.extra;
  cut.runner = {
    index: spec.index,
    count: spec.count,
    id: spec.options.id,
    cut: spec.cut,
    endpoint: spec.endpoint,
    region: spec.options.region,
    client: spec.options.client,
    retries: spec.options.retries,
    timeout: spec.options.timeout,
    lengths: spec.options.lengths,
  };
  const label = `[${spec.options.id}.${spec.index}.${spec.cut}]`;
  cut.log = (m) => process.stderr.write(`${label} ${m}\n`);
  phase = 'setup';
  await cut.setup();
  recorder = new Recorder({
    clock,
    shipEvents: spec.shipEvents,
    batchSize: spec.batchSize,
    window: spec.window,
    openModel: spec.options.schedule !== '',
    send: (b) => {
      spill.keep(b);
      send(b);
    },
    intervalMs: spec.options.summary * 1000,
    redact,
  });
  // Only the loop this runner runs is loaded (the open model's schedule code is not a closed runner's).
  const loop = spec.options.schedule !== '' ? (await import('./loops/open.js')).openLoop : (await import('./loops/closed.js')).closedLoop;
  recorder.transactional = declaresTransactions(spec.modulePath);
  const startAt = await new Promise<number>((resolve) => {
    startResolve = resolve;
    send({ type: 'ready', pid: process.pid });
  });
  startResolve = undefined;
  phase = 'run';
  const cpu = cpuMeter();
  let startedAt = clock.toEpoch(clock.now());
  if (!stopRequested && Number.isFinite(startAt)) {
    await waitUntil(clock.fromEpoch(startAt));
    startedAt = clock.toEpoch(clock.now());
    recorder.startIntervals();
    control = loop(cut, spec, recorder, clock);
    const rec = recorder;
    const ctl = control;
    if (ctl.arrivals !== undefined) rec.arrivals = () => ({ ...ctl.arrivals!, due: ctl.due ?? 0 });
    // Local throughput, computed inside the runner every --summary seconds (PYLOGEN's local stats).
    // Ok requests only: a failed request is not throughput.
    let lastCount = 0;
    let lastAt = clock.now();
    const tick = setInterval(() => {
      const now = clock.now();
      rec.flush();
      const ok = rec.localCount - rec.localErrors;
      rec.localTps = ((ok - lastCount) * 1000) / (now - lastAt);
      lastCount = ok;
      lastAt = now;
      send({ type: 'tick', localTps: rec.localTps, localCount: rec.localCount, at: clock.toEpoch(now), cpu: cpu.sample() });
    }, spec.options.summary * 1000);
    // Events reach the stats queue within FLUSH_EVERY_MS even at low rates. The flushes fall on
    // wall-clock multiples of FLUSH_EVERY_MS and of --summary, so each series interval's counts and
    // histograms close within a timer's delay of its boundary (and shards' intervals line up).
    const step = Math.min(FLUSH_EVERY_MS, spec.options.summary * 1000);
    let flusher: NodeJS.Timeout | undefined;
    const armFlush = () => {
      const epoch = clock.toEpoch(clock.now());
      const next = Math.min(Math.floor(epoch / step) * step + step, Math.floor(epoch / (spec.options.summary * 1000) + 1) * spec.options.summary * 1000);
      flusher = setTimeout(
        () => {
          rec.flush();
          armFlush();
        },
        Math.max(1, next - epoch + 0.5),
      );
    };
    armFlush();
    try {
      await control.done;
    } finally {
      clearInterval(tick);
      clearTimeout(flusher);
    }
  }
  const endedAt = clock.toEpoch(clock.now());
  const busy = cpu.total();
  phase = 'teardown';
  await cut.teardown();
  recorder.flush(true);
  const retries = cut.retried();
  const c = control;
  send({
    type: 'done',
    sentEvents: recorder.sentEvents,
    sentBatches: recorder.sentBatches,
    requests: recorder.localCount,
    transactions: recorder.transactions,
    loops: c?.loops ?? 0,
    ...(c?.arrivals !== undefined ? { arrivals: c.arrivals } : {}),
    cpu: busy,
    startedAt,
    endedAt,
    blockedMs: recorder.blockedMs,
    ...(retries > 0 ? { retries } : {}),
  } satisfies RunnerMessage);
  finished = true;
  // Let the main process close the channel once it has everything; exit then (or at once if gone).
}

/** Whether a CUT's source names several requests: its operations are then transactions, failed ones too. */
function declaresTransactions(modulePath: string): boolean {
  try {
    return requestsOf(readSource(modulePath)).length >= 2;
  } catch {
    return false; // learnt from the first operation that makes two requests
  }
}

/** Waits for a monotonic instant to within ~1 ms: a timer to just before it, then a short spin. */
async function waitUntil(t: number): Promise<void> {
  const clock = systemClock;
  const ahead = t - clock.now() - 2;
  if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
  while (clock.now() < t && !stopRequested) {
    /* spin the last milliseconds: setTimeout alone is late by up to a few ms */
  }
}

// A CUT that calls process.exit(): what was recorded still goes out, and the main process learns
// why. The IPC writes are tried, and what libuv would drop at exit goes to the spill file too.
process.on('exit', (code) => {
  if (finished || !process.connected) return;
  try {
    recorder?.flush(true);
    const why = { type: 'failed', phase, error: `the process exited with code ${code} (process.exit called by the CUT?)` } satisfies RunnerMessage;
    spill.write([why]);
    send(why);
  } catch {
    /* exiting anyway */
  }
});

process.on('uncaughtException', (err) => fail(phase, err));
process.on('unhandledRejection', (err) => fail(phase, err));
