import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../clients/owned-files.ts';
import type { IncidentRef, IssueTracker } from '../ports.ts';
import { isIncidentOf } from './incident-report.ts';

const CLOSED = '<!-- deploy-actions:closed -->';

/**
 * Incidents as Markdown files (`<dir>/incident-<n>.md`) for the CLI and the local demo, where
 * there is no GitHub: the same bodies, de-duplication by marker, comments appended, and a
 * closing line. Each write replaces the file atomically.
 */
export class FileIssueTracker implements IssueTracker {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async findOpenIncident(environment: string): Promise<IncidentRef | undefined> {
    for (const number of this.#numbers().toReversed()) {
      const text = readFileSync(this.#file(number), 'utf8');
      if (isIncidentOf(text, environment) && !text.includes(CLOSED)) return this.#ref(number);
    }
    return undefined;
  }

  async openIncident(
    _environment: string,
    title: string,
    body: string,
    assignees: readonly string[],
  ): Promise<IncidentRef> {
    mkdirSync(this.#dir, { recursive: true });
    const number = Math.max(0, ...this.#numbers()) + 1;
    const who = assignees.length > 0 ? `\n\nAssigned: ${assignees.map((a) => `@${a}`).join(', ')}` : '';
    this.#write(number, `${body}${who}\n\n<!-- title: ${title.replaceAll('--', '- -')} -->\n`);
    return this.#ref(number);
  }

  async comment(incident: IncidentRef, body: string): Promise<void> {
    const file = this.#file(incident.number);
    this.#write(incident.number, `${readFileSync(file, 'utf8')}\n---\n\n${body}\n`);
  }

  async close(incident: IncidentRef, body: string): Promise<void> {
    await this.comment(incident, body);
    this.#write(incident.number, `${readFileSync(this.#file(incident.number), 'utf8')}\n${CLOSED}\n`);
  }

  #numbers(): number[] {
    if (!existsSync(this.#dir)) return [];
    return readdirSync(this.#dir)
      .map((name) => /^incident-(\d+)\.md$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  #file(number: number): string {
    return path.join(this.#dir, `incident-${number}.md`);
  }

  #ref(number: number): IncidentRef {
    return { number, url: `file://${this.#file(number)}` };
  }

  #write(number: number, text: string): void {
    writeFileAtomically(this.#file(number), text, { durable: true });
  }
}
