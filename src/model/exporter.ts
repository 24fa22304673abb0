/** What the runner exporter serves, and how it tells whether the runner is up. */

export type StatusSource =
  | { readonly kind: 'systemd'; readonly unit: string }
  | { readonly kind: 'pidfile'; readonly path: string }
  | { readonly kind: 'process'; readonly name: string }
  | { readonly kind: 'always' };

export interface ExporterSettings {
  readonly runner: string;
  readonly role: string;
  readonly host: string;
  readonly port: number;
  readonly status: StatusSource;
  readonly diskPath: string;
}
