import path from 'node:path';
import type { DriverSettings } from '../../model/release.ts';
import type { Logger } from '../../ports.ts';
import type { Target } from '../../target/target.ts';
import {
  AttemptFailedError,
  type DeployDriver,
  type DriverRequest,
  deployEnv,
  runLogged,
} from '../driver.ts';

type ReleasesSettings = Extract<DriverSettings, { kind: 'releases' }>;

/**
 * Capistrano/Kamal-style releases on a target (the runner, or a host over SSH): the artifact is installed as
 * `releases/<version>` (copied, or unpacked from a .tar.gz), an optional build runs inside it,
 * the `current` symlink is switched atomically (a new link renamed over the old one, never
 * removed then recreated), and the restart command runs. If the restart fails, `current` is
 * switched back, so the old release stays whole. The newest `keep-releases` are kept, and never
 * the current or previous one.
 */
export function createReleasesDriver(
  settings: ReleasesSettings,
  target: Target,
  logger: Logger,
): DeployDriver {
  const runner = target.runner;
  // Resolved once: every path compared below (links' targets, releases) is absolute.
  const root = path.resolve(settings.releasesDir);
  const releasesDir = path.join(root, 'releases');
  const currentLink = path.join(root, 'current');
  // Blue-green: one current link per slot (current-blue, current-green); in place, one.
  const linkFor = (request: DriverRequest) =>
    request.slot ? path.join(root, `current-${request.slot.name}`) : currentLink;
  /** What every current link points at: never pruned. */
  const linked = async () => {
    const links = (await target.list(root))
      .map((entry) => entry.name)
      .filter((name) => name === 'current' || (name.startsWith('current-') && !name.includes('.next-')));
    const targets = await Promise.all(links.map((name) => target.readLink(path.join(root, name))));
    return targets.filter((to): to is string => Boolean(to));
  };
  const where = target.name === 'local' ? '' : ` on ${target.name}`;
  return {
    name: 'releases',
    plan: (version) =>
      `install ${artifactFor(settings.artifact, version)} as ${path.join(releasesDir, version)}${where}${settings.buildCommand ? `, build (${settings.buildCommand})` : ''}, switch ${currentLink}${settings.restartCommand ? `, restart (${settings.restartCommand})` : ''}, keep ${settings.keepReleases}`,
    async run(request) {
      const release = path.join(releasesDir, request.version);
      // Settings refuse such versions; this is the last guard before a path is written.
      if (path.dirname(release) !== releasesDir)
        throw new Error(`"${request.version}" is not a release name`);
      const env = deployEnv(request);
      if (!(await target.exists(release))) {
        // The release users run now: what it shares with the new one need not travel again.
        const like = await target.readLink(linkFor(request));
        try {
          await target.install(artifactFor(settings.artifact, request.version), release, {
            timeoutMs: request.timeoutMs,
            signal: request.signal,
            ...(like ? { like } : {}),
          });
        } catch (error) {
          throw new AttemptFailedError((error as Error).message);
        }
        if (settings.buildCommand) {
          const build = await runLogged(runner, logger, 'the build command', {
            command: settings.buildCommand,
            env,
            cwd: release,
            timeoutMs: request.timeoutMs,
            signal: request.signal,
          });
          if (build.failure) {
            await target.remove(release);
            throw new AttemptFailedError(`${build.failure}; the unfinished release was removed`);
          }
        }
      } else {
        logger.info(`${release}${where} is already installed: reusing it (versions are immutable)`);
      }
      const link = linkFor(request);
      const before = await target.readLink(link);
      await target.switchLink(link, release);
      logger.info(`${link} → ${release}${where}${before ? ` (was ${before})` : ''}`);
      if (settings.restartCommand) {
        const restart = await runLogged(runner, logger, 'the restart command', {
          command: settings.restartCommand,
          env,
          cwd: root,
          timeoutMs: request.timeoutMs,
          signal: request.signal,
        });
        if (restart.failure) {
          if (before) {
            await target.switchLink(link, before);
            logger.warning(`switched ${link} back to ${before}`);
            if (!request.signal.aborted)
              await runLogged(runner, logger, 'the restart command (old release)', {
                command: settings.restartCommand,
                env: { ...env, DEPLOY_VERSION: path.basename(before) },
                cwd: root,
                timeoutMs: request.timeoutMs,
              });
          }
          throw new AttemptFailedError(restart.failure);
        }
      }
      const removed = await prune(target, releasesDir, settings.keepReleases, [
        release,
        ...(before ? [before] : []),
        ...(await linked()),
      ]);
      if (removed.length > 0) logger.info(`removed old releases${where}: ${removed.join(', ')}`);
      return { summary: `${request.version} is ${path.basename(link)}${where}`, facts: { release } };
    },
  };
}

function artifactFor(template: string, version: string): string {
  return template.replaceAll('{version}', version);
}

/** Removes all but the newest `keep` releases, never one in `protect` (compared as real paths). */
async function prune(
  target: Target,
  releasesDir: string,
  keep: number,
  protectPaths: readonly string[],
): Promise<string[]> {
  const protect = await Promise.all(protectPaths.map((file) => target.realPath(file)));
  const releases = (await target.list(releasesDir))
    .filter((entry) => !entry.name.includes('.installing-'))
    .toSorted((a, b) => b.mtimeMs - a.mtimeMs);
  const doomed: string[] = [];
  for (const release of releases.slice(keep)) {
    const dir = path.join(releasesDir, release.name);
    if (protect.includes(await target.realPath(dir))) continue;
    await target.remove(dir);
    doomed.push(release.name);
  }
  return doomed;
}
