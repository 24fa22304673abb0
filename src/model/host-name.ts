/**
 * A host's name as deploy-actions uses it: in hosts, an ansible inventory, HAProxy server names,
 * nginx marks, --limit and GitHub statuses. Letters, digits, _ . - (nothing a shell, a pattern
 * or a list separator reads), starting with a letter or digit.
 */
export const HOST_NAME_PATTERN = '[A-Za-z0-9][A-Za-z0-9_.-]*';

const WHOLE = new RegExp(`^(?=.{1,63}$)${HOST_NAME_PATTERN}$`);

export function isHostName(name: string): boolean {
  return WHOLE.test(name);
}
