import { mkdirSync } from 'node:fs';
import { ConfigurationError } from '../errors.ts';

/** The state directory, made if missing; one that cannot be made is the input's problem, named. */
export function ensureStateDir(stateDir: string): void {
  try {
    mkdirSync(stateDir, { recursive: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new ConfigurationError(
      'state-dir',
      `"${stateDir}" cannot be made (${code ?? message}): choose a directory this user may create and write`,
    );
  }
}
