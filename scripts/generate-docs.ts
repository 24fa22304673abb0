/**
 * Writes the input and output tables of each action's README from its action.yml (read with
 * GitHub's own parser), between `<!-- generated:inputs -->` … `<!-- /generated:inputs -->`
 * markers. The metadata test fails when a README is not what this would write.
 *
 *   node --import ./scripts/json-modules.ts scripts/generate-docs.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadAction, REPO_ROOT } from '../__tests__/harness/action-metadata.ts';
import { ACTION_CATALOG, actionFolder } from '../src/action-catalog.ts';
import { applySections } from './sections.ts';

export { applySections } from './sections.ts';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The generated sections of one action's README, by marker name. */
export function renderSections(actionDir: string): Record<string, string> {
  const action = loadAction(actionDir);
  const inputs = (action.inputs ?? []).map((input) => {
    const fallback = input.default?.toString() ?? '';
    return `| \`${input.id}\` | ${input.required ? 'yes' : 'no'} | ${fallback ? `\`${cell(fallback)}\`` : ''} | ${cell(input.description ?? '')} |`;
  });
  const outputs = (action.outputs ?? []).map(
    (output) => `| \`${output.id}\` | ${cell(output.description ?? '')} |`,
  );
  return {
    inputs: ['| Input | Required | Default | Description |', '| --- | --- | --- | --- |', ...inputs].join(
      '\n',
    ),
    outputs: ['| Output | Description |', '| --- | --- |', ...outputs].join('\n'),
  };
}

export function readmePath(actionDir: string): string {
  return path.join(REPO_ROOT, actionDir, 'README.md');
}

if (import.meta.main) {
  for (const name of Object.keys(ACTION_CATALOG)) {
    const file = readmePath(actionFolder(name));
    writeFileSync(file, applySections(readFileSync(file, 'utf8'), renderSections(actionFolder(name))));
    console.log(`wrote ${path.relative(REPO_ROOT, file)}`);
  }
}
