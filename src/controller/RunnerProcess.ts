/**
 * One runner child process seen from the main process: transport (fork, send, kill) and lifecycle
 * (a state machine), apart from the scheduling in run.ts (vitest forksWorker / poolRunner). A
 * child's death becomes an error with its context: which runner, in which state, which exit code.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';
import type { BatchMessage, MainMessage, RunnerMessage } from '../core/protocol.js';
import type { RunnerSpec } from '../core/plan.js';
import { readSpill, SPILL_ENV, spillPath } from '../core/exitSpill.js';
import { guardRunner, releaseRunner } from './orphanGuard.js';

/** How long the IPC messages of a runner that exited may take to arrive before its spill file is read. */
const DISCONNECT_AFTER_EXIT_MS = 1000;

/** How long a runner that sent its done message may take to exit before it is killed. */
const LINGER_AFTER_DONE_MS = 500;

export type RunnerState = 'starting' | 'ready' | 'running' | 'stopping' | 'stopped' | 'failed';

export type DoneMessage = Extract<RunnerMessage, { type: 'done' }>;

export interface RunnerEvents {
  onBatch(r: RunnerProcess, b: BatchMessage): void;
  onTick(r: RunnerProcess, m: Extract<RunnerMessage, { type: 'tick' }>): void;
  onState(r: RunnerProcess): void;
}

/** How a runner's process is started, beyond its spec (which travels over IPC). */
export interface RunnerLaunch {
  /** variables set in the runner's environment on top of ours; `undefined` removes one (credentials) */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * where the runner's stdout and stderr lines go, when not straight to our stderr: the live
   * progress block prints them above itself so they do not break it
   */
  output?: (line: string) => void;
}

function withEnv(base: NodeJS.ProcessEnv, changes: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * Every runner's environment: the AWS SDK prints a 9-line notice about the Node version in each
 * process that loads it, on stderr, mixed with the status lines; one process is told once by
 * `pylogen --version`-level docs, not N times per run.
 */
const RUNNER_ENV = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } as const;

export class RunnerProcess {
  state: RunnerState = 'starting';
  readonly child: ChildProcess;
  done: DoneMessage | undefined;
  /** why it failed: one line with the runner, the state and the cause */
  failure: string | undefined;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  readonly exited: Promise<void>;
  /** the seq of the last batch received: a spilled batch up to it was received over IPC already */
  lastSeq = 0;
  private readonly spill = spillPath();

