import {
  abortOutputs,
  deployInputs,
  deployOutputs,
  promoteOutputs,
  promotionInputs,
  rollbackInputs,
  rollbackOutputs,
} from './settings/deploy.ts';
import { healthCheckInputs, healthCheckOutputs } from './settings/health-check.ts';
import { incidentInputs, incidentOutputs } from './settings/incident.ts';
import type { InputSpecs, OutputSpecs } from './settings/input-spec.ts';
import { pipelineInputs, pipelineOutputs } from './settings/pipeline.ts';
import { prStagingInputs, prStagingOutputs } from './settings/pr-staging.ts';
import { preflightInputs, preflightOutputs } from './settings/preflight.ts';
import {
  promoteImageInputs,
  promoteImageOutputs,
  retentionInputs,
  retentionOutputs,
} from './settings/registry.ts';
import { runnerGateInputs, runnerGateOutputs } from './settings/runner-gate.ts';

export interface ActionEntry {
  /** One line: what the action (and the CLI subcommand of the same name) does. */
  readonly summary: string;
  readonly inputs: InputSpecs;
  readonly outputs: OutputSpecs;
  /** The action has a post step (runs.post, always run): `actions/<name>-post.ts`. */
  readonly post?: boolean;
  /** Marketplace icon (Feather name). */
  readonly icon: string;
  /** The action lives at the repository root (`uses: org/deploy-actions@v1`), not in a folder. */
  readonly root?: boolean;
  /** The CLI subcommand, when not the action's name; false for an action that only makes sense on GitHub. */
  readonly cli?: string | false;
}

/**
 * Every shipped action, by folder name. The action.yml files, the READMEs' tables, the CLI's
 * flags and the metadata test all come from here, so they cannot drift apart.
 */
export const ACTION_CATALOG = {
  pipeline: {
    summary:
      'The whole safe deploy in one step: preflight, runner gate, deploy, health check; on failure roll back, re-verify and open an incident.',
    inputs: pipelineInputs,
    outputs: pipelineOutputs,
    post: true,
    icon: 'shield',
    root: true,
    cli: 'run',
  },
  'health-check': {
    summary:
      'Probe a service (HTTP, TCP, command, PromQL) in parallel, judged over several measurements; fail fast.',
    inputs: healthCheckInputs,
    outputs: healthCheckOutputs,
    icon: 'activity',
  },
  deploy: {
    summary:
      'Deploy an immutable version (command, Ansible or releases directory) with lock, retry, verification and recorded state.',
    inputs: deployInputs,
    outputs: deployOutputs,
    post: true,
    icon: 'upload-cloud',
  },
  preflight: {
    summary:
      'Check before deploying: secrets present (never printed), tools, disk, memory, reachability, artifact, image, version not bad.',
    inputs: preflightInputs,
    outputs: preflightOutputs,
    icon: 'check-square',
  },
  'runner-health-gate': {
    summary:
      "Pick a healthy runner (primary, else secondary) from Prometheus or the runners' exporters; fail closed.",
    inputs: runnerGateInputs,
    outputs: runnerGateOutputs,
    icon: 'shield',
    cli: 'gate',
  },
  rollback: {
    summary: 'Return an environment to its last good (or a named) version, mark the bad one, and verify.',
    inputs: rollbackInputs,
    outputs: rollbackOutputs,
    icon: 'rotate-ccw',
  },
  promote: {
    summary:
      'Switch traffic to the release paused on its blue-green slot (promotion: manual), after checking it there again, or let a canary paused at pause: {} go on with its steps; verify what users reach.',
    inputs: promotionInputs,
    outputs: promoteOutputs,
    icon: 'play',
  },
  abort: {
    summary:
      'Stop the release paused on its blue-green slot (promotion: manual) before any user reaches it, or take a paused canary traffic back to stable, and record it aborted.',
    inputs: promotionInputs,
    outputs: abortOutputs,
    icon: 'stop-circle',
  },
  'promote-image': {
    summary:
      "Point the next environment's tag at the exact image digest verified good in the one before (no rebuild, no layer pulled), read it back byte for byte, and record it.",
    inputs: promoteImageInputs,
    outputs: promoteImageOutputs,
    icon: 'arrow-up-circle',
  },
  'registry-retention': {
    summary:
      'Clean a registry repository by rules (final releases kept, RCs in a window, stale sha- tags removed) without ever removing what an environment or slot runs: a dry run by default.',
    inputs: retentionInputs,
    outputs: retentionOutputs,
    icon: 'trash-2',
  },
  'incident-issue': {
    summary:
      'Open a production-incident issue for a failed deploy (comment on the open one instead), or close it after a good deploy.',
    inputs: incidentInputs,
    outputs: incidentOutputs,
    icon: 'alert-triangle',
    cli: 'incident',
  },
  'pr-staging': {
    summary:
      "Gate a pull request's staging deploy on a maintainer's label or approval of the exact commit; keep one sticky comment; tear down on close.",
    inputs: prStagingInputs,
    outputs: prStagingOutputs,
    icon: 'git-pull-request',
    cli: false,
  },
} as const satisfies Readonly<Record<string, ActionEntry>>;

export type ActionName = keyof typeof ACTION_CATALOG;

/** Where an action's action.yml lives: its own folder, or `.` for the root action. */
export function actionFolder(name: string): string {
  return (ACTION_CATALOG as Readonly<Record<string, ActionEntry>>)[name]?.root ? '.' : name;
}
