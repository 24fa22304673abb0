import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { renderActionYml } from '../../scripts/generate-action-yml.ts';
import { applySections, readmePath, renderSections } from '../../scripts/generate-docs.ts';
import { ACTION_CATALOG, type ActionEntry, actionFolder } from '../../src/action-catalog.ts';
import { loadTextPatternEngine } from '../../src/schema/text-pattern.ts';
import { parseHealthCheckSettings } from '../../src/settings/health-check.ts';
import { loadAction, REPO_ROOT } from '../harness/action-metadata.ts';

// Settings are parsed directly here, as the faces parse them after loading the engine.
await loadTextPatternEngine();

const ACTIONS: [string, ActionEntry][] = Object.entries(ACTION_CATALOG);

describe('action metadata matches the settings schemas (defaults live in one place)', () => {
  for (const [name, entry] of ACTIONS) {
    describe(name, () => {
      const folder = actionFolder(name);
      const action = loadAction(folder);
      const dist = entry.root ? 'dist' : '../dist';

      it("parses with GitHub's own action parser and runs dist/ on node24", () => {
        assert.equal(action.runs.using, 'node24');
        assert.equal((action.runs as { main: string }).main, `${dist}/${name}/index.js`);
        assert.ok(existsSync(path.join(REPO_ROOT, 'dist', name, 'index.js')), 'the bundle exists');
      });

      it('declares exactly the inputs of the settings spec, with the same defaults, required flags and descriptions', () => {
        const declared = Object.fromEntries(
          (action.inputs ?? []).map((input) => [
            input.id,
            {
              description: input.description,
              default: input.default?.toString() ?? '',
              required: input.required === true,
            },
          ]),
        );
        const specified = Object.fromEntries(
          Object.entries(entry.inputs).map(([input, spec]) => [
            input,
            { description: spec.description, default: spec.default ?? '', required: spec.required === true },
          ]),
        );
        assert.deepEqual(declared, specified);
      });

      it('declares exactly the outputs the adapter sets', () => {
        const declared = Object.fromEntries(
          (action.outputs ?? []).map((output) => [output.id, output.description]),
        );
        const specified = Object.fromEntries(
          Object.entries(entry.outputs).map(([output, spec]) => [output, spec.description]),
        );
        assert.deepEqual(declared, specified);
      });

      it('is the action.yml the catalog generates (npm run docs), with a post step where the action has one', () => {
        assert.equal(
          readFileSync(path.join(REPO_ROOT, folder, 'action.yml'), 'utf8'),
          renderActionYml(name, entry),
          `${folder}/action.yml is stale: run npm run docs`,
        );
        const runs = action.runs as { post?: string; postIf?: string };
        if (entry.post) {
          assert.equal(runs.post, `${dist}/${name}/post.js`);
          assert.ok(existsSync(path.join(REPO_ROOT, 'dist', name, 'post.js')));
        } else {
          assert.equal(runs.post, undefined);
        }
      });

      it('keeps only action.yml and README.md in its folder (the root action: at the root)', () => {
        if (entry.root) assert.ok(existsSync(path.join(REPO_ROOT, 'action.yml')));
        else assert.deepEqual(readdirSync(path.join(REPO_ROOT, name)).sort(), ['README.md', 'action.yml']);
      });

      it('has README tables generated from action.yml (npm run docs)', () => {
        const text = readFileSync(readmePath(folder), 'utf8');
        assert.equal(
          text,
          applySections(text, renderSections(folder)),
          `${folder}/README.md is stale: run npm run docs`,
        );
      });
    });
  }
});

describe('README usage blocks match action.yml', () => {
  const readmes = [
    ...new Set(['README.md', ...ACTIONS.map(([name]) => path.join(actionFolder(name), 'README.md'))]),
  ];
  const blocks = readmes.flatMap((file) =>
    [...readFileSync(path.join(REPO_ROOT, file), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map(
      (match) => ({ file, yaml: match[1]! }),
    ),
  );

  it('finds usage blocks to check', () => {
    assert.ok(blocks.some((block) => /uses: org\/deploy-actions\/health-check@v1/.test(block.yaml)));
  });

  for (const { file, yaml } of blocks) {
    const steps = [parse(yaml)].flat(2).filter((step) => typeof step?.uses === 'string');
    for (const step of steps) {
      const found = /^org\/deploy-actions(?:\/([\w-]+))?@v1$/.exec(step.uses);
      if (!found) continue;
      const name = found[1] ?? 'pipeline';
      it(`${file}: ${step.uses} uses only declared inputs with valid values`, () => {
        const entry = (ACTION_CATALOG as Record<string, ActionEntry>)[name];
        assert.ok(entry, `${file} uses an action that does not exist: ${step.uses}`);
        const declared = new Set(Object.keys(entry.inputs));
        for (const key of Object.keys(step.with ?? {}))
          assert.ok(declared.has(key), `${file}: undeclared input ${key}`);
        if (name === 'health-check') {
          const withoutExpressions = Object.fromEntries(
            Object.entries(step.with ?? {}).map(([key, value]) => [
              key,
              String(value).replace(/\$\{\{[^}]*\}\}/g, 'x'),
            ]),
          );
          assert.doesNotThrow(() =>
            parseHealthCheckSettings(withoutExpressions, (f) =>
              readFileSync(path.join(REPO_ROOT, f), 'utf8'),
            ),
          );
        }
      });
    }
  }
});

describe('examples', () => {
  it('examples/health-probes.yml holds the seed probes and is valid', () => {
    const settings = parseHealthCheckSettings({ 'probes-file': 'examples/health-probes.yml' }, (f) =>
      readFileSync(path.join(REPO_ROOT, f), 'utf8'),
    );
    assert.deepEqual(
      settings.probes.map((p) => p.name),
      ['actuator', 'home', 'api', 'redis', 'disk', 'memory'],
    );
  });
});
