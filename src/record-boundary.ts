import { withoutOutput } from './deploy/driver.ts';
import type { AuditLog, EnvironmentState, IssueTracker, ReleaseBackend } from './ports.ts';
import { type Redactor, scrubCredentials } from './redactor.ts';

/**
 * The one boundary of everything kept or sent: state, the audit log, GitHub statuses, incidents,
 * outputs, summaries, reports. Text crossing it loses the run's secrets and anything shaped like
 * a credential; a recorded reason also loses the command output it quotes. The wiring puts every
 * store, log and tracker behind it, and each face passes its outputs and summaries through it.
 */
export class RecordBoundary {
  readonly #redactor: Redactor;

  constructor(redactor: Redactor) {
    this.#redactor = redactor;
  }

  /** Text about to be kept or sent. */
  text(text: string): string {
    return scrubCredentials(this.#redactor.redact(text));
  }

  /** A one-line reason about to be recorded: the same, and never a quote of a command's output. */
  reason(text: string): string {
    return this.text(withoutOutput(text));
  }

  /** Every string inside `value` (keys too) through `text`. */
  value<T>(value: T): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) return value.map((item) => this.value(item)) as T;
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.text(k), this.value(v)])) as T;
    return value;
  }

  /** A release backend whose sessions (and post-step settling) record through the boundary. */
  backend(backend: ReleaseBackend): ReleaseBackend {
    return {
      read: (environment) => backend.read(environment),
      holder: (environment) => backend.holder(environment),
      begin: async (environment, owner, options) => {
        const session = await backend.begin(environment, owner, options);
        return {
          token: session.token,
          read: () => session.read(),
          write: (state) => session.write(this.#state(state)),
          ...(session.guard ? { guard: session.guard.bind(session) } : {}),
          end: () => session.end(),
        };
      },
      endAbandoned: (environment, token, settle) =>
        backend.endAbandoned(environment, token, (state) => this.#state(settle(state))),
    };
  }

  audit(log: AuditLog): AuditLog {
    return { append: (entry) => log.append(this.value(entry)) };
  }

  tracker(tracker: IssueTracker): IssueTracker {
    return {
      findOpenIncident: (environment) => tracker.findOpenIncident(environment),
      openIncident: (environment, title, body, assignees) =>
        tracker.openIncident(environment, this.text(title), this.text(body), assignees),
      comment: (incident, body) => tracker.comment(incident, this.text(body)),
      close: (incident, body) => tracker.close(incident, this.text(body)),
    };
  }

  #state(state: EnvironmentState): EnvironmentState {
    return {
      ...this.value({ ...state, releases: [] }),
      releases: state.releases.map(({ reason, ...record }) => ({
        ...this.value(record),
        ...(reason ? { reason: this.reason(reason) } : {}),
      })),
    };
  }
}
