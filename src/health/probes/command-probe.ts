import type { CommandRunner } from '../../ports.ts';
import { type Probe, quote } from '../probe.ts';
import type { CommandProbeDeclaration } from '../probe-schema.ts';

/** Exit codes with which the shell says the command could not be run at all. */
const COULD_NOT_RUN: Readonly<Record<number, string>> = { 126: 'is not executable', 127: 'was not found' };

/** A shell command judged on its exit code and, optionally, its standard output. */
export function createCommandProbe(spec: CommandProbeDeclaration, runner: CommandRunner): Probe {
  const expected = spec.expect['exit-code'];
  return {
    name: spec.name,
    type: 'command',
    target: spec.run,
    async measure(signal) {
      const result = await runner.run({
        command: spec.run,
        env: spec.env,
        ...(spec['working-directory'] ? { cwd: spec['working-directory'] } : {}),
        signal,
      });
      if (result.aborted) throw new Error('command stopped');
      const code = result.exitCode;
      if (code !== null && code !== expected && COULD_NOT_RUN[code]) {
        throw new Error(`the command ${COULD_NOT_RUN[code]} (exit ${code}): ${quote(result.stderr.trim())}`);
      }
      if (code !== expected) {
        const how = code === null ? `was killed by ${result.signal}` : `exited ${code}`;
        const output = (result.stderr.trim() || result.stdout.trim()).slice(-200);
        return {
          phase: 'failed',
          value: code,
          reason: `${how}, expected ${expected}${output ? `: ${quote(output)}` : ''}`,
        };
      }
      const stdout = spec.expect.stdout;
      // Judged without the trailing newline, so `^PONG$` means what it says.
      if (stdout && !stdout.test(result.stdout.replace(/\r?\n$/, ''))) {
        return {
          phase: 'failed',
          value: code,
          reason: `output ${quote(result.stdout.trim())} does not match ${stdout}`,
        };
      }
      const shown = result.stdout.trim() ? `: ${quote(result.stdout.trim(), 60)}` : '';
      return { phase: 'successful', value: code, reason: `exited ${code}${shown}` };
    },
  };
}
