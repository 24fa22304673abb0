export type { CanaryReport, StepSpan } from '../model/canary.ts';

import { formatDuration } from '../durations.ts';
import { InterruptedError } from '../errors.ts';
import type { JudgedProbe } from '../health/engine.ts';
import type { AnalysisSample, CanaryAnalysis, CanaryReport, CanaryStep, StepSpan } from '../model/canary.ts';
import type { CheckResult } from '../model/health.ts';
import type { Clock, Logger } from '../ports.ts';
import { measureAnalysis } from './canary-analysis-run.ts';
import { afterAnalysis, type CanaryMove } from './canary-decision.ts';

export interface StepsRequest {
  readonly steps: readonly CanaryStep[];
  /** The index of the first step to run (after a `pause: {}`, the pause itself: promote ends it). */
  readonly from: number;
  /** The canary's weight before step `from`. */
  readonly weight: number;
  /** Resuming a promoted pause: the step at `from` is that pause, ended. */
  readonly promoted: boolean;
  readonly background?: readonly JudgedProbe[];
  readonly probesOf: (analysis: CanaryAnalysis) => readonly JudgedProbe[];
  /**
   * The canary gets `percent` of the traffic (or of the hosts), read back, before it resolves;
   * or it could not (a host failed its check): the abort that means.
   */
  readonly setWeight: (
    percent: number,
    signal: AbortSignal,
  ) => Promise<Extract<CanaryMove, { kind: 'abort' }> | undefined>;
  /** Recorded before the step acts: the release is at `step` (0-based) with the canary at `weight`. */
  readonly atStep: (step: number, weight: number) => Promise<void>;
  readonly clock: Clock;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export type StepsEnd = { readonly report: CanaryReport; readonly weight: number; readonly step: number } & (
  | { readonly kind: 'promote' }
  | { readonly kind: 'paused' }
  | Extract<CanaryMove, { kind: 'abort' }>
);

/**
 * The canary's steps in order (Argo Rollouts' canary.steps), with the background analysis
 * measured from the first weight on: its first decided failure stops whatever step runs (a
 * pause, an analysis) at once. Ends ready to promote, paused at a `pause: {}`, or aborted; the
 * strategy does what each means. Throws InterruptedError on a cancel, the weight left as it was.
 */
export async function runCanarySteps(request: StepsRequest): Promise<StepsEnd> {
  const { steps, clock, signal, logger } = request;
  const report = {
    steps: [] as StepSpan[],
    weights: [] as { at: number; weight: number }[],
    samples: [] as AnalysisSample[],
  };
  let weight = request.weight;
  let stopped: Extract<CanaryMove, { kind: 'abort' }> | undefined;
  const failure = new AbortController();
  const stepSignal = AbortSignal.any([signal, failure.signal]);
  const abort = (move: CanaryMove) => {
    if (move.kind !== 'abort' || stopped) return;
    stopped = move;
    failure.abort();
  };
  const backgroundStop = new AbortController();
  let background: Promise<void> | undefined;
  const measuring = {
    clock,
    weight: () => weight,
    onSample: (sample: AnalysisSample) => report.samples.push(sample),
  };
  const startBackground = () => {
    if (!request.background || background) return;
    logger.info(
      `Background analysis: measuring ${request.background.map((p) => p.probe.name).join(', ')} until promotion`,
    );
    background = measureAnalysis(request.background, 'background', {
      ...measuring,
      signal: AbortSignal.any([signal, backgroundStop.signal]),
    }).then(
      (result) => result && abort(afterAnalysis(endOf('background', result))),
      (error: unknown) =>
        abort({
          kind: 'abort',
          markBad: false,
          reason: `the background analysis stopped on a fault: ${(error as Error).message}`,
        }),
    );
  };
  if (weight > 0) startBackground();
  const end = async (kind: 'promote' | 'paused' | 'abort', step: number): Promise<StepsEnd> => {
    backgroundStop.abort();
    await background;
    if (signal.aborted) throw interruption(signal);
    const base = { report, weight, step };
    if (kind !== 'abort' && !stopped) return { ...base, kind };
    return { ...base, ...stopped! };
  };
  for (let at = request.from; at < steps.length; at++) {
    const step = steps[at]!;
    const startedAt = clock.now();
    const span = (result: StepSpan['result'], detail?: string) =>
      report.steps.push({
        step: at + 1,
        label: labelOf(step),
        weight,
        startedAt,
        endedAt: clock.now(),
        result,
        ...(detail ? { detail } : {}),
      });
    if (stopped) return end('abort', at);
    if (step.kind === 'set-weight') {
      await request.atStep(at, step.weight);
      // A weight is never set half-way: only a cancel stops it.
      const refused = await request.setWeight(step.weight, signal);
      if (refused) {
        abort(refused);
        span('aborted', refused.reason);
        return end('abort', at);
      }
      weight = step.weight;
      report.weights.push({ at: clock.now(), weight });
      logger.info(`Step ${at + 1}: the canary gets ${weight} % of the traffic`);
      if (weight > 0) startBackground();
    } else if (waitsForPromote(step)) {
      if (!(request.promoted && at === request.from)) {
        await request.atStep(at, weight);
        span('paused', 'waits for promote or abort');
        return end('paused', at);
      }
      logger.info(`Step ${at + 1}: promoted, the pause ends`);
    } else if (step.kind === 'pause') {
      await request.atStep(at, weight);
      logger.info(`Step ${at + 1}: pausing ${formatDuration(step.ms!)} at ${weight} %`);
      await clock.sleep(step.ms!, stepSignal).catch(() => {});
    } else {
      await request.atStep(at, weight);
      const by = `step ${at + 1}`;
      const result = await measureAnalysis(request.probesOf(step.analysis), by, {
        ...measuring,
        signal: stepSignal,
      });
      if (result) {
        const move = afterAnalysis(endOf(by, result));
        span(
          move.kind === 'abort' ? 'aborted' : 'done',
          `${result.verdict}${result.decidedBy ? ` (${result.decidedBy})` : ''}`,
        );
        abort(move);
        if (stopped) return end('abort', at);
        continue;
      }
    }
    if (signal.aborted) throw interruption(signal);
    span(stopped ? 'aborted' : 'done');
    if (stopped) return end('abort', at);
  }
  return end('promote', steps.length);
}

function endOf(by: string, result: CheckResult) {
  const decider = result.probes.find((probe) => probe.name === result.decidedBy) ?? result.probes[0];
  return {
    by,
    verdict: result.verdict,
    ...(result.decidedBy ? { metric: result.decidedBy } : {}),
    reason: decider?.reason ?? result.verdict,
  };
}

/** A `pause: {}`: the release ends paused there until promote (or abort). */
export function waitsForPromote(step: CanaryStep | undefined): boolean {
  return step?.kind === 'pause' && step.ms === undefined;
}

/** Where the steps ended, for the `canary` output: promoted after step 6 of 6, paused or aborted at one. */
export function describeEnd(ended: StepsEnd, stepCount: number): string {
  const of = `of ${stepCount}`;
  if (ended.kind === 'promote') return `promoted after step ${ended.step} ${of}`;
  return `${ended.kind === 'abort' ? 'aborted' : 'paused'} at step ${ended.step + 1} ${of} (${ended.weight} %)`;
}

export function labelOf(step: CanaryStep): string {
  if (step.kind === 'set-weight') return `set-weight ${step.weight}`;
  if (step.kind === 'pause') return step.ms === undefined ? 'pause {}' : `pause ${formatDuration(step.ms)}`;
  return 'analysis';
}

function interruption(signal: AbortSignal): InterruptedError {
  return signal.reason instanceof InterruptedError ? signal.reason : new InterruptedError();
}
