import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * A service principal that only this account's resources of that service may act through
 * (cross-service confused deputy prevention: `aws:SourceAccount` and `aws:SourceArn` in the
 * role's trust policy). Used only where the service documents that it sends both keys when it
 * assumes the role; a service that does not would be refused, and the role would never work.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 * @internal
 */
export function confusedDeputySafePrincipal(stack: Stack, service: string, sourceArn: string): iam.ServicePrincipal {
  return new iam.ServicePrincipal(service, {
    conditions: {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': sourceArn },
    },
  });
}

/**
 * The role a Step Functions state machine runs with, assumable by Step Functions only for this
 * account's state machines in this Region ("Cross-service confused deputy prevention" in the
 * Step Functions developer guide:
 * https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html#prevent-cross-service-confused-deputy).
 * @internal
 */
export function stateMachineRole(scope: Construct, id: string, description: string): iam.Role {
  const stack = Stack.of(scope);
  return new iam.Role(scope, id, {
    description,
    assumedBy: confusedDeputySafePrincipal(stack, 'states.amazonaws.com', `arn:${stack.partition}:states:${stack.region}:${stack.account}:stateMachine:*`),
  });
}
