import { CfnResource } from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { RESILIENCE_RULES } from './rules';

/**
 * A cdk-nag 3 rule pack for reliability: single points of failure, data that cannot be
 * recovered, failover that cannot happen, and failures that pass in silence. Works on any
 * CDK app (the rules read CloudFormation resources, not cdk-resilience constructs). Finding
 * ids are `RES-<rule>`, e.g. `RES-RDS1`; acknowledge one with
 * `Validations.of(construct).acknowledge({ id: 'RES-RDS1', reason })`.
 *
 * @example
 * const report = new ResilienceChecks(app).validateScope(app);
 */
export class ResilienceChecks extends NagPack {
  public readonly name = 'RES';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'RES';
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of RESILIENCE_RULES) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: rule.explanation,
        level: rule.level,
        node,
        rule: (n: CfnResource) => rule.check(n),
      });
    }
  }
}
