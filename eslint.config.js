// ESLint 9 flat config: typescript-eslint's recommended rules over the TypeScript sources (src/,
// cuts/, test/), run by `npm test` before vitest. Formatting is not linted here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.js', '**/*.cjs', '**/*.mjs', '**/*.d.ts', 'test/fixtures/Broken.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a parameter an interface requires but this implementation does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    // Tests read JSON documents (summaries, HTTP answers) whose shape is what they assert.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
