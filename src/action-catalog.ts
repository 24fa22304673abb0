import { healthCheckInputs, healthCheckOutputs } from './settings/health-check.ts';
import type { InputSpecs, OutputSpecs } from './settings/input-spec.ts';

export interface ActionEntry {
  /** One line: what the action (and the CLI subcommand of the same name) does. */
  readonly summary: string;
  readonly inputs: InputSpecs;
  readonly outputs: OutputSpecs;
}

/**
 * Every shipped action, by folder name. The action.yml files, the READMEs' tables, the CLI's
 * flags and the metadata test all come from here, so they cannot drift apart.
 */
export const ACTION_CATALOG = {
  'health-check': {
    summary:
      'Probe a service (HTTP, TCP, command, PromQL) in parallel, judged over several measurements; fail fast.',
    inputs: healthCheckInputs,
    outputs: healthCheckOutputs,
  },
} as const satisfies Readonly<Record<string, ActionEntry>>;

export type ActionName = keyof typeof ACTION_CATALOG;
