/**
 * Markdown for GitHub step summaries, issues and comments. GitHub renders HTML inside them, so
 * text from outside (a response body, a probe name) is escaped to stay text.
 */

const HTML: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text safe inside a table cell: one line, no HTML, no column breaks, no stray emphasis. */
export function escapeCell(text: string): string {
  return text
    .replace(/[&<>"]/g, (char) => HTML[char]!)
    .replace(/\r?\n/g, ' ')
    .replace(/([|\\`*_[\]])/g, '\\$1');
}

/** A GitHub-flavoured Markdown table; every cell is escaped. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

/** A collapsed section whose summary line is escaped text. */
export function renderDetails(summary: string, body: string): string {
  return `<details><summary>${escapeCell(summary)}</summary>\n\n${body}\n\n</details>`;
}
