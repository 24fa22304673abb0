/**
 * Preloaded with `node --import` wherever GitHub's parsers run: @actions/workflow-parser imports
 * its schema JSON without `with { type: 'json' }`, which plain Node ESM refuses. This hook adds
 * the attribute for .json files and nothing else.
 */
import { registerHooks } from 'node:module';

registerHooks({
  load(url, context, nextLoad) {
    if (url.endsWith('.json') && !context.importAttributes?.type) {
      return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
    }
    return nextLoad(url, context);
  },
});
