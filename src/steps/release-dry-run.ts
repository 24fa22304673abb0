import { createDriver } from '../deploy/create-driver.ts';
import { formatDuration } from '../durations.ts';
import { ConfigurationError } from '../errors.ts';
import type { DeploySettings, RollbackSettings } from '../model/release.ts';
import { planDeploy, planRollback, type ReleasePlan } from '../release/plan-release.ts';
import type { ReleaseDeps } from '../release/release-deps.ts';
import { settleAbandoned } from '../release/release-state.ts';
import { inPlaceStrategy } from '../release/strategy.ts';

export type DryRunRequest =
  | { readonly kind: 'deploy'; readonly settings: DeploySettings }
  | { readonly kind: 'rollback'; readonly settings: RollbackSettings };

export interface DryRunOutcome {
  readonly result: 'dry-run';
  readonly version: string;
  readonly previous?: string;
  readonly production: 'untouched';
  readonly attempts: readonly [];
  readonly facts: Readonly<Record<string, number | string>>;
  readonly message: string;
}

/**
 * What a release would do, from the same plan the real one makes, changing nothing: refused as
 * the real run would be (the same ConfigurationError), or the plan in one block of lines.
 */
export async function planDryRun(request: DryRunRequest, deps: ReleaseDeps): Promise<DryRunOutcome> {
  const { settings } = request;
  const state = settleAbandoned(
    await deps.backend.read(settings.environment),
    new Date(deps.clock.now()).toISOString(),
  );
  const plan: ReleasePlan =
    request.kind === 'deploy' ? planDeploy(state, request.settings) : planRollback(state, request.settings);
  if (plan.kind === 'refuse') throw new ConfigurationError(plan.input, plan.problem, plan.remedy);
  const driver = createDriver(settings.driver, deps.runner, deps.logger);
  const strategy = inPlaceStrategy(driver, settings.retry, deps.logger);
  const from = plan.kind === 'release' ? plan.from : plan.version;
  const hooks =
    request.kind === 'deploy'
      ? Object.entries(request.settings.hooks).map(([k, v]) => `${k}: ${v}`)
      : request.settings.onRollback
        ? [`on-rollback: ${request.settings.onRollback}`]
        : [];
  const { verify } = settings;
  const lines = [
    `Dry run: nothing will change. ${request.kind} ${settings.environment}: ${from ?? 'nothing'} → ${plan.version}`,
    plan.kind === 'confirm'
      ? `  plan:        ${plan.version} is current and verified: verify it again, and change nothing if it passes`
      : `  plan:        ${plan.markBad ? `mark ${plan.markBad} bad, ` : ''}${strategy.plan(plan.version)}, then verify`,
    `  retry:       ${settings.retry.attempts} attempts, ${formatDuration(settings.retry.waitMs)} wait ×${settings.retry.factor}, ${formatDuration(settings.retry.attemptTimeoutMs)} per attempt`,
    `  lock:        ${settings.environment} (wait up to ${formatDuration(settings.lockTimeoutMs)})`,
    `  hooks:       ${hooks.join('; ') || 'none'}`,
    `  verify:      ${[...verify.probes.map((p) => p.name), verify.versionCommand ? 'version-command' : '', verify.versionUrl ? 'version-url' : ''].filter(Boolean).join(', ') || 'nothing'}`,
  ];
  let facts: Readonly<Record<string, number | string>> = {};
  if (driver.checkRun && plan.kind === 'release') {
    const check = await driver.checkRun({
      version: plan.version,
      environment: settings.environment,
      ...(from ? { previous: from } : {}),
      timeoutMs: settings.retry.attemptTimeoutMs,
      signal: deps.signal ?? new AbortController().signal,
    });
    facts = check.facts ?? {};
    lines.push(`  check run:   ${check.summary}`);
  }
  return {
    result: 'dry-run',
    version: plan.version,
    ...(from ? { previous: from } : {}),
    production: 'untouched',
    attempts: [],
    facts,
    message: lines.join('\n'),
  };
}
