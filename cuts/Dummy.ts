/**
 * PYLOGEN's Dummy CUT: an operation that sleeps. --extra:
 *   sleep        seconds each request sleeps (default 0.1; 0 = returns at once, synchronously)
 *   transaction  true: three requests R0-EXEC, R1-EXEC, R2-EXEC per operation (a transaction)
 *   error        N: every Nth operation fails (its last request throws), with an error message
 */
import { ClassUnderTest, exec, type CutPlanView, type Operation, type Request } from 'pylogen/cut';

interface DummyExtra {
  sleep?: number;
  transaction?: boolean;
  error?: number;
}

export class DummyError extends Error {
  override name = 'DummyError';
}

export class Dummy extends ClassUnderTest<DummyExtra> {
  override transactionName = 'T-EXEC';
  private sleepMs = 100;
  private requests = ['R0-EXEC'];
  private errorEvery = 0;
  private ops = 0;

  static override readonly extraKeys = {
    sleep: 'seconds each request sleeps (default 0.1; 0 returns at once)',
    transaction: 'true: three requests R0-EXEC, R1-EXEC, R2-EXEC per operation (default false)',
    error: 'N: every Nth operation fails with a DummyError (default 0: none)',
  };

  static override validate(plan: CutPlanView): string[] {
    const e = plan.extra as DummyExtra;
    const problems: string[] = [];
    if (e.sleep !== undefined && (typeof e.sleep !== 'number' || !(e.sleep >= 0)))
      problems.push(`--extra: "sleep" must be a number of seconds >= 0, but is ${JSON.stringify(e.sleep)}`);
    if (e.transaction !== undefined && typeof e.transaction !== 'boolean')
      problems.push(`--extra: "transaction" must be true or false, but is ${JSON.stringify(e.transaction)}`);
    if (e.error !== undefined && (typeof e.error !== 'number' || !Number.isInteger(e.error) || e.error < 0))
      problems.push(`--extra: "error" must be a whole number >= 0, but is ${JSON.stringify(e.error)}`);
    return problems;
  }

  override async setup(): Promise<void> {
    this.sleepMs = (this.extra.sleep ?? 0.1) * 1000;
    if (this.extra.transaction === true) this.requests = ['R0-EXEC', 'R1-EXEC', 'R2-EXEC'];
    this.errorEvery = this.extra.error ?? 0;
  }

  @exec
  exec(req: Request, fail: boolean): Promise<void> | void {
    if (this.sleepMs > 0) {
      return new Promise((resolve, reject) => setTimeout(() => (fail ? reject(new DummyError(`${req.name} failed on purpose`)) : resolve()), this.sleepMs));
    }
    if (fail) throw new DummyError(`${req.name} failed on purpose`);
  }

  func(op: Operation): Promise<void> | void {
    const n = ++this.ops;
    const fail = this.errorEvery > 0 && n % this.errorEvery === 0;
    const last = this.requests.length - 1;
    if (this.sleepMs === 0) {
      if (last === 0) return this.exec(op.req('R0-EXEC'), fail);
      for (let i = 0; i <= last; i++) this.exec(op.req(this.requests[i]!), fail && i === last);
      return;
    }
    return (async () => {
      for (let i = 0; i <= last; i++) await this.exec(op.req(this.requests[i]!), fail && i === last);
    })();
  }
}
