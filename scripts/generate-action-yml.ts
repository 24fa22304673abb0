/**
 * Writes each action's action.yml from the action catalog (src/action-catalog.ts), where its
 * inputs, defaults and outputs live once. The metadata test reads the result back with GitHub's
 * own parser and compares it with the catalog.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { ACTION_CATALOG, type ActionEntry, actionFolder } from '../src/action-catalog.ts';

const ROOT = path.resolve(import.meta.dirname, '..');

export function renderActionYml(name: string, entry: ActionEntry): string {
  const inputs = Object.fromEntries(
    Object.entries(entry.inputs).map(([input, spec]) => [
      input,
      {
        description: spec.description,
        required: spec.required === true,
        ...(spec.default !== undefined ? { default: spec.default } : {}),
      },
    ]),
  );
  const outputs = Object.fromEntries(
    Object.entries(entry.outputs).map(([output, spec]) => [output, { description: spec.description }]),
  );
  const dist = entry.root ? 'dist' : '../dist';
  const runs = {
    using: 'node24',
    main: `${dist}/${name}/index.js`,
    ...(entry.post ? { post: `${dist}/${name}/post.js`, 'post-if': 'always()' } : {}),
  };
  const document = {
    name: `deploy-actions: ${name}`,
    description: entry.summary,
    author: 'deploy-actions',
    branding: { icon: entry.icon, color: 'green' },
    inputs,
    outputs,
    runs,
  };
  return `# Generated from src/action-catalog.ts by \`npm run docs\`: edit the catalog, not this file.\n${stringify(document, { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' })}`;
}

if (import.meta.main) {
  for (const [name, entry] of Object.entries(ACTION_CATALOG) as [string, ActionEntry][]) {
    const file = path.join(actionFolder(name), 'action.yml');
    writeFileSync(path.join(ROOT, file), renderActionYml(name, entry));
    console.log(`wrote ${file}`);
  }
}
