import { Stack } from 'aws-cdk-lib';
import { AlarmTopic } from '../observability/alarm-topic';
import { EndpointHealthCheckOptions, ROUTE53_METRICS_REGION } from '../routing/endpoint-health-check';

/**
 * Health-check alarm routing for a strategy's Region: in us-east-1, the Region's own
 * alerts topic; elsewhere, the strategy's us-east-1 alerts topic by ARN (its name is
 * deterministic), since Route 53 health-check alarms live in us-east-1.
 */
export function healthCheckAlarms(stack: Stack, strategyName: string, regions: string[]): EndpointHealthCheckOptions {
  if (stack.region === ROUTE53_METRICS_REGION) {
    const alerts = stack.node.tryFindChild('Alerts') as AlarmTopic | undefined;
    return { alarmTopic: alerts?.topic };
  }
  // Only when the strategy has a us-east-1 stack does that topic exist.
  if (!regions.includes(ROUTE53_METRICS_REGION)) return {};
  return { alarmTopicArn: `arn:${stack.partition}:sns:${ROUTE53_METRICS_REGION}:${stack.account}:${strategyName}-alerts` };
}
