import type { Logger } from '../ports.ts';
import type { Redactor } from '../redactor.ts';
import type { EngineOptions } from './engine.ts';
import { describeMeasurement } from './report-markdown.ts';

/** The most of a command's output shown under one measurement (its end, where errors are). */
const OUTPUT_SHOWN = 2000;

/**
 * The engine's `onMeasurement` for a run with a log: one line per measurement, and under it
 * what a command printed, masked and printed as untrusted text. Output goes nowhere else.
 */
export function logMeasurements(
  logger: Logger,
  redactor: Redactor,
): NonNullable<EngineOptions['onMeasurement']> {
  return (probe, measurement, output) => {
    logger.info(redactor.redact(describeMeasurement(probe.name, measurement)));
    if (!output) return;
    const tail = output.length > OUTPUT_SHOWN ? `…${output.slice(-OUTPUT_SHOWN)}` : output;
    logger.untrusted(redactor.redact(tail.replace(/^/gm, '    ')));
  };
}
