import { type TemplateSides, templateProbe } from '../canary/template-probe.ts';
import type { VerifyDeps } from '../deploy/verify.ts';
import { createProbe } from '../health/create-probe.ts';
import type { JudgedProbe } from '../health/engine.ts';
import type { CanaryAnalysis } from '../model/canary.ts';
import type { TrafficSettings } from '../model/release.ts';

/**
 * The probes an analysis measures, pointed at this release's two sides: its templates (HAProxy's
 * servers on each side, or each side's version) and its other probes as declared.
 */
export function analysisProbesFor(
  deps: Pick<VerifyDeps, 'runner' | 'redactor' | 'clock'>,
  traffic: TrafficSettings,
  /** The servers on each side: read at each measurement (a canary across hosts grows). */
  sides: {
    readonly canary: readonly string[];
    readonly stable: readonly string[];
    readonly version: string;
    readonly previous?: string;
    /** When the canary first got traffic: no window reaches back before it. */
    readonly since?: number;
  },
): (analysis: CanaryAnalysis) => readonly JudgedProbe[] {
  const templateSides: TemplateSides = {
    ...(traffic.kind === 'haproxy'
      ? {
          haproxy: {
            backend: traffic.backend,
            get canary() {
              return sides.canary;
            },
            get stable() {
              return sides.stable;
            },
          },
        }
      : {}),
    versions: { canary: sides.version, ...(sides.previous ? { stable: sides.previous } : {}) },
  };
  return (analysis) => {
    // Credentials in the Prometheus URL are secrets, as a probe's are.
    if (analysis.prometheus?.password) deps.redactor.add(decodeURIComponent(analysis.prometheus.password));
    return probesOf(analysis);
  };
  function probesOf(analysis: CanaryAnalysis): readonly JudgedProbe[] {
    return [
      ...analysis.templates.map((template) => ({
        probe: templateProbe(template, {
          prometheus: analysis.prometheus!,
          windowMs: analysis.windowMs,
          minRequests: analysis.minRequests,
          sides: templateSides,
          since: () => sides.since,
          now: () => deps.clock.now(),
        }),
        judgement: analysis.judgement,
      })),
      ...analysis.probes.map((spec) => ({
        probe: createProbe(spec, deps.runner, deps.redactor),
        judgement: spec.judgement,
      })),
    ];
  }
}
