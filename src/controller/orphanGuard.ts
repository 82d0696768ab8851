/**
 * Runners never outlive the main process, even killed by SIGKILL while a CUT blocks a runner's
 * event loop (then the runner cannot see its IPC channel close). One small shell per main process
 * reads the runners' pids on a pipe from us; end of file on that pipe means we are gone (the kernel
 * closes it whatever killed us), and it SIGKILLs the runners still listed. It replaces a watchdog
 * thread in every runner, which cost each runner 12 MB of its RSS (docs/performance.md); the shell
 * costs about 1 MB once, and nothing while it waits in `read`.
 */
import { spawn, type ChildProcess } from 'node:child_process';

// `+ PID` lists a runner, `- PID` takes it off (it exited: its pid may be reused). Deaf to the
// terminal's SIGINT and SIGHUP: pylogen decides on those, and the shell must outlive them to act.
const SCRIPT = `trap '' INT HUP TERM
pids=' '
while read -r op pid; do
  case $op in
    +) pids="$pids$pid " ;;
    -) pids=$(printf '%s' "$pids" | sed "s/ $pid / /") ;;
  esac
done
[ -n "\${pids# }" ] && kill -9 $pids 2>/dev/null
exit 0`;

let guard: ChildProcess | undefined;

function write(line: string): void {
  if (guard === undefined) {
    guard = spawn('/bin/sh', ['-c', SCRIPT, 'pylogen-orphan-guard'], { stdio: ['pipe', 'ignore', 'ignore'] });
    // It never keeps pylogen alive, and a guard that could not start is not the run's failure.
    guard.on('error', () => undefined);
    guard.stdin!.on('error', () => undefined);
    guard.unref();
    (guard.stdin as unknown as { unref?: () => void }).unref?.();
  }
  guard.stdin!.write(line);
}

/** Kill this runner if the main process dies before it. */
export function guardRunner(pid: number): void {
  write(`+ ${pid}\n`);
}

/** The runner exited: its pid is no longer ours to kill. */
export function releaseRunner(pid: number): void {
  write(`- ${pid}\n`);
}
