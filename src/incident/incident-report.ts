import { renderCanary } from '../canary/canary-markdown.ts';
import { renderHealthSummary } from '../health/report-markdown.ts';
import { escapeCell, renderTable } from '../markdown.ts';
import type { IncidentFacts } from '../model/incident.ts';

/** What is known of a failed deploy, gathered by the pipeline or passed to the action as inputs. */
export type { IncidentFacts } from '../model/incident.ts';

/** GitHub refuses issue bodies over 65,536 characters; the log tail gives way first. */
const MAX_BODY = 60_000;
const MAX_TITLE = 250;

/**
 * The hidden first line that identifies an environment's incident, whatever its title became.
 * Only a body that starts with it counts, so a quoted log line elsewhere cannot match.
 */
export function incidentMarker(environment: string): string {
  return `<!-- deploy-actions:incident environment="${environment}" -->`;
}

export function isIncidentOf(body: string | null | undefined, environment: string): boolean {
  return (body ?? '').trimStart().startsWith(incidentMarker(environment));
}

export function renderIncidentTitle(facts: IncidentFacts): string {
  const what = facts.version ? `${facts.environment} ${facts.version}` : facts.environment;
  const where = facts.stage ? ` failed at ${facts.stage}` : ' failed';
  const rolled =
    facts.rollback === 'succeeded' && facts.previousVersion
      ? `, rolled back to ${facts.previousVersion}`
      : '';
  return `Deploy incident: ${what}${where}${rolled}`.slice(0, MAX_TITLE);
}

/** The issue body: marker, facts table, health report, and the failing step's output tail. */
export function renderIncidentBody(facts: IncidentFacts): string {
  return fit([incidentMarker(facts.environment), `## 🚨 ${escapeCell(renderIncidentTitle(facts))}`], facts);
}

/** A comment on the open incident when the environment fails again: the same sections, no marker. */
export function renderRecurrence(facts: IncidentFacts): string {
  return fit([`## 🔁 Failed again: ${escapeCell(renderIncidentTitle(facts))}`], facts);
}

/** The comment that closes an incident: which good deploy ended it, when and where. */
export function renderResolution(
  facts: Pick<IncidentFacts, 'environment' | 'version' | 'actor' | 'runUrl' | 'at'>,
): string {
  const version = facts.version ? ` ${inlineCode(facts.version)}` : '';
  const run = facts.runUrl ? ` in [this run](${facts.runUrl})` : '';
  const by = facts.actor ? ` by @${facts.actor}` : '';
  return `✅ Resolved: ${escapeCell(facts.environment)} is healthy again; version${version} was deployed and verified${run}${by} at ${facts.at}. Closing this incident.`;
}

function fit(head: readonly string[], facts: IncidentFacts): string {
  const sections = [...head, factsTable(facts)];
  if (facts.hosts && Object.keys(facts.hosts).length > 0)
    sections.push(
      `### Hosts the release reached\n\n${renderTable(
        ['Host', 'What became of it'],
        Object.entries(facts.hosts).map(([host, fate]) => [host, fate]),
      )}`,
    );
  if (facts.canary) sections.push(renderCanary(facts.canary));
  if (facts.health) {
    sections.push(
      typeof facts.health === 'string' ? `### Health\n\n${facts.health}` : renderHealthSummary(facts.health),
    );
  }
  const fixed = sections.join('\n\n');
  if (!facts.log) return fixed;
  const room = MAX_BODY - fixed.length - 200;
  const log = facts.log.length > room ? facts.log.slice(facts.log.length - Math.max(room, 0)) : facts.log;
  const cut = log.length < facts.log.length ? ' (cut to fit: the run keeps the whole log)' : '';
  return `${fixed}\n\n### Output of the failing step${cut}\n\n${codeBlock(log)}`;
}

function factsTable(facts: IncidentFacts): string {
  const rollback = {
    succeeded: `✅ succeeded${facts.previousVersion ? `: ${facts.previousVersion} is serving again` : ''}`,
    failed: '❌ failed: the environment may be down, act now',
    'not-needed': `— not needed: production was checked after the failure${facts.previousVersion ? ` and ${facts.previousVersion} still serves, verified` : ' and is healthy'}`,
    reverted: facts.canary
      ? `↩️ the canary's traffic was taken back${facts.previousVersion ? `: every user reaches ${facts.previousVersion} again` : ''} (its steps and measurements below)`
      : `↩️ every host the release reached was reverted${facts.previousVersion ? ` to ${facts.previousVersion}` : ''}, each verified before it rejoined (below)`,
    'not-reached': `— not needed: the release was rejected before any user reached it${facts.previousVersion ? `; ${facts.previousVersion} still serves` : ''}`,
    none: '— not attempted',
  }[facts.rollback];
  const rows: [string, string | undefined][] = [
    ['Environment', facts.environment],
    ['Failed stage', facts.stage],
    ['Target version', facts.version],
    ['Previous version', facts.previousVersion],
    ['Rollback', rollback],
    ['Actor', facts.actor ? `@${facts.actor}` : undefined],
    ['Runner', facts.runner],
    ['Run', facts.runUrl],
    ['When', facts.at],
  ];
  return renderTable(
    ['', ''],
    rows.filter((row): row is [string, string] => Boolean(row[1])),
  );
}

/** Text shown as-is: fenced with more backticks than it contains anywhere, so it cannot end the fence. */
export function codeBlock(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text.replace(/\n+$/, '')}\n${fence}`;
}

function inlineCode(text: string): string {
  return `\`${text.replaceAll('`', "'")}\``;
}
