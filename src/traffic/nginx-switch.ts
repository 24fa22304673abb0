import { ConfigurationError } from '../errors.ts';
import type { Slot } from '../model/release.ts';
import { type NginxUpstreamOptions, nginxUpstream } from './nginx-upstream.ts';
import { readUpstreamFile, splitLines, upstreamLine } from './nginx-upstream-file.ts';
import type { TrafficSwitch } from './traffic-switch.ts';

export interface NginxSwitchOptions extends NginxUpstreamOptions {
  readonly slots: readonly Slot[];
}

/**
 * Blue-green behind nginx: the live slot is the one server line of an upstream include file.
 * A switch writes the new line atomically (temp file, rename), lets `nginx -t` judge it (putting
 * the old file back if it fails), reloads gracefully, and waits until the master runs new
 * workers, so "switched" means nginx serves the new slot, not that a file changed.
 */
export function nginxSwitch(options: NginxSwitchOptions): TrafficSwitch {
  const { upstreamFile } = options;
  const upstream = nginxUpstream(options);
  const slot = (name: string) => options.slots.find((s) => s.name === name)!;
  const read = () => {
    const read_ = readUpstreamFile(upstream.read(), options.slots);
    if ('problem' in read_)
      throw new ConfigurationError(
        'nginx-upstream-file',
        `${upstreamFile} does not say which slot serves: ${read_.problem}; nothing was changed. Write the live slot's line (e.g. ${upstreamLine(options.slots[0]!).trim()}), test and reload nginx`,
      );
    return read_;
  };
  return {
    name: `nginx upstream ${upstreamFile}`,
    live: async () => read().slots,
    shares: async () => read().shares,
    split: (canary, stable, percent, signal) =>
      upstream.apply(splitLines(slot(canary), slot(stable), percent), signal, `${stable} alone`),
    switchTo: (name, from, signal) =>
      upstream.apply(
        upstreamLine(options.slots.find((s) => s.name === name)!),
        signal,
        from ?? 'the old slot',
      ),
    check: (signal) => upstream.check(signal),
    readCommand: `\`cat ${upstreamFile}\` (and whether nginx was reloaded since it changed)`,
    fixCommand: (name) => {
      const slot = options.slots.find((s) => s.name === name)!;
      return `echo '${upstreamLine(slot).trim()}' > ${upstreamFile} && ${options.testCommand} && ${options.reloadCommand}`;
    },
  };
}
