import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployInputs, rollbackInputs, targetInputs } from '../../src/settings/deploy.ts';
import { hostsInputs } from '../../src/settings/hosts.ts';
import { pipelineInputs } from '../../src/settings/pipeline.ts';
import { strategyInputs } from '../../src/settings/strategy.ts';

/**
 * The actions' inputs are groups spread into one object: a name two groups use would silently
 * lose one meaning (rolling's on-failure once replaced the deploy's on-failure hook). Every
 * group's input must reach each action it is spread into unchanged.
 */
describe('input names: no group overrides another', () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['strategy in target', strategyInputs, targetInputs],
    ['hosts in target', hostsInputs, targetInputs],
    ['target in deploy', targetInputs, deployInputs],
    ['target in rollback', targetInputs, rollbackInputs],
    ['deploy in pipeline', deployInputs, pipelineInputs],
  ];
  for (const [what, group, action] of cases)
    it(what, () => {
      for (const name of Object.keys(group))
        assert.equal(action[name], group[name], `${name} is defined twice: ${what}`);
    });
});
