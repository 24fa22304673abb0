import { ConfigurationError } from '../errors.ts';
import { compileJsonPath } from '../health/json-path.ts';
import type { ProbeSpec } from '../model/health.ts';
import type { Slot, VerifySettings } from '../model/release.ts';
import type { ReadTextFile } from '../ports.ts';
import { defaultJudgement } from './health-check.ts';
import { chooseProbesSource, parseProbes, requireCountedProbe } from './probe-list.ts';
import { readStructuredText } from './structured-text.ts';

/** `{slot_url}`, `{slot_host}`, `{slot_port}`: where a probe names the slot it checks. */
const SLOT_PLACEHOLDER = /\{slot_(url|host|port)\}/g;
const namesSlot = (text: string) => text.search(SLOT_PLACEHOLDER) >= 0;

/**
 * What verifies a release, as declared: the probes and version source. Those that name the
 * slot (`{slot_url}` …) check a blue-green release on its own slot before traffic; the others
 * check what users reach, after it went live.
 */
export interface VerifyDeclaration {
  readonly public: VerifySettings;
  /** Probes and version source naming the slot, for `forSlot`; none for in place. */
  readonly namesSlot: boolean;
  forSlot(slot: Slot): VerifySettings;
}

export function readVerify(values: Record<string, string>, readFile: ReadTextFile): VerifyDeclaration {
  const source = chooseProbesSource(values['verify-probes'], values['verify-probes-file'], readFile, [
    'verify-probes',
    'verify-probes-file',
  ]);
  const input = source?.input ?? 'verify-probes';
  const declared = source ? readStructuredText(source.text, input) : [];
  const list = Array.isArray(declared) ? declared : (declared as { probes?: unknown } | null)?.probes;
  // Not a list (or an empty one): parseProbes says so, as health-check does.
  if (!Array.isArray(list) || (list.length === 0 && source)) parseProbes(declared, input, defaultJudgement());
  const entries = list as unknown[];
  const names = (entry: unknown) => namesSlot(JSON.stringify(entry));
  // Each part keeps the positions of its probes in the list as written, for the messages.
  const part = (onSlot: boolean) =>
    entries.flatMap((entry, at) => (names(entry) === onSlot ? [{ entry, at }] : []));
  const slotEntries = part(true);
  const publicEntries = part(false);
  const url = values['version-url'] ?? '';
  const urlNamesSlot = namesSlot(url);
  const versionPath = compileJsonPath(values['version-json-path']!);
  if ('problem' in versionPath) throw new ConfigurationError('version-json-path', versionPath.problem);
  const settings = (probeEntries: readonly Positioned[], versionUrl: string): VerifySettings => {
    if (versionUrl && !URL.canParse(versionUrl))
      throw new ConfigurationError('version-url', `"${versionUrl}" is not a URL`);
    const positions = probeEntries.map(({ at }) => at);
    const declared = probeEntries.map(({ entry }) => entry);
    return {
      probes: declared.length > 0 ? parseProbes(declared, input, defaultJudgement(), positions) : [],
      ...(values['version-command'] ? { versionCommand: values['version-command'] } : {}),
      ...(versionUrl ? { versionUrl: new URL(versionUrl) } : {}),
      versionJsonPath: values['version-json-path']!,
    };
  };
  // Checked now, pointed at an example slot, so a bad probe is bad input before anything runs.
  const forSlot = (slot: Slot) =>
    settings(
      slotEntries.map(({ entry, at }) => ({ entry: withSlot(entry, slot), at })),
      urlNamesSlot ? withSlot(url, slot) : '',
    );
  const onSlot = forSlot({ name: 'slot', host: '127.0.0.1', port: 1 });
  const publicSettings = settings(publicEntries, urlNamesSlot ? '' : url);
  checkWholeList([...onSlot.probes, ...publicSettings.probes], input);
  return {
    public: publicSettings,
    namesSlot: slotEntries.length > 0 || urlNamesSlot,
    forSlot,
  };
}

interface Positioned {
  readonly entry: unknown;
  /** Where it sits in the list as written. */
  readonly at: number;
}

/** What holds of the list as written, whichever part (on the slot, or public) a probe is in. */
function checkWholeList(probes: readonly ProbeSpec[], input: string): void {
  const names = probes.map((probe) => probe.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice)
    throw new ConfigurationError(input, `the probe name "${twice}" is used twice; names must be unique`);
  requireCountedProbe(probes, input);
}

/** `value` with every slot placeholder in its strings replaced by `slot`'s address. */
function withSlot<T>(value: T, slot: Slot): T {
  const fill = (text: string) =>
    text.replace(SLOT_PLACEHOLDER, (_, part: string) =>
      part === 'url' ? `http://${slot.host}:${slot.port}` : part === 'host' ? slot.host : String(slot.port),
    );
  if (typeof value === 'string') return fill(value) as T;
  if (Array.isArray(value)) return value.map((item) => withSlot(item, slot)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSlot(v, slot)])) as T;
  return value;
}
