import type { HostPort } from '../addresses.ts';
import type { CanarySettings } from './canary.ts';
import type { GitHubSettings } from './github.ts';
import type { ProbeSpec } from './health.ts';
import type { ImageReference } from './image.ts';
import type { SshEndpoint } from './ssh-endpoint.ts';

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
    }
  | DockerDriverSettings
  | ComposeDriverSettings;

/** Where the docker CLI finds its daemon: DOCKER_HOST (unix://…, ssh://…), or its own default. */
export interface DockerConnection {
  readonly dockerHost?: string;
  /** registry-username and registry-password, for the pull (from TargetSettings.registry). */
  readonly registry?: { readonly username: string; readonly password: string };
}

/**
 * What the docker and compose drivers name a slot's container or project (`shop-blue`), or the
 * one in place (`shop`): the drivers that start them and the stop that removes them agree on it.
 */
export function containerName(name: string, slot?: string): string {
  return slot ? `${name}-${slot}` : name;
}

/** A container per slot (`<name>-<slot>`), or one in place (`<name>`), run from the release's digest. */
export interface DockerDriverSettings extends DockerConnection {
  readonly kind: 'docker';
  readonly name: string;
  /** The port inside the container; each slot's port is published to it. */
  readonly containerPort?: number;
  readonly envFile?: string;
  /** Variables given to the container by name (`-e KEY`): values travel in the CLI's environment, never argv. */
  readonly env: Readonly<Record<string, string>>;
  /** Extra `docker run` arguments, as argv. */
  readonly args: readonly string[];
  readonly restart: string;
}

/** A compose project per slot (`<name>-<slot>`), the release's digest in DEPLOY_IMAGE. */
export interface ComposeDriverSettings extends DockerConnection {
  readonly kind: 'compose';
  readonly name: string;
  readonly file: string;
  /** The service the release is judged by (its healthcheck waited for). */
  readonly service: string;
  readonly env: Readonly<Record<string, string>>;
  /** docker compose (v2, the CLI plugin) or docker-compose (v1, Debian's package). */
  readonly program: readonly ['docker', 'compose'] | readonly ['docker-compose'];
}

/**
 * How a slot is stopped: the user's stop-command (sh -c, DEPLOY_SLOT set), or the driver's own
 * program for it (docker rm -f shop-blue), run as argv.
 */
export type SlotStop =
  | { readonly command: string }
  | {
      readonly argv: (slot: string) => readonly [string, ...string[]];
      readonly env?: Readonly<Record<string, string>>;
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
  /** After going live, through the public address. */
  readonly verify: VerifySettings;
  readonly strategy: StrategySettings;
  readonly stateDir: string;
  readonly backend: BackendSettings;
  readonly lockTimeoutMs: number;
  readonly dryRun: boolean;
  readonly pushgatewayUrl?: URL;
  /** Remote hosts over SSH; absent: the release runs on the runner. */
  readonly hosts?: HostsSettings;
  /**
   * Rolling with the ansible driver: the hosts are the inventory's, read when the release runs;
   * each is checked by the probes that name it, pointed at it here.
   */
  /** The image registry's credentials (registry-username, registry-password), when it asks for them. */
  readonly registry?: { readonly username: string; readonly password: string };
  readonly inventoryHosts?: {
    /** The probes need each host's address: its deploy_address var. */
    readonly needsAddress: boolean;
    verifyFor(host: { readonly name: string; readonly address?: HostPort }): VerifySettings;
  };
}

/** The hosts a release runs on over SSH, and how it reaches them. */
export interface HostsSettings {
  readonly hosts: readonly {
    readonly name: string;
    readonly endpoint: SshEndpoint;
    /** Where the load balancer and the probes reach the service on this host. */
    readonly address?: HostPort;
  }[];
  /** A ProxyJump chain, in order. */
  readonly jump: readonly SshEndpoint[];
  /** known_hosts lines: the only host keys trusted. */
  readonly knownHosts: string;
  /** The deploy key (a secret); absent: the running agent. */
  readonly privateKey?: string;
  /** The deploy key's passphrase (a secret): unlocked into an ssh-agent of the release's own. */
  readonly keyPassphrase?: string;
  /** The command driver: on the runner once per host, or on each host. */
  readonly runOn: 'runner' | 'host';
  /** Per host: the probes and version source that name it, checked right after its deploy. */
  readonly verify: Readonly<Record<string, VerifySettings>>;
}

