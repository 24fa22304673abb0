import { tmpdir } from 'node:os';
import { formatSshEndpoint } from '../model/ssh-endpoint.ts';
import type { PreflightCheck } from '../settings/preflight.ts';
import { SshSession } from '../target/ssh-session.ts';
import { type CheckOutcome, fail, judgeFree, type PreflightDeps, pass } from './check-outcome.ts';

type SshCheck = Extract<PreflightCheck, { type: 'ssh' }>;

/**
 * Logs in as the deploy user (through the jumps) and runs `true`, as a release would: batch
 * mode, the host key checked against known-hosts only, the key from a secret (each of its lines
 * masked; written 0600 for the check and removed after it) or the agent already running. Then,
 * on the same connection, what a release there needs: `sudo -n true` (sudo: true), and free
 * space under a directory (disk-path, min-free). Each check of a fleet runs beside the others.
 */
export async function sshCheck(
  check: SshCheck,
  deps: PreflightDeps,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  const secret = check['key-secret'];
  const key = secret ? deps.readEnv(secret) : undefined;
  if (secret && !key?.trim())
    return fail(
      `${secret} (the deploy key) is missing or empty`,
      `pass it to the step: env: { ${secret}: \${{ secrets.${secret} }} }`,
    );
  const passphraseSecret = check['passphrase-secret'];
  const passphrase = passphraseSecret ? deps.readEnv(passphraseSecret) : undefined;
  if (passphraseSecret && !passphrase)
    return fail(
      `${passphraseSecret} (the deploy key's passphrase) is missing or empty`,
      `pass it to the step: env: { ${passphraseSecret}: \${{ secrets.${passphraseSecret} }} }`,
    );
  // The redactor masks a multi-line secret line by line, as the runner does.
  if (key) deps.mask(key);
  if (passphrase) deps.mask(passphrase);
  const session = SshSession.open(
    {
      hosts: [{ name: check.name, endpoint: check.host }],
      jump: check.jump,
      knownHosts: check['known-hosts'],
      ...(key ? { privateKey: key.endsWith('\n') ? key : `${key}\n` } : {}),
      ...(key && passphrase ? { keyPassphrase: passphrase } : {}),
      connectTimeoutSeconds: 10,
    },
    deps.runner,
    tmpdir(),
  );
  try {
    const why = await session.check(check.name, signal);
    const through = check.jump.length > 0 ? ` through ${check.jump.map(formatSshEndpoint).join(', ')}` : '';
    const where = `${check.host.user} on ${formatSshEndpoint(check.host)}${through}`;
    if (why)
      return fail(
        why,
        /host key/.test(why)
          ? 'compare the key it showed with the host (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there), then put its line in known-hosts'
          : 'check the host, the deploy user and its authorized_keys',
      );
    const loggedIn = `logged in as ${where}; its host key is one known-hosts gives`;
    if (check.sudo) {
      const sudo = await session.run(check.name, ['sudo', '-n', 'true'], { signal, timeoutMs: 10_000 });
      if (sudo.exitCode !== 0)
        return fail(
          `${loggedIn}, but \`sudo -n true\` fails there: the deploy user cannot use sudo without a password`,
          `allow ${check.host.user} the commands the deploy runs with sudo, without a password (NOPASSWD in sudoers)`,
        );
    }
    const disk = check['disk-path'];
    if (!disk || !check['min-free']) return pass(`${loggedIn}${check.sudo ? '; sudo -n works' : ''}`);
    // POSIX df: one line per file system, in 1024-byte blocks; the path is one argument, never a flag.
    const df = await session.run(check.name, ['df', '-Pk', '--', disk], { signal, timeoutMs: 10_000 });
    const fields = df.stdout.trim().split('\n').at(-1)?.trim().split(/\s+/) ?? [];
    const [total, available] = [Number(fields[1]) * 1024, Number(fields[3]) * 1024];
    if (df.exitCode !== 0 || !Number.isFinite(total) || !Number.isFinite(available) || total <= 0)
      return fail(
        `${loggedIn}, but \`df -Pk ${disk}\` there did not say its free space`,
        'check that the directory exists on the host',
      );
    return judgeFree(
      `${loggedIn}; ${disk} on ${check.name}`,
      available,
      total,
      check['min-free'],
      `space under ${disk} on ${check.name}`,
    );
  } finally {
    await session.close();
  }
}
