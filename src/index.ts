/** The package `pylogen`: the CUT API for cuts/ files, and the programmatic run(). */
export { ClassUnderTest, type CutPlanView, type RunnerInfo } from './cut/ClassUnderTest.js';
export { Operation, Request } from './cut/Operation.js';
export { exec } from './cut/exec.js';
export { RequestError, RC_ERROR } from './cut/RequestError.js';
export { run, type RunResult, type RunIO } from './controller/run.js';
export { planFromWords, planFromScenario } from './config/buildPlan.js';
export type { RunPlan, CutLine, LineOptions } from './plan.js';
export type { Summary } from './stats/summary.js';
export { ExitCode } from './exitcodes.js';
