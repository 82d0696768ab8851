/** `pylogen kms serve|setup`. */
import { UsageError } from '../errors.js';

export async function kmsCommand(argv: string[]): Promise<number> {
  throw new UsageError(`kms ${argv[0] ?? ''}: not available yet`);
}
