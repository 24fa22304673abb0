import { describeError } from '../errors.ts';
import {
  type IncidentFacts,
  renderIncidentBody,
  renderIncidentTitle,
  renderRecurrence,
  renderResolution,
} from '../incident/incident-report.ts';
import { escapeCell, renderDetails } from '../markdown.ts';
import type { Clock, IssueTracker, Logger, RunContext } from '../ports.ts';
import { type Redactor, scrubCredentials } from '../redactor.ts';
import type { IncidentSettings } from '../settings/incident.ts';

export interface IncidentDeps {
  readonly tracker: IssueTracker;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly run: RunContext;
}

export interface IncidentOutcome {
  readonly action: 'opened' | 'commented' | 'closed' | 'none' | 'failed';
  readonly number?: number;
  readonly url?: string;
  readonly title: string;
  /** What was (or would have been) written to the issue: also the step summary when GitHub failed. */
  readonly body: string;
  /** Why the tracker could not be reached, after its retries. */
  readonly failure?: string;
}

/**
 * Files the incident of a failed deploy, or resolves it after a good one. One open incident per
 * environment: a second failure comments on it. Secrets (the token, mask-values, and anything
 * shaped like a credential) are removed from every text first. When the tracker cannot be
 * reached, the incident text is printed to the log and returned, so nothing is lost.
 */
export async function runIncident(settings: IncidentSettings, deps: IncidentDeps): Promise<IncidentOutcome> {
  const { redactor, logger, tracker } = deps;
  if (settings.github) redactor.add(settings.github.token);
  for (const value of settings.maskValues) redactor.add(value);
  const clean = (text: string) => scrubCredentials(redactor.redact(text));
  const facts: IncidentFacts = {
    ...redactor.redactValue(settings.facts),
    ...(settings.facts.log ? { log: clean(settings.facts.log) } : {}),
    ...(deps.run.actor ? { actor: deps.run.actor } : {}),
    ...(deps.run.runUrl ? { runUrl: deps.run.runUrl } : {}),
    ...(deps.run.runner ? { runner: deps.run.runner } : {}),
    at: new Date(deps.clock.now()).toISOString(),
  };
  const environment = facts.environment;
  const resolving = settings.mode === 'resolve';
  const title = clean(renderIncidentTitle(facts));
  const body = clean(resolving ? renderResolution(facts) : renderIncidentBody(facts));
  try {
    const open = await tracker.findOpenIncident(environment);
    if (resolving) {
      if (!open) {
        logger.info(`No open incident for ${environment}: nothing to resolve.`);
        return { action: 'none', title, body };
      }
      await tracker.close(open, body);
      logger.info(`Closed incident #${open.number} (${open.url}): ${environment} is healthy again.`);
      return { action: 'closed', ...open, title, body };
    }
    if (open) {
      await tracker.comment(open, clean(renderRecurrence(facts)));
      logger.warning(
        `${environment} failed again: commented on the open incident #${open.number} (${open.url})`,
      );
      return { action: 'commented', ...open, title, body };
    }
    const opened = await tracker.openIncident(environment, title, body, settings.assignees);
    logger.warning(`Opened incident #${opened.number}: ${title} (${opened.url})`);
    return { action: 'opened', ...opened, title, body };
  } catch (error) {
    const failure = describeError(error);
    logger.group(`The incident text that could not be filed (${environment})`, () =>
      logger.untrusted(`${title}\n\n${body}`),
    );
    return { action: 'failed', title, body, failure };
  }
}

/** The step summary: what happened to the incident, and its text. */
export function renderIncidentSummary(outcome: IncidentOutcome): string {
  const link = outcome.url ? ` [#${outcome.number}](${outcome.url})` : '';
  const heading = {
    opened: `### 🚨 Incident${link} opened`,
    commented: `### 🔁 Incident${link} already open: commented`,
    closed: `### ✅ Incident${link} closed`,
    none: '### ✅ No open incident to resolve',
    failed: `### ❌ The incident could not be filed: ${escapeCell(outcome.failure ?? '')}`,
  }[outcome.action];
  if (outcome.action === 'failed') return `${heading}\n\n**${escapeCell(outcome.title)}**\n\n${outcome.body}`;
  if (outcome.action === 'none' || outcome.action === 'closed') return heading;
  return `${heading}\n\n${renderDetails(outcome.title, outcome.body)}`;
}
