/**
 * The deploy-time rules find what they are for: each planted defect is a violation, and its
 * fix is not.
 */
import { aliasOrderViolations, appTopicKeyViolations, render, TemplateJson, topicKeyViolations } from '../helpers/deploy-rules';

const record = (name: string, extra: Record<string, unknown> = {}, dependsOn?: string[]) => ({ Type: 'AWS::Route53::RecordSet', Properties: { Name: name, Type: 'A', HostedZoneId: 'Z1', ...extra }, ...(dependsOn ? { DependsOn: dependsOn } : {}) });

describe('alias order', () => {
  const target = record('us-west-2.app.example.com', { AliasTarget: { DNSName: { 'Fn::GetAtt': ['Alb', 'DNSName'] }, HostedZoneId: 'Z2' } });
  const alias = (dependsOn?: string[]) => record('app.example.com', { AliasTarget: { DNSName: 'us-west-2.app.example.com.', HostedZoneId: 'Z1' }, SetIdentifier: 'us-west-2' }, dependsOn);

  test('an alias to a same-template record without a dependency is a violation; with one, or through another resource, it is not', () => {
    expect(aliasOrderViolations({ Resources: { Target: target, Alias: alias() } } as TemplateJson)).toEqual(['Alias aliases us-west-2.app.example.com. (Target) in the same template without depending on it']);
    expect(aliasOrderViolations({ Resources: { Target: target, Alias: alias(['Target']) } } as TemplateJson)).toEqual([]);
    expect(aliasOrderViolations({ Resources: { Target: target, Middle: { Type: 'AWS::CloudFormation::WaitConditionHandle', DependsOn: 'Target' }, Alias: alias(['Middle']) } } as TemplateJson)).toEqual([]);
  });

  test('names built with Fn::Join (a zone name from a reference, the partition) are compared as rendered', () => {
    const joined = (prefix: string) => ({ 'Fn::Join': ['', [prefix, { Ref: 'ZoneName' }, '.']] });
    const t = { Resources: { Target: record(joined('us-west-2.app.') as never), Alias: record(joined('app.') as never, { AliasTarget: { DNSName: joined('us-west-2.app.'), HostedZoneId: 'Z1' } }) } } as unknown as TemplateJson;
    expect(aliasOrderViolations(t)).toEqual(['Alias aliases us-west-2.app.${ZoneName}. (Target) in the same template without depending on it']);
    (t.Resources!.Alias as { DependsOn?: string[] }).DependsOn = ['Target'];
    expect(aliasOrderViolations(t)).toEqual([]);
    expect(render({ 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'sns', { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, 'x']] }, { account: '111111111111', region: 'us-east-1' })).toBe('arn:aws:sns:us-east-1:111111111111:x');
    expect(render({ 'Fn::ImportValue': 'x' })).toBeUndefined();
  });

  test('an alias to a name another template holds is not this rule\'s (a stack dependency orders them)', () => {
    expect(aliasOrderViolations({ Resources: { Alias: alias() } } as TemplateJson)).toEqual([]);
  });
});

