import type { RawInputs } from './input-spec.ts';

/**
 * Linux holds one environment variable (`INPUT_PROBES=…`) or one argument to at most 128 KiB
 * (MAX_ARG_STRLEN). Past it the runner, or a shell, cannot start the step at all ("Argument list
 * too long", E2BIG) and nothing of ours runs to say why; so an input close to it is pointed out
 * while it still fits.
 */
export const ARGUMENT_LIMIT_BYTES = 128 * 1024;
const NEAR = 0.75;

/** An input whose value is close to the limit, and the file input that takes the same, if any. */
export interface NearLimit {
  readonly input: string;
  readonly bytes: number;
  readonly fileInput?: string;
}

/** The inputs within a quarter of the limit (the name and `=` count toward it). */
export function inputsNearArgumentLimit(raw: RawInputs, inputNames: readonly string[]): NearLimit[] {
  return Object.entries(raw)
    .map(([input, value]) => ({ input, bytes: Buffer.byteLength(`INPUT_${input}=${value ?? ''}`) + 1 }))
    .filter(({ bytes }) => bytes >= ARGUMENT_LIMIT_BYTES * NEAR)
    .map((near) =>
      inputNames.includes(`${near.input}-file`) ? { ...near, fileInput: `${near.input}-file` } : near,
    );
}

/** The warning, worded for a face: where the value travels ("environment variable", "argument"). */
export function describeNearLimit(near: NearLimit, carrier: string): string {
  const kib = (bytes: number) => `${Math.ceil(bytes / 1024)} KiB`;
  const instead = near.fileInput
    ? `put it in a file and give ${near.fileInput} instead`
    : 'make it shorter, or read it from a file the step can reach';
  return `Input "${near.input}" is ${kib(near.bytes)}: Linux passes at most ${kib(ARGUMENT_LIMIT_BYTES)} in one ${carrier}, and past that the step cannot start at all ("Argument list too long"). Before it grows: ${instead}.`;
}
