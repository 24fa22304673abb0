/**
 * What users reach, behind one port: a proxy (HAProxy, nginx) or a user's command. Every
 * implementation reads back what is live from the proxy itself, so the record and the proxy
 * can never silently disagree.
 */
export interface TrafficSwitch {
  /** For logs and messages: `haproxy backend app`. */
  readonly name: string;
  /** The slots that receive new traffic now, as the proxy says. One, when all is well. */
  live(): Promise<readonly string[]>;
  /**
   * New traffic goes to `slot` only, at once; `from` (still running) finishes what it serves
   * and then receives nothing. Resolves when the proxy confirms it.
   */
  switchTo(slot: string, from: string | undefined, signal: AbortSignal): Promise<void>;
  /**
   * Canary: `percent` of new traffic to `canary`, the rest to `stable`, both serving; 0 takes the
   * canary's new traffic away at once (its in-flight requests end). Resolves when the proxy says so.
   */
  split(canary: string, stable: string, percent: number, signal: AbortSignal): Promise<void>;
  /** Each slot's share of new traffic in percent, as the proxy says (a slot out of rotation: 0). */
  shares(): Promise<Readonly<Record<string, number>>>;
  /** The proxy's own check of its configuration, where it has one (`nginx -t`), changing nothing. */
  check?(signal: AbortSignal): Promise<string>;
  /** The command a person runs to see which slot it serves (said when it could not be read). */
  readonly readCommand: string;
  /** The command a person runs to put traffic on `slot` by hand (said when the proxy disagrees). */
  fixCommand(slot: string, others: readonly string[]): string;
}
