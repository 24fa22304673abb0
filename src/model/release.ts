import type { GitHubSettings } from './github.ts';
import type { ProbeSpec } from './health.ts';

/**
 * What a release works with, once the inputs are parsed: where it goes (the target), how the
 * driver makes a version run, where the record and the lock live. The parsers in settings/
 * produce these; nothing here knows an input's name.
 */

export type DriverSettings =
  | { readonly kind: 'command'; readonly command: string }
  | {
      readonly kind: 'ansible';
      readonly playbook: string;
      readonly inventory: string;
      readonly extraVars: Readonly<Record<string, unknown>>;
    }
  | {
      readonly kind: 'releases';
      readonly releasesDir: string;
      readonly artifact: string;
      readonly buildCommand?: string;
      readonly restartCommand?: string;
      readonly keepReleases: number;
    };

export interface TargetSettings {
  readonly environment: string;
  readonly driver: DriverSettings;
  readonly retry: {
    readonly attempts: number;
    readonly waitMs: number;
    readonly factor: number;
    readonly attemptTimeoutMs: number;
  };
  readonly verify: {
    readonly probes: readonly ProbeSpec[];
    readonly versionCommand?: string;
    readonly versionUrl?: URL;
    readonly versionJsonPath: string;
  };
  readonly stateDir: string;
  readonly backend: BackendSettings;
  readonly lockTimeoutMs: number;
  readonly dryRun: boolean;
  readonly pushgatewayUrl?: URL;
}

export type BackendSettings =
  | { readonly kind: 'file' }
  | {
      readonly kind: 'github';
      readonly github: GitHubSettings;
      readonly ref: string;
      readonly environmentUrl?: string;
      readonly transient: boolean;
      readonly production?: boolean;
      readonly pollMs: number;
    };

export interface DeploySettings extends TargetSettings {
  readonly version: string;
  readonly force: boolean;
  readonly hooks: { readonly preDeploy?: string; readonly postDeploy?: string; readonly onFailure?: string };
}

export interface RollbackSettings extends TargetSettings {
  readonly toVersion?: string;
  readonly force: boolean;
  readonly onRollback?: string;
}
