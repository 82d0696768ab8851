/**
 * The tests are a composition root too (src/registry.ts): a test that calls the pipeline directly
 * (planFromWords, preflightPlan, errorType) finds every protocol installed, as under the command line.
 */
import { installProtocols } from '../src/registry.js';

await installProtocols();
