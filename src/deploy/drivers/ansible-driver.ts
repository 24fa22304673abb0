import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatHostPort } from '../../addresses.ts';
import type { DriverSettings } from '../../model/release.ts';
import type { CommandRunner, Logger } from '../../ports.ts';
import { AttemptFailedError, type DeployDriver, type DriverRequest, runLogged } from '../driver.ts';

type AnsibleSettings = Extract<DriverSettings, { kind: 'ansible' }>;

export interface PlayRecap {
  readonly hosts: number;
  readonly ok: number;
  readonly changed: number;
  readonly unreachable: number;
  readonly failed: number;
}

const RECAP_LINE = /^(\S+)\s*:\s*((?:\w+=\d+\s*)+)$/;

/** Sums the PLAY RECAP of ansible-playbook's output over its hosts; undefined if there is none. */
export function parsePlayRecap(output: string): PlayRecap | undefined {
  const start = output.lastIndexOf('PLAY RECAP');
  if (start < 0) return undefined;
  const totals = { hosts: 0, ok: 0, changed: 0, unreachable: 0, failed: 0 };
  for (const line of output.slice(start).split('\n').slice(1)) {
    const match = RECAP_LINE.exec(line.trim());
    if (!match) continue;
    totals.hosts++;
    for (const [, key, value] of match[2]!.matchAll(/(\w+)=(\d+)/g)) {
      if (key === 'ok' || key === 'changed' || key === 'unreachable' || key === 'failed')
        totals[key] += Number(value);
    }
  }
  return totals;
}

/**
 * `ansible-playbook` with the inventory and the version and environment as extra-vars (written
 * to a private file, so no quoting can go wrong). Its PLAY RECAP becomes the attempt's facts;
 * failed tasks or unreachable hosts fail the attempt. In a dry run it runs `--check --diff`.
 */
export function createAnsibleDriver(
  settings: AnsibleSettings,
  runner: CommandRunner,
  logger: Logger,
): DeployDriver {
  // Arguments, never a shell line: an inventory or playbook name cannot run anything.
  const argv = (varsFile: string, check: boolean, limit?: readonly string[]): [string, ...string[]] => [
    'ansible-playbook',
    '-i',
    settings.inventory,
    settings.playbook,
    '-e',
    `@${varsFile}`,
    // Rolling: the batch (host names checked plain when the inventory was read).
    ...(limit ? ['--limit', limit.join(',')] : []),
    ...(check ? ['--check', '--diff'] : []),
  ];
  /** The same, for people to read. */
  const command = (varsFile: string, check: boolean, limit?: readonly string[]) =>
    argv(varsFile, check, limit).map(quote).join(' ');

  async function play(request: Omit<DriverRequest, 'attempt'>, check: boolean) {
    const dir = mkdtempSync(path.join(tmpdir(), 'deploy-actions-vars-'));
    const varsFile = path.join(dir, 'extra-vars.json');
    writeFileSync(
      varsFile,
      JSON.stringify({
        ...settings.extraVars,
        version: request.version,
        environment_name: request.environment,
        // Blue-green: the slot to make the version run in.
        ...(request.slot
          ? {
              slot: request.slot.name,
              slot_address: formatHostPort(request.slot),
              slot_port: request.slot.port,
            }
          : {}),
      }),
      { mode: 0o600 },
    );
    try {
      if (check) logger.info(`$ ${command('<extra-vars>', true, request.limit)}`);
      const result = await runLogged(runner, logger, 'ansible-playbook', {
        argv: argv(varsFile, check, request.limit),
        env: {
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_FORCE_COLOR: '0',
          PYTHONUNBUFFERED: '1',
          ANSIBLE_RETRY_FILES_ENABLED: '0',
        },
        timeoutMs: request.timeoutMs,
        signal: request.signal,
      });
      const recap = parsePlayRecap(result.stdout);
      const facts: Record<string, number> = recap ? { ...recap } : {};
      if (result.failure) {
        const counts = recap ? ` (PLAY RECAP: ${recap.failed} failed, ${recap.unreachable} unreachable)` : '';
        throw new AttemptFailedError(`${result.failure}${counts}`, facts);
      }
      return {
        summary: recap
          ? `PLAY RECAP: ${recap.ok} ok, ${recap.changed} changed on ${recap.hosts} host(s)`
          : 'ansible-playbook succeeded',
        facts,
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  return {
    name: 'ansible',
    plan: (version) => command(`<extra-vars: version=${version}>`, false),
    run: (request) => play(request, false),
    checkRun: (request) => play(request, true),
  };
}

function quote(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, "'\\''")}'`;
}
