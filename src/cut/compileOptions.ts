/**
 * How a .ts CUT becomes JavaScript, in one place: by the module hooks for a CUT of ./cuts (at load),
 * and by `npm run build` for the package's own cuts/ (scripts/build-cuts.js writes dist/cuts/, which a
 * runner then imports with no hooks thread and no compiler: src/cut/load.ts).
 * Types stripped, TC39 decorators (@exec) lowered, an ES module, a source map inline.
 */
export const CUT_TRANSFORM = { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline' } as const;