describe('topic keys', () => {
  const key = (services: string[]) => ({
    Type: 'AWS::KMS::Key',
    Properties: {
      KeyPolicy: {
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' },
          ...services.map((s) => ({ Effect: 'Allow', Principal: { Service: s }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*' })),
        ],
      },
    },
  });
  const topic = { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } };
  const bucket = { Type: 'AWS::S3::Bucket', Properties: { NotificationConfiguration: { TopicConfigurations: [{ Event: 's3:Replication:OperationFailedReplication', Topic: { Ref: 'Topic' } }] } } };
  const alarm = { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'Topic' }] } };
  const rule = { Type: 'AWS::Events::Rule', Properties: { Targets: [{ Arn: { Ref: 'Topic' }, Id: 't' }] } };

  test('S3 notifications to a topic whose key allows only CloudWatch: the deploy would fail (aws-cdk#29511)', () => {
    expect(topicKeyViolations({ Resources: { Key: key(['cloudwatch.amazonaws.com']), Topic: topic, Bucket: bucket } } as TemplateJson)).toEqual([
      'Bucket: s3.amazonaws.com publishes to Topic, whose key Key does not let s3.amazonaws.com use it: nothing allows kms:GenerateDataKey',
    ]);
    expect(topicKeyViolations({ Resources: { Key: key(['cloudwatch.amazonaws.com', 's3.amazonaws.com']), Topic: topic, Bucket: bucket } } as TemplateJson)).toEqual([]);
  });

  test('alarms and EventBridge rules each need their own service on the key', () => {
    expect(topicKeyViolations({ Resources: { Key: key(['s3.amazonaws.com']), Topic: topic, Alarm: alarm, Rule: rule } } as TemplateJson)).toEqual([
      'Alarm: cloudwatch.amazonaws.com publishes to Topic, whose key Key does not let cloudwatch.amazonaws.com use it: nothing allows kms:GenerateDataKey',
      'Rule: events.amazonaws.com publishes to Topic, whose key Key does not let events.amazonaws.com use it: nothing allows kms:GenerateDataKey',
    ]);
    expect(topicKeyViolations({ Resources: { Key: key(['cloudwatch.amazonaws.com', 'events.amazonaws.com']), Topic: topic, Alarm: alarm, Rule: rule } } as TemplateJson)).toEqual([]);
  });

  test('an unencrypted topic needs no key; a key held elsewhere cannot be checked here and says so', () => {
    expect(topicKeyViolations({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: {} }, Alarm: alarm } } as TemplateJson)).toEqual([]);
    expect(topicKeyViolations({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } }, Alarm: alarm } } as TemplateJson)).toEqual([
      'Alarm: cloudwatch.amazonaws.com publishes to Topic, whose key ("alias/aws/sns") is not in the template to check',
    ]);
  });

  test('a topic referenced by Fn::GetAtt, and insufficient-data actions, are checked too', () => {
    const byGetAtt = { Type: 'AWS::CloudWatch::Alarm', Properties: { InsufficientDataActions: [{ 'Fn::GetAtt': ['Topic', 'TopicArn'] }] } };
    expect(topicKeyViolations({ Resources: { Key: key(['s3.amazonaws.com']), Topic: topic, Alarm: byGetAtt } } as TemplateJson)).toEqual([
      'Alarm: cloudwatch.amazonaws.com publishes to Topic, whose key Key does not let cloudwatch.amazonaws.com use it: nothing allows kms:GenerateDataKey',
    ]);
    expect(topicKeyViolations({ Resources: { Key: key(['cloudwatch.amazonaws.com']), Topic: topic, Alarm: byGetAtt } } as TemplateJson)).toEqual([]);
  });

  // How KMS evaluates a key policy: an explicit Deny wins; an Allow counts only when its
  // conditions hold. https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
  // and https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  const keyWith = (...statements: object[]) => ({ Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: statements } } });
  const cwAllow = (condition?: object) => ({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', ...(condition ? { Condition: condition } : {}) });
  const namedAlarm = { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'shop-5xx', AlarmActions: [{ Ref: 'Topic' }] } };
  const env = { account: '111111111111', region: 'us-east-1' };

  test('a Deny statement that applies refuses, whatever allows', () => {
    const deny = { Effect: 'Deny', Principal: '*', Action: 'kms:GenerateDataKey*', Resource: '*' };
    expect(topicKeyViolations({ Resources: { Key: keyWith(cwAllow(), deny), Topic: topic, Alarm: namedAlarm } } as TemplateJson, env)).toEqual([
      'Alarm: cloudwatch.amazonaws.com publishes to Topic, whose key Key does not let cloudwatch.amazonaws.com use it: a Deny statement refuses kms:GenerateDataKey',
    ]);
    // A Deny whose condition does not hold for the publisher does not apply.
    const denyWhen = (condition: object) => topicKeyViolations({ Resources: { Key: keyWith(cwAllow(), { ...deny, Condition: condition }), Topic: topic, Alarm: namedAlarm } } as TemplateJson, env);
    expect(denyWhen({ StringEquals: { 'aws:SourceAccount': '222222222222' } })).toEqual([]);
    expect(denyWhen({ StringNotEquals: { 'aws:SourceAccount': '111111111111' } })).toEqual([]);
    expect(denyWhen({ StringNotEquals: { 'aws:SourceAccount': '222222222222' } })[0]).toMatch(/a Deny statement refuses kms:GenerateDataKey/);
    // A Deny on what cannot be judged here is taken to apply: the rule never guesses in favour.
    expect(denyWhen({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })[0]).toMatch(/a Deny statement may refuse kms:GenerateDataKey \(its condition cannot be judged here\)/);
  });

  test('an Allow counts only when its conditions hold for the publisher (aws:SourceAccount, aws:SourceArn)', () => {
    const ok = (condition: object) => topicKeyViolations({ Resources: { Key: keyWith(cwAllow(condition)), Topic: topic, Alarm: namedAlarm } } as TemplateJson, env);
    expect(ok({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } })).toEqual([]);
    expect(ok({ StringEquals: { 'aws:SourceAccount': '111111111111' } })).toEqual([]);
    expect(ok({ ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:shop-*' } })).toEqual([]);
    expect(ok({ StringEquals: { 'aws:SourceAccount': '222222222222' } })[0]).toMatch(/conditions that do not hold for it/);
    expect(ok({ ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:billing-*' } })[0]).toMatch(/conditions that do not hold for it/);
    // A condition on a key the publisher's request cannot be shown to carry does not count.
    expect(ok({ StringEquals: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } })[0]).toMatch(/conditions that do not hold for it/);
  });

  test('a topic named by ARN in another stack (another Region) is found there and its key checked', () => {
    const remoteTopic = { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'shop-alerts', KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } };
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:us-east-1:111111111111:shop-alerts']] };
    const west = { name: 'West', account: '111111111111', region: 'us-west-2', template: { Resources: { Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [arn] } } } } as TemplateJson };
    const east = (k: object) => ({ name: 'East', account: '111111111111', region: 'us-east-1', template: { Resources: { Key: k, Topic: remoteTopic } } as TemplateJson });
    expect(appTopicKeyViolations([west, east(key(['s3.amazonaws.com']))])).toEqual([
      'West: Alarm: cloudwatch.amazonaws.com publishes to East/Topic, whose key Key does not let cloudwatch.amazonaws.com use it: nothing allows kms:GenerateDataKey',
    ]);
    expect(appTopicKeyViolations([west, east(key(['cloudwatch.amazonaws.com']))])).toEqual([]);
    // The same name in another Region is another topic; one no template holds is its owner's.
    expect(appTopicKeyViolations([west, { ...east(key(['s3.amazonaws.com'])), region: 'eu-west-1' }])).toEqual([]);
  });

  test('an alarm an AwsCustomResource creates (PutMetricAlarm, in the Region it names) publishes too', () => {
    const call = JSON.stringify({ service: 'CloudWatch', action: 'PutMetricAlarm', region: 'us-east-1', parameters: { AlarmName: 'hc-status', AlarmActions: ['arn:aws:sns:us-east-1:111111111111:shop-alerts'], OKActions: ['arn:aws:sns:us-east-1:111111111111:shop-alerts'] } });
    const remoteTopic = { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'shop-alerts', KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } };
    const west = { name: 'West', account: '111111111111', region: 'us-west-2', template: { Resources: { StatusAlarm: { Type: 'Custom::AWS', Properties: { Create: call, Update: call } } } } as TemplateJson };
    const east = (k: object) => ({ name: 'East', account: '111111111111', region: 'us-east-1', template: { Resources: { Key: k, Topic: remoteTopic } } as TemplateJson });
    expect(appTopicKeyViolations([west, east(key(['s3.amazonaws.com']))])).toEqual([
      'West: StatusAlarm: cloudwatch.amazonaws.com publishes to East/Topic, whose key Key does not let cloudwatch.amazonaws.com use it: nothing allows kms:GenerateDataKey',
    ]);
    expect(appTopicKeyViolations([west, east(keyWith(cwAllow({ ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:hc-*' } })))])).toEqual([]);
  });

  test('Deny with NotPrincipal or NotAction, Allow with NotAction, and action names in any case are read as IAM reads them', () => {
    const run = (...statements: object[]) => topicKeyViolations({ Resources: { Key: keyWith(...statements), Topic: topic, Alarm: namedAlarm } } as TemplateJson, env);
    // A Deny on everyone but the account root applies to CloudWatch.
    expect(run(cwAllow(), { Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:*', Resource: '*' })[0]).toMatch(/a Deny statement refuses/);
    // A Deny of everything but Decrypt still refuses GenerateDataKey.
    expect(run(cwAllow(), { Effect: 'Deny', Principal: '*', NotAction: 'kms:Decrypt', Resource: '*' })[0]).toMatch(/a Deny statement refuses kms:GenerateDataKey/);
    // An Allow of everything but key administration covers both; lower-case names count.
    expect(run({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, NotAction: ['kms:ScheduleKeyDeletion'], Resource: '*' })).toEqual([]);
    expect(run({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:decrypt', 'kms:generatedatakey*'], Resource: '*' })).toEqual([]);
  });

  test('a key named through an AWS::KMS::Alias of the template is the key behind it', () => {
    const aliased = (k: object) => ({ Resources: { Key: k, KeyAlias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/ops', TargetKeyId: { Ref: 'Key' } } }, Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/ops' } }, Alarm: namedAlarm } }) as TemplateJson;
    expect(topicKeyViolations(aliased(key(['s3.amazonaws.com'])), env)[0]).toMatch(/whose key Key does not let cloudwatch\.amazonaws\.com use it/);
    expect(topicKeyViolations(aliased(key(['cloudwatch.amazonaws.com'])), env)).toEqual([]);
  });

  test('an alarm with a generated name matches a wildcard aws:SourceArn, and no narrower one', () => {
    const unnamed = { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmActions: [{ Ref: 'Topic' }] } };
    const run = (pattern: string) => topicKeyViolations({ Resources: { Key: keyWith(cwAllow({ ArnLike: { 'aws:SourceArn': pattern } })), Topic: topic, Alarm: unnamed } } as TemplateJson, env);
    expect(run('arn:aws:cloudwatch:us-east-1:111111111111:alarm:*')).toEqual([]);
    expect(run('arn:aws:cloudwatch:us-east-1:111111111111:alarm:shop-*')[0]).toMatch(/conditions that do not hold/);
  });

  test('a topic imported from another stack (Fn::ImportValue) is followed to its export', () => {
    const exporter = { name: 'Exporter', account: '111111111111', region: 'us-east-1', template: { Resources: { Key: key(['s3.amazonaws.com']), Topic: topic }, Outputs: { T: { Value: { Ref: 'Topic' }, Export: { Name: 'ops-topic' } } } } as TemplateJson };
    const importer = { name: 'Importer', account: '111111111111', region: 'us-east-1', template: { Resources: { Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'a', AlarmActions: [{ 'Fn::ImportValue': 'ops-topic' }] } } } } as TemplateJson };
    expect(appTopicKeyViolations([importer, exporter])).toEqual(['Importer: Alarm: cloudwatch.amazonaws.com publishes to Exporter/Topic, whose key Key does not let cloudwatch.amazonaws.com use it: nothing allows kms:GenerateDataKey']);
  });

  test('an AwsCustomResource alarm publishing to a topic of its own template is found', () => {
    const call = { 'Fn::Join': ['', ['{"action":"PutMetricAlarm","parameters":{"AlarmName":"hc","AlarmActions":["', { Ref: 'Topic' }, '"]}}']] };
    expect(topicKeyViolations({ Resources: { Key: key(['s3.amazonaws.com']), Topic: topic, StatusAlarm: { Type: 'Custom::AWS', Properties: { Create: call } } } } as TemplateJson, env)[0]).toMatch(/^StatusAlarm: cloudwatch\.amazonaws\.com publishes to Topic/);
  });

  test('EventBridge is not documented to send aws:SourceArn to KMS: an Allow that requires it does not count', () => {
    const rule = { Type: 'AWS::Events::Rule', Properties: { Name: 'r', Targets: [{ Arn: { Ref: 'Topic' }, Id: 't' }] } };
    const evAllow = (condition?: object) => ({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*', ...(condition ? { Condition: condition } : {}) });
    expect(topicKeyViolations({ Resources: { Key: keyWith(evAllow()), Topic: topic, Rule: rule } } as TemplateJson, env)).toEqual([]);
    expect(topicKeyViolations({ Resources: { Key: keyWith(evAllow({ StringEquals: { 'aws:SourceAccount': '111111111111' } })), Topic: topic, Rule: rule } } as TemplateJson, env)[0]).toMatch(/conditions that do not hold/);
  });

  test('services call KMS over TLS: a Deny of requests without TLS (aws:SecureTransport false) does not refuse them', () => {
    const denyPlain = { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    expect(topicKeyViolations({ Resources: { Key: keyWith(cwAllow(), denyPlain), Topic: topic, Alarm: namedAlarm } } as TemplateJson, env)).toEqual([]);
    // A Deny of TLS requests would refuse them.
    const denyTls = { ...denyPlain, Condition: { Bool: { 'aws:SecureTransport': 'true' } } };
    expect(topicKeyViolations({ Resources: { Key: keyWith(cwAllow(), denyTls), Topic: topic, Alarm: namedAlarm } } as TemplateJson, env)[0]).toMatch(/a Deny statement refuses/);
  });
});
