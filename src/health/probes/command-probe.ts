import type { CommandRunner } from '../../ports.ts';
import type { CommandProbeDeclaration } from '../../schema/probe-schema.ts';
import type { TextPattern } from '../../schema/text-pattern.ts';
import { type ConditionResult, classify, type Probe, ProbeError } from '../probe.ts';

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
      if (code !== null && code !== expected && COULD_NOT_RUN[code])
        throw new ProbeError(`the command ${COULD_NOT_RUN[code]} (exit ${code})`, output);
      const success = checkExit({ 'exit-code': expected, stdout: spec.expect.stdout }, code, result);
      const failWhen = spec['fail-when'];
      const failure = failWhen ? checkExit(failWhen, code, result) : undefined;
      return { value: code, output, ...classify(success, failure) };
    },
  };
}

/** Whether the exit code and output meet `condition`: the reason names what it saw, never the output. */
function checkExit(
  condition: { readonly 'exit-code'?: number; readonly stdout?: TextPattern },
  code: number | null,
  result: { readonly stdout: string; readonly signal?: string | null },
): ConditionResult {
  const wanted = condition['exit-code'];
  const how = code === null ? `was killed by ${result.signal}` : `exited ${code}`;
  if (wanted !== undefined && code !== wanted) return { holds: false, reason: `${how}, expected ${wanted}` };
  // Judged without the trailing newline, so `^PONG$` means what it says.
  if (condition.stdout && !condition.stdout.test(result.stdout.replace(/\r?\n$/, '')))
    return { holds: false, reason: `its output does not match ${condition.stdout}` };
  return { holds: true, reason: how };
}
