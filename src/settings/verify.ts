import { formatHostPort, type HostPort, slotUrl, urlHost } from '../addresses.ts';
import { ConfigurationError } from '../errors.ts';
import type { ProbeSpec } from '../model/health.ts';
import type { Slot, VerifySettings } from '../model/release.ts';
import type { ReadTextFile } from '../ports.ts';
import { compileJsonPath } from '../schema/json-path.ts';
import { defaultJudgement } from './health-check.ts';
import { chooseProbesSource, parseProbes, requireCountedProbe } from './probe-list.ts';
import { readStructuredText } from './structured-text.ts';

/**
 * A deploy's verification, unless a probe says otherwise: quick (a service that starts in 100 ms
 * is verified in about a second) and patient with one still starting (up to 30 s for its first
 * answer; health-check's own defaults, every 5 s, suit a check of production, not a deploy).
 */
const VERIFY_DEFAULTS = { interval: '500ms', count: '3', 'start-timeout': '30s' };
const verifyJudgement = () => defaultJudgement(VERIFY_DEFAULTS);

/** `{slot_url}`, `{slot_host}`, `{slot_port}`: where a probe names the slot it checks. */
const SLOT_PLACEHOLDER = /\{slot_(url|host|port)\}/g;
const namesSlot = (text: string) => text.search(SLOT_PLACEHOLDER) >= 0;
/** `{host_url}`, `{host_address}`, `{host_name}`: where a probe names the host it checks (hosts). */
const HOST_PLACEHOLDER = /\{host_(url|address|name)\}/g;
const namesHost = (text: string) => text.search(HOST_PLACEHOLDER) >= 0;

/** A host a probe is pointed at: its name, and its service's address when it has one. */
export interface VerifiedHost {
  readonly name: string;
  readonly address?: HostPort;
}

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
  /** Probes and version source naming the host ({host_url} …): each host checked after its deploy. */
  readonly namesHost: boolean;
  /** Whether any of them needs the host's address ({host_url}, {host_address}). */
  readonly needsAddress: boolean;
  forHost(host: VerifiedHost): VerifySettings;
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
  if (!Array.isArray(list) || (list.length === 0 && source)) parseProbes(declared, input, verifyJudgement());
  const entries = list as unknown[];
  const onSlot = entries.map((entry) => namesSlot(JSON.stringify(entry)));
  const onHost = entries.map((entry) => namesHost(JSON.stringify(entry)));
  const url = values['version-url'] ?? '';
  const urlNamesSlot = namesSlot(url);
  const urlNamesHost = namesHost(url);
  const versionPath = compileJsonPath(values['version-json-path']!);
  if ('problem' in versionPath) throw new ConfigurationError('version-json-path', versionPath.problem);
  // The list as written, checked once as one list (names unique across both parts, one probe
  // counted, each probe named by its place), pointed at an example slot: bad input before
  // anything runs. The public part needs no slot, so it is that check's result.
  const checked =
    entries.length > 0
      ? parseProbes(withHost(withSlot(entries, EXAMPLE_SLOT), EXAMPLE_HOST), input, verifyJudgement())
      : [];
  requireCountedProbe(checked, input);
  if (urlNamesSlot) versionUrlOf(withSlot(url, EXAMPLE_SLOT));
  if (urlNamesHost) versionUrlOf(withHost(url, EXAMPLE_HOST));
  const hostEntries = entries.filter((_, at) => onHost[at]);
  const hostPositions = entries.flatMap((_, at) => (onHost[at] ? [at] : []));
  const slotEntries = entries.filter((_, at) => onSlot[at]);
  const slotPositions = entries.flatMap((_, at) => (onSlot[at] ? [at] : []));
  const settings = (probes: ProbeSpec[], versionUrl: string): VerifySettings => {
    const parsedUrl = versionUrlOf(versionUrl);
    return {
      probes,
      ...(values['version-command'] ? { versionCommand: values['version-command'] } : {}),
      ...(parsedUrl ? { versionUrl: parsedUrl } : {}),
      versionJsonPath: values['version-json-path']!,
    };
  };
  const forSlot = (slot: Slot) =>
    settings(
      slotEntries.length > 0
        ? parseProbes(withSlot(slotEntries, slot), input, verifyJudgement(), slotPositions)
        : [],
      urlNamesSlot ? withSlot(url, slot) : '',
    );
  // A host is checked by what names it; version-command runs here, once, with the public part.
  const forHost = (host: VerifiedHost): VerifySettings => {
    const { versionCommand: _once, ...placed } = settings(
      hostEntries.length > 0
        ? parseProbes(withHost(hostEntries, host), input, verifyJudgement(), hostPositions)
        : [],
      urlNamesHost ? withHost(url, host) : '',
    );
    return placed;
  };
  const needsAddress = /\{host_(url|address)\}/.test(JSON.stringify([hostEntries, urlNamesHost ? url : '']));
  return {
    public: settings(
      checked.filter((_, at) => !onSlot[at] && !onHost[at]),
      urlNamesSlot || urlNamesHost ? '' : url,
    ),
    namesSlot: slotEntries.length > 0 || urlNamesSlot,
    forSlot,
    namesHost: hostEntries.length > 0 || urlNamesHost,
    needsAddress,
    forHost,
  };
}

/** Stands for either slot while the declaration is checked. */
const EXAMPLE_SLOT: Slot = { name: 'slot', host: '127.0.0.1', port: 1 };
/** Stands for any host while the declaration is checked. */
const EXAMPLE_HOST: VerifiedHost = { name: 'host', address: { host: '127.0.0.1', port: 1 } };

/** `value` with every host placeholder in its strings replaced by `host`'s name or address. */
function withHost<T>(value: T, host: VerifiedHost): T {
  const { address } = host;
  return fillStrings(value, (text) =>
    text.replace(HOST_PLACEHOLDER, (_, part: string) =>
      part === 'name'
        ? host.name
        : !address
          ? ''
          : part === 'url'
            ? slotUrl(address)
            : formatHostPort(address),
    ),
  );
}

/** `value` (a declaration: strings, lists, maps) with `fill` applied to every string in it. */
function fillStrings<T>(value: T, fill: (text: string) => string): T {
  if (typeof value === 'string') return fill(value) as T;
  if (Array.isArray(value)) return value.map((item) => fillStrings(item, fill)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillStrings(v, fill)])) as T;
  return value;
}

function versionUrlOf(text: string): URL | undefined {
  if (!text) return undefined;
  if (!URL.canParse(text)) throw new ConfigurationError('version-url', `"${text}" is not a URL`);
  return new URL(text);
}

/** `value` with every slot placeholder in its strings replaced by `slot`'s address. */
function withSlot<T>(value: T, slot: Slot): T {
  return fillStrings(value, (text) =>
    text.replace(SLOT_PLACEHOLDER, (_, part: string) =>
      part === 'url' ? slotUrl(slot) : part === 'host' ? urlHost(slot.host) : String(slot.port),
    ),
  );
}
