import { createHash } from 'node:crypto';
import { accessSync, constants, createReadStream, existsSync, readFileSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { haproxyCommand, parseServersState } from '../clients/haproxy-runtime.ts';
import { sendHttpRequest } from '../clients/http-request.ts';
import { connectTcp } from '../clients/tcp-connect.ts';
import { howItEnded } from '../deploy/driver.ts';
import { describeError } from '../errors.ts';
import { findBad } from '../release/release-state.ts';
import type { PreflightCheck } from '../settings/preflight.ts';
import { type CheckOutcome, fail, judgeFree, type PreflightDeps, pass } from './check-outcome.ts';
import { sshCheck } from './ssh-check.ts';

/** Runs one check; a check that cannot run at all is a failure saying why. */
export async function runCheck(
  check: PreflightCheck,
  deps: PreflightDeps,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  try {
    return await measure(check, deps, signal);
  } catch (error) {
    return fail(describeError(error), 'see the detail: the check could not be completed');
  }
}

async function measure(
  check: PreflightCheck,
  deps: PreflightDeps,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  switch (check.type) {
    case 'secret': {
      const value = deps.readEnv(check.secret);
      if (value) deps.mask(value);
      return value?.trim()
        ? pass(`${check.secret} is set`)
        : fail(
            `${check.secret} is missing or empty`,
            `pass it to the step: env: { ${check.secret}: \${{ secrets.${check.secret} }} }`,
          );
    }
    case 'command': {
      const found = findOnPath(check.command, deps.readEnv('PATH') ?? '');
      if (!found) return fail(`${check.command} is not on PATH`, `install ${check.command} on the runner`);
      if (!check['min-version']) return pass(`${check.command} at ${found}`);
      const result = await deps.runner.run({
        argv: [found, ...check['version-arg'].split(/\s+/).filter(Boolean)],
        timeoutMs: 10_000,
        signal,
      });
      const version = /\d+(?:\.\d+)+/.exec(`${result.stdout}\n${result.stderr}`)?.[0];
      if (!version)
        return fail(
          `${check.command} ${check['version-arg']} printed no version`,
          `check ${check.command} runs on the runner`,
        );
      return compareVersions(version, check['min-version']) >= 0
        ? pass(`${check.command} ${version} ≥ ${check['min-version']}`)
        : fail(
            `${check.command} ${version} is older than ${check['min-version']}`,
            `upgrade ${check.command} to ${check['min-version']} or newer`,
          );
    }
    case 'disk': {
      const stats = statfsSync(check.path);
      return judgeFree(
        `disk ${check.path}`,
        stats.bavail * stats.bsize,
        stats.blocks * stats.bsize,
        check['min-free'],
        `space on ${check.path}`,
      );
    }
    case 'memory': {
      const meminfo = readFileSync('/proc/meminfo', 'utf8');
      const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1]) * 1024;
      return judgeFree(
        'memory',
        kb('MemAvailable'),
        kb('MemTotal'),
        check['min-free'],
        'memory on the runner',
      );
    }
    case 'tcp': {
      const result = await connectTcp(check.host, check.port, signal);
      return pass(`${check.host}:${check.port} accepts connections (${Math.round(result.latencyMs)} ms)`);
    }
    case 'http': {
      const response = await sendHttpRequest({
        url: check.url,
        method: 'GET',
        headers: {},
        tlsVerify: check['tls-verify'],
        signal,
        maxBodyBytes: 1024,
      });
      return response.status < 500
        ? pass(`${check.url.host} answered ${response.status}`)
        : fail(
            `${check.url.host} answered ${response.status}`,
            `the service at ${check.url.host} is failing`,
          );
    }
    case 'artifact': {
      if (!existsSync(check.path))
        return fail(`${check.path} does not exist`, 'build or download the artifact before deploying');
      if (!check.sha256) return pass(`${check.path} exists`);
      const digest = await sha256(check.path);
      return digest === check.sha256
        ? pass(`${check.path} matches its sha256`)
        : fail(
            `${check.path} has sha256 ${digest}, expected ${check.sha256}`,
            'the artifact changed or is corrupt: rebuild or download it again',
          );
    }
    case 'image':
      return check.registry
        ? imageInRegistry(check.image, check.registry, signal)
        : imageByCommand(check.image, check.command, deps, signal);
    case 'not-bad': {
      const bad = findBad(await deps.readState(check.environment), check.version);
      return bad
        ? fail(
            `${check.version} is marked bad in ${check.environment} (${bad.reason ?? 'no reason recorded'})`,
            'deploy another version, or force it knowingly',
          )
        : pass(`${check.version} is not marked bad in ${check.environment}`);
    }
    case 'haproxy':
      return haproxyReady(check.socket, check.backend, check.servers);
    case 'nginx':
      return nginxReady(check['upstream-file'], check['test-command'], deps, signal);
    case 'ssh':
      return sshCheck(check, deps, signal);
  }
}

