import { readFileSync } from 'node:fs';
import path from 'node:path';
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import { isBasicExpression, NoOperationTraceWriter } from '@actions/workflow-parser';
import {
  type ActionTemplate,
  convertActionTemplate,
  parseAction,
} from '@actions/workflow-parser/actions/index';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * Reads an action.yml with GitHub's own parser (@actions/workflow-parser) and fails on any
 * schema error, as the runner would refuse to load the action.
 */
export function loadAction(actionDir: string): ActionTemplate {
  const file = path.join(REPO_ROOT, actionDir, 'action.yml');
  const content = readFileSync(file, 'utf8');
  const result = parseAction({ name: file, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors();
  if (errors.length > 0 || !result.value) {
    throw new Error(`${actionDir}/action.yml is invalid: ${errors.map((e) => e.message).join('; ')}`);
  }
  return convertActionTemplate(result.context, result.value);
}

/** The expression contexts a default may use; tests supply what their step would have. */
export interface ExpressionContext {
  readonly github?: Readonly<Record<string, string>>;
  readonly runner?: Readonly<Record<string, string>>;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * An input's default as the runner computes it: a literal as written, an expression
 * (`${{ github.token }}`) evaluated with GitHub's expression engine against `context`.
 */
export function evaluateDefault(
  token: NonNullable<NonNullable<ActionTemplate['inputs']>[number]['default']>,
  context: ExpressionContext,
): string {
  if (!isBasicExpression(token)) return token.toString();
  const lexed = new Lexer(token.expression).lex();
  const expr = new Parser(lexed.tokens, Object.keys(context), []).parse();
  const dictionary = new data.Dictionary();
  for (const [name, values] of Object.entries(context)) {
    const entries = new data.Dictionary();
    for (const [key, value] of Object.entries(values ?? {}) as [string, string][])
      entries.add(key, new data.StringData(value));
    dictionary.add(name, entries);
  }
  const result = new Evaluator(expr, dictionary).evaluate();
  return result.kind === data.Kind.Null ? '' : result.coerceString();
}
