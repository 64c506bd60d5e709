import { Stack } from 'aws-cdk-lib';
import { AlarmTopic } from '../observability/alarm-topic';
import { EndpointHealthCheckOptions, ROUTE53_METRICS_REGION } from '../routing/endpoint-health-check';
import { WebTier } from '../tiers/web-tier';

/**
 * The health check of a strategy's Region. It probes the protocol the web tier serves
 * (HTTPS on 443 with a certificate, else HTTP on 80), and routes its alarm: in us-east-1,
 * to the Region's own alerts topic; elsewhere, to the strategy's us-east-1 alerts topic by
 * ARN (its name is deterministic), since Route 53 health-check alarms live in us-east-1.
 */
export function siteHealthCheck(stack: Stack, web: WebTier, strategyName: string, regions: string[]): EndpointHealthCheckOptions {
  const protocol = web.redirectListener ? 'HTTPS' : 'HTTP';
  if (stack.region === ROUTE53_METRICS_REGION) {
    const alerts = stack.node.tryFindChild('Alerts') as AlarmTopic | undefined;
    return { protocol, alarmTopic: alerts?.topic };
  }
  // Only when the strategy has a us-east-1 stack does that topic exist.
  if (!regions.includes(ROUTE53_METRICS_REGION)) return { protocol };
  return { protocol, alarmTopicArn: `arn:${stack.partition}:sns:${ROUTE53_METRICS_REGION}:${stack.account}:${strategyName}-alerts` };
}
