import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport } from 'aws-cdk-lib';
import type { NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';

/**
 * Runs a cdk-nag 3 pack (AwsSolutions, {@link ResilienceChecks}, ...) as a CDK
 * policy-validation plugin on every aws-cdk-lib of cdk-resilience's peer range, from 2.257.
 *
 * cdk-nag 3 reads the construct tree from `context.appConstruct`, which aws-cdk-lib passes
 * to validation plugins only from 2.258 on: on 2.257, `Validations.of(app).addPlugins(pack)`
 * fails synth ("NagPack requires a construct tree on the validation context"). This adapter
 * hands the pack the scope it was registered for, so synth fails on any unacknowledged
 * finding there too. The pack runs after the app is prepared (aspects applied). From 2.258
 * on, `Validations.of(app).addPlugins(pack)` works without it.
 *
 * @example
 * Validations.of(app).addPlugins(new NagPackOnScope(app, new AwsSolutionsChecks(app)));
 */
export class NagPackOnScope implements IPolicyValidationPlugin {
  /** The pack's name, as validation reports show it. */
  public readonly name: string;

  /**
   * @param scope the construct tree to check (usually the app)
   * @param pack the cdk-nag pack to run over it
   */
  constructor(
    private readonly scope: IConstruct,
    private readonly pack: NagPack,
  ) {
    this.name = pack.name;
  }

  /** Run the pack over the scope; the validation context is not needed. */
  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.pack.validateScope(this.scope);
  }
}
