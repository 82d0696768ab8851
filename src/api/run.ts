/**
 * `pylogen/run`: a run from a program (plan, run, report, verdicts). Loads the controller, and is a
 * composition root: importing it installs every protocol (src/registry.ts), as the command line does.
 */
import { installProtocols } from '../registry.js';

await installProtocols();

export { run, type RunResult, type RunIO } from '../controller/run.js';
export { planFromWords, planFromScenario } from '../config/buildPlan.js';
export type { RunPlan, CutLine, LineOptions } from '../core/plan.js';
export type { Summary } from '../stats/summary.js';
export { renderReport, type ReportSummary } from '../report/renderReport.js';
export { writeReport } from '../report/writeReport.js';
export { ExitCode } from '../core/exitcodes.js';
// Verdicts: thresholds parsed and judged over a summary (a run's, read back, or shards' merged).
export { parseThreshold, canOnlyGetWorse, type Threshold } from '../verdict/threshold.js';
export { evaluateThresholds, verdicts, formatVerdicts, type Verdict, type Judged, type VerdictSource } from '../verdict/evaluateThresholds.js';
export { evaluateSummary, sourceFromSummary } from '../verdict/sourceFromSummary.js';
