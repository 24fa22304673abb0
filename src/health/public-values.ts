/** Headers that describe a request, never authorise it: their values are shown unless a probe says otherwise. */
const STANDARD_PUBLIC_HEADERS = [
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'content-type',
  'host',
  'pragma',
  'user-agent',
];

/** The names (lower case) whose values a probe may show: its own `public` list and the standard headers. */
export function publicNames(declared: readonly string[]): ReadonlySet<string> {
  return new Set([...STANDARD_PUBLIC_HEADERS, ...declared.map((name) => name.toLowerCase())]);
}

/** `url` for people: no password, and `***` for every query value whose name is not public. */
export function displayUrl(url: URL, declared: readonly string[] = []): string {
  const copy = new URL(url.href);
  copy.username = copy.username ? '***' : '';
  copy.password = '';
  const shown = publicNames(declared);
  const query = [...copy.searchParams].map(([name, value]): [string, string] => [
    name,
    shown.has(name.toLowerCase()) ? value : '***',
  ]);
  if (query.length > 0) copy.search = new URLSearchParams(query).toString();
  return copy.href;
}

/** The secret values in `url`: its password and every query value whose name is not public, as given and as encoded. */
export function urlSecrets(url: URL, declared: readonly string[] = []): string[] {
  const shown = publicNames(declared);
  const query = [...url.searchParams].filter(([name]) => !shown.has(name.toLowerCase()));
  return [
    ...(url.password ? [decodeURIComponent(url.password)] : []),
    ...query.flatMap(([, value]) => [value, new URLSearchParams({ v: value }).toString().slice(2)]),
  ];
}
