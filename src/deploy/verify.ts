import { sendHttpRequest } from '../clients/http-request.ts';
import { describeError } from '../errors.ts';
import { createProbe } from '../health/create-probe.ts';
import { type CheckResult, runHealthChecks } from '../health/engine.ts';
import { logMeasurements } from '../health/log-measurements.ts';
import { displayUrl, urlSecrets } from '../health/public-values.ts';
import { reportsRelease } from '../model/image.ts';
import type { TargetSettings } from '../model/release.ts';
import type { Clock, CommandRunner, Logger } from '../ports.ts';
import type { Redactor } from '../redactor.ts';
import { compileJsonPath, selectJsonPath } from '../schema/json-path.ts';

export interface Verification {
  readonly ok: boolean;
  readonly reason: string;
  readonly health?: CheckResult;
  readonly runningVersion?: string;
}

/** A release of an image by tag: whether the tag still names the digest deployed. */
export interface ImageWatch {
  /** Why it no longer does (moved, deleted), or undefined; only `version`, the image's digest, is watched. */
  moved(version: string): Promise<string | undefined>;
}

/** The release's image tag moved: no evidence about the version, so a fault, not a failed check. */
export class ImageMovedError extends Error {
  override readonly name = 'ImageMovedError';
}

export interface VerifyDeps {
  /** Releases of an image by tag: asked before anything else is verified. */
  readonly imageWatch?: ImageWatch;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly runner: CommandRunner;
  readonly redactor: Redactor;
  readonly signal?: AbortSignal;
}

/**
 * After the driver ran: the health probes must pass (the health-check engine, fail fast), then
 * the running version, if a way to ask it was given, must be the one deployed.
 */
export async function verifyDeployment(
  verify: TargetSettings['verify'],
  version: string,
  deps: VerifyDeps,
): Promise<Verification> {
  const moved = await deps.imageWatch?.moved(version);
  if (moved) throw new ImageMovedError(moved);
  let health: CheckResult | undefined;
  if (verify.probes.length > 0) {
    deps.logger.info(`Verifying health: ${verify.probes.map((p) => p.name).join(', ')}`);
    health = deps.redactor.redactValue(
      await runHealthChecks(
        verify.probes.map((spec) => ({
          probe: createProbe(spec, deps.runner, deps.redactor),
          judgement: spec.judgement,
        })),
        {
          clock: deps.clock,
          ...(deps.signal ? { signal: deps.signal } : {}),
          onMeasurement: logMeasurements(deps.logger, deps.redactor),
        },
      ),
    );
    if (health.verdict !== 'successful') {
      const culprit = health.probes.find((p) => p.name === health?.decidedBy);
      return {
        ok: false,
        health,
        reason: `health check ${health.verdict}${culprit ? `: ${culprit.name}: ${culprit.reason}` : ''}`,
      };
    }
  }
  const running = await readRunningVersion(verify, deps);
  if (running && !reportsRelease(running.version, version)) {
    // A command's output is never recorded: the log shows what it printed (masked), the record says only that it differed.
    if (running.source === 'version-command')
      deps.logger.untrusted(`version-command printed: ${running.version}`);
    const reported =
      running.source === 'version-command'
        ? `the version command printed something other than ${JSON.stringify(version)} (shown in the log)`
        : `the service reports version ${JSON.stringify(running.version.slice(0, 80))}, not ${JSON.stringify(version)} (${running.source})`;
    return {
      ok: false,
      ...(health ? { health } : {}),
      ...(running.source === 'version-command' ? {} : { runningVersion: running.version.slice(0, 80) }),
      reason: reported,
    };
  }
  const checks = [health ? 'healthy' : '', running ? `running ${version}` : ''].filter(Boolean);
  return {
    ok: true,
    ...(health ? { health } : {}),
    ...(running ? { runningVersion: running.version } : {}),
    reason: checks.length > 0 ? checks.join(', ') : 'nothing to verify',
  };
}

async function readRunningVersion(
  verify: TargetSettings['verify'],
  deps: VerifyDeps,
): Promise<{ version: string; source: string } | undefined> {
  if (verify.versionCommand) {
    const result = await deps.runner.run({
      command: verify.versionCommand,
      timeoutMs: 30_000,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    if (result.exitCode !== 0)
      return { version: `(version-command exited ${result.exitCode})`, source: 'version-command' };
    return { version: result.stdout.trim(), source: 'version-command' };
  }
  if (verify.versionUrl) {
    // As for probes: its password and query values are secrets, masked in the log and never recorded.
    for (const secret of urlSecrets(verify.versionUrl)) deps.redactor.add(secret);
    const source = displayUrl(verify.versionUrl);
    const path = compileJsonPath(verify.versionJsonPath);
    try {
      const response = await sendHttpRequest({
        url: verify.versionUrl,
        method: 'GET',
        headers: { accept: 'application/json' },
        tlsVerify: true,
        signal: AbortSignal.any([AbortSignal.timeout(30_000), ...(deps.signal ? [deps.signal] : [])]),
      });
      const selected = 'problem' in path ? { found: false } : selectJsonPath(JSON.parse(response.body), path);
      return {
        version: selected.found ? String(selected.value) : `(no ${verify.versionJsonPath} in the answer)`,
        source,
      };
    } catch (error) {
      return { version: `(unreadable: ${deps.redactor.redact(describeError(error))})`, source };
    }
  }
  return undefined;
}
