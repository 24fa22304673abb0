import { describeNearLimit, inputsNearArgumentLimit, type Step } from '../../src/entries/runtime.ts';
import { type ActionContext, runAction } from './run-action.ts';

/**
 * An action is a step run by the runner: inputs parsed by the step, its outcome turned into
 * outputs, a summary and, when it did not pass, a failed step. Nothing here decides anything.
 */
export function runStep<S>(name: string, step: Step<S>): Promise<void> {
  return runAction(name, async (action: ActionContext) => {
    const raw = action.readInputs(step.inputs);
    for (const near of inputsNearArgumentLimit(raw, Object.keys(step.inputs)))
      action.host.logger.warning(describeNearLimit(near, 'environment variable'));
    const settings = await step.parse(raw, action.host);
    const outcome = await step.run(settings, action.host).catch((error: unknown) => {
      if (step.thrown) action.setOutputs(step.outputs, step.thrown(settings, error));
      throw error;
    });
    action.setOutputs(step.outputs, outcome.outputs);
    if (outcome.summary) await action.appendSummary(outcome.summary);
    if (outcome.ok) action.host.logger.info(outcome.message);
    else action.fail(outcome.message, outcome.title);
  });
}
