import { ROLES, type Role } from '../model/github.ts';
import type { PullRequestEvent } from './pr-event.ts';

export { ROLES, type Role } from '../model/github.ts';

export interface GateFacts {
  /** The role of whoever added the label (labeled events). */
  readonly labellerRole?: Role;
  /** Approving reviews with their reviewer's role and the commit they approved. */
  readonly approvals: readonly { readonly login: string; readonly role: Role; readonly commitId: string }[];
}

export interface GateRules {
  readonly label: string;
  readonly minRole: Role;
  readonly allowApproval: boolean;
}

export interface GateDecision {
  readonly decision: 'deploy' | 'wait' | 'teardown';
  readonly reason: string;
}

const trusted = (role: Role | undefined, min: Role) =>
  role !== undefined && ROLES.indexOf(role) >= ROLES.indexOf(min);

/**
 * Whether a pull request's code may be deployed (with the repository's secrets) to its staging
 * environment. Only a person trusted with `minRole` can allow it, and only for the commit they
 * saw: adding the label allows the head at that moment; an approval allows the commit it
 * approved. New commits after either wait for a new label or approval. Closing tears down.
 */
export function decideStagingGate(event: PullRequestEvent, facts: GateFacts, rules: GateRules): GateDecision {
  const short = event.headSha.slice(0, 7);
  if (event.action === 'closed')
    return { decision: 'teardown', reason: `pull request #${event.number} was closed` };
  if (event.action === 'labeled' && event.label === rules.label) {
    if (trusted(facts.labellerRole, rules.minRole))
      return {
        decision: 'deploy',
        reason: `@${event.sender} (${facts.labellerRole}) added ${rules.label} at ${short}`,
      };
    return {
      decision: 'wait',
      reason: `@${event.sender} added ${rules.label} but has ${facts.labellerRole ?? 'no'} permission; someone with ${rules.minRole} must add it`,
    };
  }
  if (rules.allowApproval) {
    const approval = facts.approvals.find(
      (a) => a.commitId === event.headSha && trusted(a.role, rules.minRole),
    );
    if (approval && event.readOnly)
      return {
        decision: 'wait',
        reason: `approved by @${approval.login} (${approval.role}) at ${short}, but GitHub runs a fork's review without secrets or write access, so it cannot deploy; someone with ${rules.minRole} adds ${rules.label} to deploy ${short}`,
      };
    if (approval)
      return { decision: 'deploy', reason: `approved by @${approval.login} (${approval.role}) at ${short}` };
  }
  const stale =
    event.labels.includes(rules.label) || facts.approvals.some((a) => trusted(a.role, rules.minRole));
  const how = rules.allowApproval
    ? `add ${rules.label} again or approve ${short}`
    : `add ${rules.label} again`;
  return {
    decision: 'wait',
    reason: stale
      ? `${short} was not reviewed: the label or approval was for an earlier commit; someone with ${rules.minRole} must ${how}`
      : `waiting for someone with ${rules.minRole} permission to ${rules.allowApproval ? `add ${rules.label} or approve` : `add ${rules.label}`}`,
  };
}
