import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import path from 'node:path';
import { resolvedPath } from '../../clients/owned-files.ts';
import type { DriverSettings } from '../../model/release.ts';
import type { CommandRunner, Logger } from '../../ports.ts';
import {
  AttemptFailedError,
  type DeployDriver,
  type DriverRequest,
  deployEnv,
  runLogged,
} from '../driver.ts';

type ReleasesSettings = Extract<DriverSettings, { kind: 'releases' }>;

/**
 * Capistrano/Kamal-style releases on one machine: the artifact is installed as
 * `releases/<version>` (copied, or unpacked from a .tar.gz), an optional build runs inside it,
 * the `current` symlink is switched atomically (a new link renamed over the old one, never
 * removed then recreated), and the restart command runs. If the restart fails, `current` is
 * switched back, so the old release stays whole. The newest `keep-releases` are kept, and never
 * the current or previous one.
 */
export function createReleasesDriver(
  settings: ReleasesSettings,
  runner: CommandRunner,
  logger: Logger,
): DeployDriver {
  // Resolved once: every path compared below (links' targets, releases) is absolute and real.
  const root = path.resolve(settings.releasesDir);
  const releasesDir = path.join(root, 'releases');
  const currentLink = path.join(root, 'current');
  // Blue-green: one current link per slot (current-blue, current-green); in place, one.
  const linkFor = (request: DriverRequest) =>
    request.slot ? path.join(root, `current-${request.slot.name}`) : currentLink;
  /** What every current link points at: never pruned. */
  const linked = () =>
    readdirSync(root)
      .filter((name) => name === 'current' || name.startsWith('current-'))
      .map((name) => readTarget(path.join(root, name)))
      .filter((target): target is string => Boolean(target));
  return {
    name: 'releases',
    plan: (version) =>
      `install ${artifactFor(settings.artifact, version)} as ${path.join(releasesDir, version)}${settings.buildCommand ? `, build (${settings.buildCommand})` : ''}, switch ${currentLink}${settings.restartCommand ? `, restart (${settings.restartCommand})` : ''}, keep ${settings.keepReleases}`,
    async run(request) {
      const release = path.join(releasesDir, request.version);
      // Settings refuse such versions; this is the last guard before a path is written.
      if (path.dirname(release) !== releasesDir)
        throw new Error(`"${request.version}" is not a release name`);
      const env = deployEnv(request);
      if (!existsSync(release)) {
        await install(artifactFor(settings.artifact, request.version), release, request);
        if (settings.buildCommand) {
          const build = await runLogged(runner, logger, 'the build command', {
            command: settings.buildCommand,
            env,
            cwd: release,
            timeoutMs: request.timeoutMs,
            signal: request.signal,
          });
          if (build.failure) {
            rmSync(release, { recursive: true, force: true });
            throw new AttemptFailedError(`${build.failure}; the unfinished release was removed`);
          }
        }
      } else {
        logger.info(`${release} is already installed: reusing it (versions are immutable)`);
      }
      const link = linkFor(request);
      const before = readTarget(link);
      switchLink(link, release);
      logger.info(`${link} → ${release}${before ? ` (was ${before})` : ''}`);
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
            switchLink(link, before);
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
      const removed = prune(releasesDir, settings.keepReleases, [
        release,
        ...(before ? [before] : []),
        ...linked(),
      ]);
      if (removed.length > 0) logger.info(`removed old releases: ${removed.join(', ')}`);
      return { summary: `${request.version} is ${path.basename(link)}`, facts: { release } };
    },
  };

  async function install(artifact: string, release: string, request: DriverRequest): Promise<void> {
    if (!existsSync(artifact)) throw new AttemptFailedError(`the artifact ${artifact} does not exist`);
    mkdirSync(releasesDir, { recursive: true });
    const staging = `${release}.installing-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    if (statSync(artifact).isDirectory()) {
      cpSync(artifact, staging, { recursive: true });
    } else {
      mkdirSync(staging);
      const unpack = await runLogged(runner, logger, 'unpacking the artifact', {
        argv: ['tar', '-xzf', artifact, '-C', staging],
        env: {},
        timeoutMs: request.timeoutMs,
        signal: request.signal,
      });
      if (unpack.failure) {
        rmSync(staging, { recursive: true, force: true });
        throw new AttemptFailedError(unpack.failure);
      }
    }
    // A release directory appears whole or not at all; its time is its install time (for pruning).
    const now = new Date();
    utimesSync(staging, now, now);
    renameSync(staging, release);
  }
}

function artifactFor(template: string, version: string): string {
  return template.replaceAll('{version}', version);
}

function readTarget(link: string): string | undefined {
  try {
    return lstatSync(link).isSymbolicLink()
      ? path.resolve(path.dirname(link), readlinkSync(link))
      : undefined;
  } catch {
    return undefined;
  }
}

/** Points `link` at `target` atomically: a new symlink renamed over the old one. */
function switchLink(link: string, target: string): void {
  const temp = `${link}.next-${process.pid}`;
  rmSync(temp, { force: true });
  symlinkSync(path.relative(path.dirname(link), target), temp);
  renameSync(temp, link);
}

/** Removes all but the newest `keep` releases, never one in `protect` (compared as real paths). */
function prune(releasesDir: string, keep: number, protectPaths: readonly string[]): string[] {
  const protect = protectPaths.map(resolvedPath);
  const releases = readdirSync(releasesDir)
    .filter((name) => !name.includes('.installing-'))
    .map((name) => ({
      name,
      dir: path.join(releasesDir, name),
      at: statSync(path.join(releasesDir, name)).mtimeMs,
    }))
    .sort((a, b) => b.at - a.at);
  const doomed = releases.slice(keep).filter((release) => !protect.includes(resolvedPath(release.dir)));
  for (const release of doomed) rmSync(release.dir, { recursive: true, force: true });
  return doomed.map((release) => release.name);
}
