import { fileURLToPath } from 'node:url';

/** The package's root folder (the one with package.json, cuts/, profiles/), from dist/ or src/. */
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
