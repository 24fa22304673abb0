import { describeError } from '../errors.ts';
import type { Logger } from '../ports.ts';
import { type DeployEvent, pushDeployMetrics } from './deploy-metrics.ts';

/**
 * Pushes a finished deploy's or rollback's metrics when a Pushgateway is configured. A
 * Pushgateway that cannot be reached is a warning, never a failed deploy.
 */
export async function reportDeployMetrics(
  pushgatewayUrl: URL | undefined,
  event: DeployEvent,
  logger: Logger,
): Promise<void> {
  if (!pushgatewayUrl) return;
  try {
    await pushDeployMetrics(pushgatewayUrl, event);
    logger.info(`Pushed ${event.kind} metrics for ${event.environment} to ${pushgatewayUrl.host}`);
  } catch (error) {
    logger.warning(
      `Could not push metrics to the Pushgateway at ${pushgatewayUrl.host}: ${describeError(error)} (the ${event.kind} itself is unaffected)`,
    );
  }
}
