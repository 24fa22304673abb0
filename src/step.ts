import type { Host } from './host.ts';
import type { InputSpecs, OutputSpecs, RawInputs } from './settings/input-spec.ts';

/** How a step ended, for every face: the action runtime and the CLI read this, and decide nothing. */
export interface StepOutcome<O extends OutputSpecs = OutputSpecs> {
  /** Did it pass: decided here, once. */
  readonly ok: boolean;
  /** One sentence for people. */
  readonly message: string;
  /** Everything, as data: the CLI's --json (the action's `report` output says it too). */
  readonly report: unknown;
  readonly outputs: { readonly [K in keyof O]: string };
  /** Markdown for the step summary. */
  readonly summary?: string;
  /** Lines for a terminal, when more than the message. */
  readonly text?: string;
  /** The failure annotation's title. */
  readonly title?: string;
  /** A failure that is not a plain one: bad input (the CLI exits 2) or a cancel (130). */
  readonly exit?: 'bad-input' | 'interrupted';
}

/**
 * One step, as the catalog offers it: its inputs and outputs, how they are parsed, what runs, and
 * how the outcome becomes outputs. An action's entry is `runStep(step)`; a CLI command is the
 * same step with flags for inputs.
 */
export interface Step<S = unknown, O extends OutputSpecs = OutputSpecs> {
  readonly inputs: InputSpecs;
  readonly outputs: O;
  /** Asynchronous only when it must load something first (the pattern engine). */
  parse(raw: RawInputs, host: Host): S | Promise<S>;
  run(settings: S, host: Host): Promise<StepOutcome<O>>;
  /**
   * The outputs when `run` threw (a cancel, a refusal once the lock was held): a step whose
   * outputs a workflow branches on sets them however it ends.
   */
  thrown?(settings: S, error: unknown): { readonly [K in keyof O]: string };
}

export function defineStep<S, O extends OutputSpecs>(step: Step<S, O>): Step<S, O> {
  return step;
}
