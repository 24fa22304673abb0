/** What a registry's 401 asks for: `WWW-Authenticate: Basic realm=…` or `Bearer realm=…,service=…,scope=…`. */
export type Challenge =
  | { readonly scheme: 'basic' }
  | { readonly scheme: 'bearer'; readonly realm: string; readonly service?: string; readonly scope?: string };

/** Username and password for a registry (the password is a secret: masked, never recorded). */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Reads a WWW-Authenticate header (RFC 7235: a scheme, then name="value" pairs; values may hold
 * commas inside quotes, as scopes do: `repository:shop:pull,push`).
 */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme === 'basic') return { scheme: 'basic' };
  if (scheme !== 'bearer') return undefined;
  const params = new Map<string, string>();
  for (const pair of match[2]!.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g))
    params.set(pair[1]!.toLowerCase(), (pair[2] ?? pair[3] ?? '').replace(/\\(.)/g, '$1'));
  const realm = params.get('realm');
  if (!realm || !URL.canParse(realm)) return undefined;
  return {
    scheme: 'bearer',
    realm,
    ...(params.get('service') ? { service: params.get('service')! } : {}),
    ...(params.get('scope') ? { scope: params.get('scope')! } : {}),
  };
}

/** `repository:<name>:pull,push`, as the token flow names what a request needs. */
export function repositoryScope(repository: string, actions: readonly RegistryAction[]): string {
  return `repository:${repository}:${actions.join(',')}`;
}

export type RegistryAction = 'pull' | 'push' | 'delete';

/** The token endpoint's URL for these scopes (each scope its own `scope=` parameter, as Docker sends them). */
export function tokenUrl(
  challenge: Extract<Challenge, { scheme: 'bearer' }>,
  scopes: readonly string[],
): URL {
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set('service', challenge.service);
  for (const scope of new Set([...scopes, ...(challenge.scope ? [challenge.scope] : [])]))
    url.searchParams.append('scope', scope);
  return url;
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
