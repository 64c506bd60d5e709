import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * Runs a cdk-nag 3 pack as a CDK policy-validation plugin on aws-cdk-lib 2.257.
 *
 * cdk-nag 3 reads the construct tree from `context.appConstruct`, which aws-cdk-lib
 * only passes from 2.258 on; 2.257 (pinned, see README) does not. This adapter hands
 * the pack the app it was registered on, so `cdk synth` still fails on any
 * unacknowledged finding. The pack runs after the app is prepared (aspects applied).
 */
export class NagPackOnScope implements IPolicyValidationPlugin {
  public readonly name: string;

  constructor(
    private readonly scope: IConstruct,
    private readonly pack: NagPack,
  ) {
    this.name = pack.name;
  }

  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.pack.validateScope(this.scope);
  }
}
