/**
 * @exec: PYLOGEN's @Executor.exec decorator. It decorates a method whose first argument is a named
 * Request (`op.req('ENCRYPT')`), and times each call of it as that request:
 *
 *   @exec async encrypt(req: Request, data: Buffer) { ... }
 *   func(op: Operation) { return this.encrypt(op.req('ENCRYPT'), op.payload); }
 *
 * A TypeScript 5 (TC39) method decorator; the request carries its operation, so calls made by
 * concurrent operations on one CUT instance are timed apart.
 */
import { Request } from './Operation.js';

export function exec<This, Args extends unknown[], Return>(
  method: (this: This, req: Request, ...args: Args) => Return,
  context: ClassMethodDecoratorContext<This, (this: This, req: Request, ...args: Args) => Return>,
): (this: This, req: Request, ...args: Args) => Return {
  const label = String(context.name);
  return function timed(this: This, req: Request): Return {
    if (!(req instanceof Request)) {
      throw new TypeError(`@exec method ${label}() must be called with a request as first argument: this.${label}(op.req('NAME'), ...)`);
    }
    // `arguments` straight into apply(): no closure nor rest array per call on the hot path.
    // eslint-disable-next-line prefer-rest-params
    return req.op.apply(req.name, method as (...a: never[]) => unknown, this, arguments, req.items) as Return;
  } as unknown as (this: This, req: Request, ...args: Args) => Return;
}
