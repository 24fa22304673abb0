/**
 * GitHub treats environment names without regard to case (`Production` and `production` are one
 * environment, with one set of deployments): so do the record and the lock, or two deploys to
 * one environment could run side by side under two spellings.
 */
export function environmentKey(environment: string): string {
  return environment.toLowerCase();
}

export function sameEnvironment(a: string, b: string): boolean {
  return environmentKey(a) === environmentKey(b);
}
