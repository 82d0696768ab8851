/**
 * How a .ts CUT becomes JavaScript, in one place: by the module hooks for a CUT of ./cuts (at load),
 * and by `npm run build` for the package's own cuts/ (scripts/build-cuts.js writes dist/cuts/, which a
 * runner then imports with no hooks thread and no compiler: src/cut/load.ts).
 * Types stripped, TC39 decorators (@exec) lowered, an ES module, a source map inline.
 */
export const CUT_TRANSFORM = { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline' } as const;

/**
 * esbuild's "Transform failed with 1 error:" names the place only in the lines after it, which a
 * one-line message drops: the first error as the compilers print it, `file:line:col: message`
 * (column from 1, as editors count), then its source line and a caret under the column.
 */
export function compileError(err: unknown, file: string): Error {
  const first = (err as { errors?: { text: string; location?: { line: number; column: number; lineText: string } | null }[] }).errors?.[0];
  if (first === undefined) return err as Error;
  const at = first.location;
  if (at === undefined || at === null) return new SyntaxError(`${file}: ${first.text}`);
  const text = at.lineText.replace(/\t/g, ' ');
  return new SyntaxError(`${file}:${at.line}:${at.column + 1}: ${first.text}\n    ${text.trimEnd()}\n    ${' '.repeat(at.column)}^`);
}
