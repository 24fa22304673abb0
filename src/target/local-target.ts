import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
} from 'node:fs';
import path from 'node:path';
import { resolvedPath } from '../clients/owned-files.ts';
import type { CommandRunner } from '../ports.ts';
import type { Target, TargetEntry, TargetRunOptions } from './target.ts';

/** The runner's own machine as a target: its file system and its processes. */
export class LocalTarget implements Target {
  readonly name = 'local';
  readonly runner: CommandRunner;

  constructor(runner: CommandRunner) {
    this.runner = runner;
  }

  async exists(file: string): Promise<boolean> {
    return existsSync(file);
  }

  async install(artifact: string, dir: string, options: TargetRunOptions = {}): Promise<void> {
    if (!existsSync(artifact)) throw new Error(`the artifact ${artifact} does not exist`);
    mkdirSync(path.dirname(dir), { recursive: true });
    const staging = `${dir}.installing-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    try {
      if (statSync(artifact).isDirectory()) cpSync(artifact, staging, { recursive: true });
      else {
        mkdirSync(staging);
        const unpack = await this.runner.run({
          argv: ['tar', '-xzf', artifact, '-C', staging],
          ...options,
        });
        if (unpack.exitCode !== 0)
          throw new Error(`unpacking ${artifact} failed (tar exited ${unpack.exitCode ?? unpack.signal})`);
      }
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    const now = new Date();
    utimesSync(staging, now, now);
    renameSync(staging, dir);
  }

  async readLink(link: string): Promise<string | undefined> {
    try {
      return lstatSync(link).isSymbolicLink()
        ? path.resolve(path.dirname(link), readlinkSync(link))
        : undefined;
    } catch {
      return undefined;
    }
  }

  async switchLink(link: string, target: string): Promise<void> {
    const temp = `${link}.next-${process.pid}`;
    rmSync(temp, { force: true });
    symlinkSync(path.relative(path.dirname(link), target), temp);
    renameSync(temp, link);
  }

  async list(dir: string): Promise<readonly TargetEntry[]> {
    if (!existsSync(dir)) return [];
    return readdirSync(dir).map((name) => ({ name, mtimeMs: lstatSync(path.join(dir, name)).mtimeMs }));
  }

  async realPath(file: string): Promise<string> {
    return resolvedPath(file);
  }

  async remove(file: string): Promise<void> {
    rmSync(file, { recursive: true, force: true });
  }
}
