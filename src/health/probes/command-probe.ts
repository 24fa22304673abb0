import type { CommandRunner } from '../../ports.ts';
import { type Probe, ProbeError } from '../probe.ts';
import type { CommandProbeDeclaration } from '../probe-schema.ts';

/** Exit codes with which the shell says the command could not be run at all. */
const COULD_NOT_RUN: Readonly<Record<number, string>> = { 126: 'is not executable', 127: 'was not found' };

/**
 * A shell command judged on its exit code and, optionally, its standard output. What it prints
 * goes to the log beside the measurement, never into a reason: command output is never recorded.
 */
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
      const output = [result.stdout.trim(), result.stderr.trim()].filter(Boolean).join('\n');
      if (code !== null && code !== expected && COULD_NOT_RUN[code]) {
        throw new ProbeError(`the command ${COULD_NOT_RUN[code]} (exit ${code})`, output);
      }
      if (code !== expected) {
        const how = code === null ? `was killed by ${result.signal}` : `exited ${code}`;
        return { phase: 'failed', value: code, reason: `${how}, expected ${expected}`, output };
      }
      const stdout = spec.expect.stdout;
      // Judged without the trailing newline, so `^PONG$` means what it says.
      if (stdout && !stdout.test(result.stdout.replace(/\r?\n$/, ''))) {
        return { phase: 'failed', value: code, reason: `its output does not match ${stdout}`, output };
      }
      return { phase: 'successful', value: code, reason: `exited ${code}`, output };
    },
  };
}
