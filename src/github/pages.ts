import type { GitHubApi } from '../ports.ts';

/** GitHub's largest page. */
const PER_PAGE = 100;

/**
 * Every item of a listing route, page by page (100 a page) until a short page, at most
 * `maxPages` pages: a listing read from its first page alone misses what came later (review
 * 102, comment 31).
 */
export async function* allPages<T>(
  api: GitHubApi,
  route: string,
  parameters: Readonly<Record<string, unknown>>,
  maxPages: number,
): AsyncGenerator<T> {
  for (let page = 1; page <= maxPages; page++) {
    const { data } = await api.request(route, { ...parameters, per_page: PER_PAGE, page });
    const items = data as T[];
    yield* items;
    if (items.length < PER_PAGE) return;
  }
}