export interface VerifySettings {
  readonly probes: readonly ProbeSpec[];
  readonly versionCommand?: string;
  readonly versionUrl?: URL;
  readonly versionJsonPath: string;
}

/** A place a version runs in, side by side with the other: blue at 127.0.0.1:8081. */
export interface Slot {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export type TrafficSettings =
  | {
      readonly kind: 'haproxy';
      /** The runtime API: a unix socket path or host:port. */
      readonly socket: string;
      readonly backend: string;
    }
  | {
      readonly kind: 'command';
      /** Run with DEPLOY_SLOT to switch there; with DEPLOY_SLOT empty it prints the live slot. */
      readonly switchCommand: string;
    }
  | {
      readonly kind: 'nginx';
      readonly upstreamFile: string;
      readonly testCommand: string;
      readonly reloadCommand: string;
      readonly pidFile: string;
    };

/**
 * How a version goes live. In place: the driver replaces what runs. Blue-green: the driver
 * makes it run in the idle slot, it is verified there (`slotVerify`, before any user reaches
 * it), then traffic switches; the old slot stays warm for an instant switch back.
 */
export type StrategySettings =
  | { readonly kind: 'in-place' }
  | RollingSettings
  | {
      readonly kind: 'blue-green';
      readonly slots: readonly [Slot, Slot];
      readonly traffic: TrafficSettings;
      readonly drainTimeoutMs: number;
      /**
       * manual: a deploy stops once its version is verified on its slot, holding nothing but its
       * record, until `promote` switches traffic to it (or `abort` stops it). Rollbacks never wait.
       */
      readonly promotion: 'auto' | 'manual';
      /** Stop the old slot this long after a release was verified (absent: keep it warm). */
      readonly scaleDown?: { readonly stop: SlotStop; readonly delayMs: number };
      /** Per slot: the probes and version source that name the slot, pointed at it. */
      readonly slotVerify: Readonly<Record<string, VerifySettings>>;
      /** strategy: canary: the switch is made in steps of weight, judged by analysis. */
      readonly canary?: CanarySettings;
    };

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
  /** With image: the reference as given until the release pins it (then `registry/name@sha256:…`). */
  readonly version: string;
  /** The image to deploy, resolved to its digest before anything runs. */
  readonly image?: ImageReference;
  readonly force: boolean;
  readonly hooks: { readonly preDeploy?: string; readonly postDeploy?: string; readonly onFailure?: string };
}

export interface RollbackSettings extends TargetSettings {
  readonly toVersion?: string;
  /** Roll back to this image: pinned to its digest (then toVersion) before anything runs. */
  readonly image?: ImageReference;
  readonly force: boolean;
  readonly onRollback?: string;
}

/** A number of hosts: a count, or a percentage of the fleet. */
export type HostCount = { readonly count: number } | { readonly percent: number };

/**
 * Rolling, across hosts behind a load balancer: batch by batch, each host of a batch taken out
 * of rotation, deployed, verified on its own address, put back; `minHealthy` hosts serve a
 * verified version at every moment. `gate` is how a host is taken out and put back.
 */
export interface RollingSettings {
  readonly kind: 'rolling';
  readonly batchSize: HostCount;
  /** Absent: every host but the batch. */
  readonly minHealthy?: HostCount;
  /** stop-and-revert: the hosts done go back to the previous version, verified; stop: they stay. */
  readonly onFailure: 'stop-and-revert' | 'stop';
  readonly gate: TrafficSettings;
  /** How long a host may finish the requests it serves once out of rotation. */
  readonly drainTimeoutMs: number;
  /** strategy: canary: the hosts move in steps of their share, judged by analysis. */
  readonly canary?: CanarySettings;
}