  constructor(
    readonly spec: RunnerSpec,
    private readonly events: RunnerEvents,
    launch: RunnerLaunch = {},
  ) {
    this.child = fork(join(packageRoot, 'dist/runner/main.js'), [], {
      serialization: 'advanced',
      env: withEnv(process.env, { ...RUNNER_ENV, ...launch.env, [SPILL_ENV]: this.spill }),
      // The child's stdout goes to our stderr: stdout is the event stream, a CUT's console.log must
      // not corrupt it.
      stdio: launch.output === undefined ? ['ignore', 2, 2, 'ipc'] : ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: process.env.PYLOGEN_RUNNER_NODE_OPTIONS ? process.env.PYLOGEN_RUNNER_NODE_OPTIONS.split(' ') : [],
    });
    if (this.child.pid !== undefined) guardRunner(this.child.pid);
    if (launch.output !== undefined) {
      for (const stream of [this.child.stdout!, this.child.stderr!]) forwardLines(stream, launch.output);
    }
    this.child.on('message', (m: RunnerMessage) => this.onMessage(m));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        if (this.child.pid !== undefined) releaseRunner(this.child.pid);
        void this.readSpilled().then(() => {
          if (this.state !== 'stopped' && this.state !== 'failed') {
            this.fail(`exited ${signal !== null ? `on ${signal}` : `with code ${code}`} while ${this.state}`);
          }
          resolve();
        });
      });
    });
    this.child.on('error', (err) => this.fail(`process error: ${err.message}`));
    this.send({ type: 'init', spec });
  }

  get label(): string {
    return `runner ${this.spec.options.id}.${this.spec.index} (${this.spec.cut}, pid ${this.child.pid ?? '?'})`;
  }

  /**
   * A message to a runner that is exiting finds its channel closed (EPIPE, ERR_IPC_CHANNEL_CLOSED).
   * With a callback, Node hands that error to it instead of emitting 'error' (which would fail the
   * runner with the wrong reason): the exit, or the runner's own `failed` message, says why it ended.
   */
  send(m: MainMessage): void {
    if (this.child.connected) this.child.send(m, ignoreClosedChannel);
  }

  private setState(s: RunnerState): void {
    this.state = s;
    if (s === 'stopped' || s === 'failed') this.endedAt = Date.now();
    this.events.onState(this);
  }

  private fail(why: string): void {
    if (this.state === 'failed' || this.state === 'stopped') return;
    this.failure = `${this.label} failed: ${why}`;
    this.setState('failed');
    for (const w of this.readyWaiters) w.reject(new Error(this.failure));
    this.readyWaiters = [];
  }

  private onMessage(m: RunnerMessage): void {
    switch (m.type) {
      case 'ready':
        this.setState('ready');
        for (const w of this.readyWaiters) w.resolve();
        this.readyWaiters = [];
        break;
      case 'batch':
        this.lastSeq = m.seq;
        this.events.onBatch(this, m);
        break;
      case 'tick':
        this.events.onTick(this, m);
        break;
      case 'done':
        this.done = m;
        this.setState('stopped');
        // Everything was received (messages arrive in order): let the runner exit.
        if (this.child.connected) this.child.disconnect();
        this.killIfLingering();
        break;
      case 'failed':
        this.fail(`${m.error} (in ${m.phase})`);
        break;
    }
  }

  /**
   * What a runner that exited mid-run wrote to its spill file (core/exitSpill.ts), once its IPC
   * messages are in (they arrive before 'disconnect', which may come after 'exit'): the batches not
   * received, and why it ended.
   */
  private async readSpilled(): Promise<void> {
    if (this.state === 'stopped') return; // its done message came: it spilled nothing
    if (this.child.connected) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, DISCONNECT_AFTER_EXIT_MS);
        this.child.once('disconnect', () => (clearTimeout(t), resolve()));
      });
    }
    for (const m of readSpill(this.spill)) {
      if (m.type === 'batch' && m.seq > this.lastSeq) this.onMessage(m);
      else if (m.type === 'failed') this.onMessage(m);
    }
  }

  /**
   * A runner that sent its done message has nothing left to say; if its exit is held up, it is killed. Node's
   * exit waits for libuv's threadpool, where a DNS lookup of an unresolvable endpoint can hang for
   * the resolver's timeout (5 s and more): the run must still end on time.
   */
  private killIfLingering(): void {
    const timer = setTimeout(() => {
      if (this.alive) this.child.kill('SIGKILL');
    }, LINGER_AFTER_DONE_MS);
    timer.unref();
    void this.exited.then(() => clearTimeout(timer));
  }

  /** Resolves when the runner has loaded its CUT and run setup(); rejects if it fails first. */
  ready(timeoutMs: number): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'failed') return Promise.reject(new Error(this.failure));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(`not ready after ${timeoutMs / 1000}s (loading the CUT or its setup() hangs)`);
      }, timeoutMs);
      this.readyWaiters.push({
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }

  /** The instant it was told to start at (epoch ms): it counts as started once that has come. */
  startAt: number | undefined;
  /** When it stopped or failed (epoch ms) */
  endedAt: number | undefined;

  start(at: number): void {
    if (this.state !== 'ready') return;
    this.startAt = at;
    this.send({ type: 'start', at });
    this.setState('running');
  }

  /** Graceful stop: the runner finishes its operations in flight, flushes and sends its done message. */
  stop(): void {
    if (this.state === 'stopped' || this.state === 'failed') return;
    this.send({ type: 'stop' });
    if (this.state === 'running' || this.state === 'ready' || this.state === 'starting') this.setState('stopping');
  }

  /** Stop it for good: SIGTERM, then SIGKILL after killAfterMs. Resolves when it has exited. */
  async kill(killAfterMs = 2000): Promise<void> {
    if (this.exitCode !== null || this.exitSignal !== null) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
    await this.exited;
    clearTimeout(t);
  }

  get alive(): boolean {
    return this.exitCode === null && this.exitSignal === null;
  }
}

function ignoreClosedChannel(): void {}

/** Calls `to` with each whole line read from a child's pipe (a last partial line at its end). */
function forwardLines(stream: NodeJS.ReadableStream, to: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const text = rest + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      rest = text;
      return;
    }
    rest = text.slice(end + 1);
    to(text.slice(0, end + 1));
  });
  stream.on('end', () => {
    if (rest !== '') to(rest + '\n');
    rest = '';
  });
}