/** HAProxy's runtime API answers (show info) and its backend has every slot's server. */
async function haproxyReady(
  socket: string,
  backend: string,
  servers: readonly string[],
): Promise<CheckOutcome> {
  const info = await haproxyCommand(socket, 'show info');
  const version = /^Version:\s*(\S+)/m.exec(info)?.[1];
  if (!version)
    return fail(
      `${socket} did not answer show info`,
      'point haproxy-socket at a stats socket with level admin',
    );
  const known = parseServersState(await haproxyCommand(socket, `show servers state ${backend}`), backend);
  const missing = servers.filter((server) => !known.has(server));
  if (missing.length > 0)
    return fail(
      `HAProxy ${version}: backend ${backend} has no server ${missing.join(', ')} (it has ${[...known.keys()].join(', ') || 'none'})`,
      `add a server per slot, named like it, to backend ${backend}`,
    );
  return pass(`HAProxy ${version} answers on ${socket}; backend ${backend} has ${servers.join(', ')}`);
}

/** nginx accepts its configuration and the upstream file can be rewritten. */
async function nginxReady(
  upstreamFile: string,
  testCommand: string,
  deps: PreflightDeps,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  try {
    accessSync(upstreamFile, constants.W_OK);
    accessSync(path.dirname(upstreamFile), constants.W_OK);
  } catch (error) {
    return fail(
      `the upstream file ${upstreamFile} (or its directory) is not writable: ${describeError(error)}`,
      "give the deploy runner's user write access to it and its directory",
    );
  }
  const test = await deps.runner.run({ command: testCommand, timeoutMs: 30_000, signal });
  if (test.exitCode !== 0)
    return fail(
      `\`${testCommand}\` failed (exit ${test.exitCode})`,
      'fix the nginx configuration (its output is in the log)',
    );
  return pass(`\`${testCommand}\` passes; ${upstreamFile} is writable`);
}

function findOnPath(command: string, searchPath: string): string | undefined {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Compares dotted versions numerically: 2.10 is newer than 2.9. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** HEAD on the manifest (OCI distribution API): 200 exists, 404 does not, 401 needs credentials. */
async function imageInRegistry(image: string, registry: URL, signal: AbortSignal): Promise<CheckOutcome> {
  const at = image.lastIndexOf('@');
  const colon = image.lastIndexOf(':');
  const [name, reference] =
    at > 0
      ? [image.slice(0, at), image.slice(at + 1)]
      : colon > image.lastIndexOf('/')
        ? [image.slice(0, colon), image.slice(colon + 1)]
        : [image, 'latest'];
  const url = new URL(
    `v2/${name}/manifests/${reference}`,
    registry.href.endsWith('/') ? registry : `${registry.href}/`,
  );
  const response = await sendHttpRequest({
    url,
    method: 'HEAD',
    headers: {
      accept:
        'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json',
    },
    tlsVerify: true,
    signal,
  });
  if (response.status === 200) return pass(`${image} exists in ${registry.host}`);
  if (response.status === 401 || response.status === 403)
    return fail(
      `${registry.host} refused to show ${image} (${response.status})`,
      "log in to the registry on the runner, or check the token's scope",
    );
  return fail(
    `${image} is not in ${registry.host} (${response.status})`,
    `push ${image} before deploying it`,
  );
}

async function imageByCommand(
  image: string,
  command: string,
  deps: PreflightDeps,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  // The image reaches the command as a variable, never spliced into its text.
  const result = await deps.runner.run({
    command: command.replaceAll('{image}', '"$DEPLOY_IMAGE"'),
    env: { DEPLOY_IMAGE: image },
    timeoutMs: 60_000,
    signal,
  });
  if (result.exitCode === 0) return pass(`${image} exists (${command.split(' ')[0]})`);
  // What it printed goes to the log (masked), never into the detail, the report or an annotation.
  const printed = `${result.stdout}${result.stderr}`.trim();
  if (printed) deps.logger?.untrusted(`the image check printed:\n${printed}`);
  return fail(
    `${image} was not found: the check command ${howItEnded(result, 60_000)}${printed ? ' (its output is in the log)' : ''}`,
    `push ${image}, or check the runner can reach its registry`,
  );
}
