import { createDriver } from '../deploy/create-driver.ts';
import { formatDuration } from '../durations.ts';
import { ConfigurationError } from '../errors.ts';
import type { DeploySettings, RollbackSettings } from '../model/release.ts';
import { planDeploy, planRollback, type ReleasePlan } from '../release/plan-release.ts';
import type { ReleaseDeps } from '../release/release-deps.ts';
import { settleAbandoned } from '../release/release-state.ts';
import { strategyFor } from '../release/strategy-for.ts';

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
  const driver = createDriver(settings.driver, deps.runner, deps.logger, settings.hosts);
  // The strategy the release would use, asked what it would do now (blue-green reads the proxy).
  const strategy = strategyFor(settings, deps, driver);
  const signal = deps.signal ?? new AbortController().signal;
  const preview =
    plan.kind === 'release' && strategy.preview
      ? await strategy.preview({ version: plan.version, state, signal })
      : undefined;
  if (preview?.refusal)
    throw new Error(
      `Dry run: this ${request.kind} would change nothing and fail now: ${preview.refusal}\n${preview.lines.join('\n')}`,
    );
  const from = plan.kind === 'release' ? plan.from : plan.version;
  const hooks =
    request.kind === 'deploy'
      ? Object.entries(request.settings.hooks)
          .filter(([, command]) => command)
          .map(([name, command]) => [name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), command] as const)
      : request.settings.onRollback
        ? [['on-rollback', request.settings.onRollback] as const]
        : [];
  const { verify } = settings;
  const checks = [
    ...verify.probes.map((p) => p.name),
    verify.versionCommand ? 'version-command' : '',
    verify.versionUrl ? 'version-url' : '',
  ].filter(Boolean);
  // The commands themselves go to the log only (masked there): what is reported names them.
  deps.logger.info(
    plan.kind === 'confirm'
      ? `Plan: ${plan.version} is current and verified: verify it again, and change nothing if it passes`
      : `Plan: ${plan.markBad ? `mark ${plan.markBad} bad, ` : ''}${strategy.plan(plan.version)}, then verify`,
  );
  for (const [name, command] of hooks) deps.logger.info(`Plan: the ${name} hook runs ${command}`);
  const lines = [
    `Dry run: nothing will change. ${request.kind} ${settings.environment}: ${from ?? 'nothing'} → ${plan.version}`,
    `  plan:        ${plan.kind === 'confirm' ? 'verify the current version again' : `${plan.markBad ? `mark ${plan.markBad} bad, ` : ''}the ${driver.name} driver (${strategy.name}), then verify`}`,
    `  retry:       ${settings.retry.attempts} attempts, ${formatDuration(settings.retry.waitMs)} wait ×${settings.retry.factor}, ${formatDuration(settings.retry.attemptTimeoutMs)} per attempt`,
    `  lock:        ${settings.environment} (wait up to ${formatDuration(settings.lockTimeoutMs)})`,
    `  hooks:       ${hooks.map(([name]) => name).join(', ') || 'none'}`,
    ...(preview?.lines ?? []),
    `  verify:      ${checks.join(', ') || 'nothing'}${preview ? ` (${preview.publicCheckWhen ?? 'after the switch'}, through what users reach)` : ''}`,
  ];
  let facts: Readonly<Record<string, number | string>> = preview?.slot ? { slot: preview.slot.name } : {};
  if (driver.checkRun && plan.kind === 'release') {
    const check = await driver.checkRun({
      version: plan.version,
      environment: settings.environment,
      ...(from ? { previous: from } : {}),
      ...(preview?.slot ? { slot: preview.slot } : {}),
      timeoutMs: settings.retry.attemptTimeoutMs,
      signal,
    });
    facts = { ...facts, ...check.facts };
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
