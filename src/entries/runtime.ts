/**
 * What every adapter's runtime needs from the core, and nothing more. Each action imports its
 * own entry module (src/entries/<action>.ts), not the whole src/index.ts: esbuild splits code
 * by the files an entry point reaches, so a barrel of everything would make every action load
 * every other action's code at start-up.
 */

export { ProcessRunner } from '../clients/process-runner.ts';
export { systemClock } from '../clients/system-clock.ts';
export { writeOrWait } from '../clients/write-stream.ts';
export { ConfigurationError, describeError, InterruptedError } from '../errors.ts';
export { createHost, type Host } from '../host.ts';
export type * from '../ports.ts';
export { RecordBoundary } from '../record-boundary.ts';
export { Redactor } from '../redactor.ts';
export { withTextPatterns } from '../schema/text-pattern.ts';
export { describeNearLimit, inputsNearArgumentLimit } from '../settings/argument-limit.ts';
export type { InputSpecs, OutputSpecs, RawInputs } from '../settings/input-spec.ts';
export type { Step, StepOutcome } from '../step.ts';
