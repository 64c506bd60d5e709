/** The reference app's Regions and its building-block stack: a MultiAzVpc and a WebTier per Region. */
import { Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmTopic, HostedZoneReference, MultiAzVpc, WebTier } from '../lib';

/** Name of each Region's alarm topic. */
export const ALARM_TOPIC_NAME = 'resilience-ref-alarms';

/** An example hosted zone; replace it with `-c hostedZoneId=... -c zoneName=...`. */
export const EXAMPLE_ZONE: HostedZoneReference = {
  hostedZoneId: 'Z0123456789EXAMPLE',
  zoneName: 'example.com',
  // The example zone's delegation set (the runbooks verify a move on these name servers). A
  // real zone given with -c hostedZoneId=... has its own: pass -c nameServers=a,b,c,d, or
  // leave it out and the stacks read them at deploy.
  nameServers: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.co.uk', 'ns-3.awsdns-03.com', 'ns-4.awsdns-04.net'],
};

/** An example account; replace it with `-c account=...`. */
export const EXAMPLE_ACCOUNT = '111111111111';

/** One Region of the reference deployment. */
export interface ReferenceRegion {
  readonly region: string;
  readonly availabilityZones: string[];
  readonly cidr: string;
}

/** The two Regions of the reference app. Their CIDRs are disjoint so they can be peered. */
export const REFERENCE_REGIONS: { primary: ReferenceRegion; recovery: ReferenceRegion } = {
  primary: { region: 'us-east-1', availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'], cidr: '10.10.0.0/16' },
  recovery: { region: 'us-west-2', availabilityZones: ['us-west-2a', 'us-west-2b', 'us-west-2c'], cidr: '10.20.0.0/16' },
};

/** Props of {@link ReferenceWebStack}. */
export interface ReferenceWebStackProps extends StackProps {
  readonly site: ReferenceRegion;
  /** The other Region's VPC CIDR, which this VPC must not overlap. */
  readonly peerCidr: string;
  readonly certificateArn: string;
  /**
   * The web tier's user data.
   * @default - none
   */
  readonly userData?: ec2.UserData;
}

/** A Region of the reference app: a MultiAzVpc and a WebTier, with an encrypted alarm topic; the data tier is added by addReferenceData. */
export class ReferenceWebStack extends Stack {
  public readonly network: MultiAzVpc;
  public readonly web: WebTier;
  public readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: ReferenceWebStackProps) {
    super(scope, id, props);

    // A fixed name, so a stack in another Region can name the us-east-1 topic by ARN.
    this.alarmTopic = new AlarmTopic(this, 'Alarms', { topicName: ALARM_TOPIC_NAME, displayName: 'Reference web tier alarms' }).topic;

    this.network = new MultiAzVpc(this, 'Network', {
      availabilityZones: props.site.availabilityZones,
      cidr: props.site.cidr,
      mustNotOverlap: [props.peerCidr],
    });

    this.web = new WebTier(this, 'Web', {
      vpc: this.network.vpc,
      capacity: { min: 4, max: 12 },
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      alarms: { topic: this.alarmTopic },
      healthCheck: { path: '/health' },
      userData: props.userData,
      // A deploy waits for each new instance's user data, which ends once /health answers.
      rollingUpdate: { waitForSignals: true },
    });
  }
}
