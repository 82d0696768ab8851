// ESLint 9 flat config, run by `npm test` before vitest: typescript-eslint's recommended rules over the
// TypeScript sources (src/, cuts/, test/), and ESLint's recommended ones over the JavaScript (bench/,
// scripts/, bin/, the config files and test fixtures for Node; assets/ for the browser, where the HTML
// pages inline them). Formatting is not linted here (Prettier checks it).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// A leading underscore marks a parameter an interface requires but this implementation does not use.
const unused = { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.d.ts', 'test/fixtures/Broken.ts'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommended],
    rules: { '@typescript-eslint/no-unused-vars': ['error', unused] },
  },
  {
    files: ['test/**/*.ts'],
    // Tests read JSON documents (summaries, HTTP answers) whose shape is what they assert.
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: globals.node },
    rules: { 'no-unused-vars': ['error', unused] },
  },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs' } },
  {
    // The HTML pages' scripts: classic scripts in the browser, after uPlot's (the global uPlot) and
    // assets/charts.js (the global pylogenCharts), all inlined by src/report/renderReport.ts.
    files: ['assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, uPlot: 'readonly', pylogenCharts: 'readonly' } },
  },
);
