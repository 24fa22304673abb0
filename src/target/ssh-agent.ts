import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandResult, CommandRunner } from '../ports.ts';

/**
 * A deploy key with a passphrase, unlocked without ever writing it unlocked: an ssh-agent of
 * the session's own (its socket in the session's 0700 directory, stopped with the session), the
 * key added by ssh-add, which reads the passphrase through SSH_ASKPASS: a script that prints
 * an environment variable of its own process (no argv, no file holds the passphrase). Resolves
 * to why it could not be unlocked, or undefined once the agent holds it and its public key is
 * written beside it, for IdentityFile to pick it among the agent's keys.
 */
export async function unlockKey(
  runner: CommandRunner,
  dir: string,
  keyFile: string,
  passphrase: string,
  stop: AbortSignal,
  ended: Promise<unknown>[],
): Promise<string | undefined> {
  const socket = agentSocket(dir);
  const agent = runner.run({ argv: ['ssh-agent', '-D', '-a', socket], signal: stop });
  ended.push(agent);
  let gone: CommandResult | undefined;
  void agent.then((result) => {
    gone = result;
  });
  for (let waited = 0; !existsSync(socket); waited += 20) {
    if (gone || waited > 10_000) return `ssh-agent did not start${gone ? ` (${gone.stderr.trim()})` : ''}`;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const askpass = path.join(dir, 'askpass');
  // Asked again, it answers nothing: ssh-add asks until the answer is empty, so a wrong passphrase fails once.
  writeFileSync(
    askpass,
    '#!/bin/sh\n[ -e "$0.asked" ] && exit 1\n: > "$0.asked"\nprintf "%s\\n" "$DEPLOY_SSH_KEY_PASSPHRASE"\n',
    { mode: 0o700, flag: 'wx' },
  );
  const env = {
    SSH_AUTH_SOCK: socket,
    SSH_ASKPASS: askpass,
    SSH_ASKPASS_REQUIRE: 'force',
    DISPLAY: 'none',
    DEPLOY_SSH_KEY_PASSPHRASE: passphrase,
  };
  const added = await runner.run({ argv: ['ssh-add', '-q', keyFile], env, timeoutMs: 30_000, signal: stop });
  if (added.exitCode !== 0)
    // Asked for the passphrase and still failing: it was not the key's (askpass answers once).
    return existsSync(`${askpass}.asked`)
      ? 'the deploy key could not be unlocked: ssh-key-passphrase is not its passphrase'
      : "the deploy key could not be added to the session's ssh-agent";
  const listed = await runner.run({
    argv: ['ssh-add', '-L'],
    env: { SSH_AUTH_SOCK: socket },
    timeoutMs: 10_000,
  });
  if (listed.exitCode !== 0) return "the session's ssh-agent did not list the deploy key";
  writeFileSync(`${keyFile}.pub`, listed.stdout, { mode: 0o600 });
  return undefined;
}

/** Where the session's agent listens, for the config's IdentityAgent. */
export const agentSocket = (dir: string) => path.join(dir, 'agent.sock');
