import * as fs from 'fs';
import * as path from 'path';
import { App, CfnElement, Duration, Fn, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { ResilienceError } from '../../lib/core/errors';
import { BackupCopyVault, ResilientBackup, ResilientBackupProps } from '../../lib/data/backup';
import { newApp, resilienceWarnings, resourcesOfType } from '../helpers/app';

const ACCOUNT = '111111111111';
const PRIMARY_ENV = { account: ACCOUNT, region: 'us-east-1' };
const RECOVERY_ENV = { account: ACCOUNT, region: 'us-west-2' };
const CLUSTER_ARN = 'arn:aws:rds:us-east-1:111111111111:cluster:shop';
const RECOVERY_VAULT_ARN = 'arn:aws:backup:us-west-2:111111111111:backup-vault:shop-dr-vault';

interface TwoRegions {
  app: App;
  primary: Stack;
  recovery: Stack;
  copyVault: BackupCopyVault;
  bk: ResilientBackup;
  pt: Template;
  rt: Template;
}

/** One App, two stacks: us-east-1 (primary, ResilientBackup) and us-west-2 (recovery, BackupCopyVault). */
function twoRegions(props: Partial<ResilientBackupProps> = {}): TwoRegions {
  const app = newApp();
  const recovery = new Stack(app, 'Recovery', { env: RECOVERY_ENV });
  const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
  const copyVault = new BackupCopyVault(recovery, 'CopyVault', { vaultName: 'shop-dr-vault' });
  const bk = new ResilientBackup(primary, 'Backup', {
    resources: [backup.BackupResource.fromArn(CLUSTER_ARN)],
    tags: { backup: 'daily' },
    copyTo: copyVault,
    ...props,
  });
  return { app, primary, recovery, copyVault, bk, pt: Template.fromStack(primary), rt: Template.fromStack(recovery) };
}

/** Render `arn:${AWS::Partition}:...` (a Fn::Join) as the string CloudFormation deploys in the aws partition. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const o = value as Record<string, unknown>;
  if (o.Ref === 'AWS::Partition') return 'aws';
  if (o['Fn::Join']) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

interface RuleJson {
  RuleName: string;
  ScheduleExpression: string;
  Lifecycle?: Record<string, number>;
  EnableContinuousBackup?: boolean;
  TargetBackupVault: unknown;
  CopyActions?: { DestinationBackupVaultArn: unknown; Lifecycle?: Record<string, number> }[];
}

function planRules(t: Template): RuleJson[] {
  const plans = resourcesOfType(t, 'AWS::Backup::BackupPlan');
  expect(plans).toHaveLength(1);
  return (plans[0][1].Properties.BackupPlan as { BackupPlanRule: RuleJson[] }).BackupPlanRule;
}

function selection(t: Template): Record<string, unknown> {
  const sels = resourcesOfType(t, 'AWS::Backup::BackupSelection');
  expect(sels).toHaveLength(1);
  return sels[0][1].Properties.BackupSelection as Record<string, unknown>;
}

function nagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(scope, { verbose: true }).validateScope(scope);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`));
}

describe('ResilientBackup in us-east-1 copying to a BackupCopyVault in us-west-2', () => {
  const { app, primary, recovery, copyVault, bk, pt, rt } = twoRegions();

  test('every rule copies to the us-west-2 vault, addressed by its deterministic ARN', () => {
    const rules = planRules(pt);
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.CopyActions).toHaveLength(1);
      const dest = rule.CopyActions![0].DestinationBackupVaultArn;
      expect(JSON.stringify(dest)).toContain(':backup:us-west-2:111111111111:backup-vault:shop-dr-vault');
      expect(render(dest)).toBe(RECOVERY_VAULT_ARN);
    }
    expect(render(primary.resolve(copyVault.vaultArn))).toBe(RECOVERY_VAULT_ARN);
    expect(bk.copyTargetVaultArn).toBe(copyVault.vaultArn);
    expect(bk.copyTargetRegion).toBe('us-west-2');
    expect([copyVault.region, copyVault.account, copyVault.vaultName]).toEqual(['us-west-2', ACCOUNT, 'shop-dr-vault']);
  });

  test('no cross-stack or cross-Region reference, and no stack dependency', () => {
    expect(() => app.synth()).not.toThrow();
    const primaryText = JSON.stringify(pt.toJSON());
    expect(primaryText).not.toMatch(/Fn::ImportValue|ExportsReader|ExportsWriter|CrossRegion/);
    expect(primaryText).not.toContain('CopyVault'); // no logical id of the other stack
    expect(rt.toJSON().Outputs).toBeUndefined();
    expect(JSON.stringify(rt.toJSON())).not.toMatch(/ExportsWriter|"AWS::SSM::Parameter"|Custom::/);
    // No dependency either way: DR strategies make the recovery stack depend on the
    // primary, and a dependency back would be a cycle.
    expect(primary.dependencies).toEqual([]);
    expect(recovery.dependencies).toEqual([]);
  });

  test.each([
    ['primary', () => pt],
    ['recovery', () => rt],
  ])('the %s vault is encrypted with its own rotating customer-managed key; both are retained', (_name, tpl) => {
    const t = tpl();
    const vaults = Object.entries(t.findResources('AWS::Backup::BackupVault'));
    expect(vaults).toHaveLength(1);
    const [, vault] = vaults[0];
    const keyRef = vault.Properties.EncryptionKeyArn as { 'Fn::GetAtt': [string, string] };
    expect(keyRef['Fn::GetAtt'][1]).toBe('Arn');
    const key = t.toJSON().Resources[keyRef['Fn::GetAtt'][0]];
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
    expect(vault.DeletionPolicy).toBe('Retain');
    expect(vault.UpdateReplacePolicy).toBe('Retain');
    t.resourceCountIs('AWS::KMS::Key', 1);
  });

  test.each([
    ['primary', () => pt],
    ['recovery', () => rt],
  ])('the %s vault access policy denies deleting recovery points, shortening them and deleting the vault to everyone', (_name, tpl) => {
    const [[, vault]] = resourcesOfType(tpl(), 'AWS::Backup::BackupVault');
    const statements = (vault.Properties.AccessPolicy as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements.every((s) => s.Effect === 'Deny')).toBe(true);
    const denied = (action: string) =>
      statements.find(
        (s) => ([] as unknown[]).concat(s.Action).includes(action) && JSON.stringify(s.Principal) === '{"AWS":"*"}' && s.Resource === '*',
      );
    expect(denied('backup:DeleteRecoveryPoint')).toBeDefined();
    expect(denied('backup:UpdateRecoveryPointLifecycle')).toBeDefined();
    expect(denied('backup:DeleteBackupVault')).toBeDefined();
    expect(statements.some((s) => s.Condition !== undefined)).toBe(false);
  });

  test('the recovery vault has the given physical name; the primary vault a generated one', () => {
    rt.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'shop-dr-vault' });
    const [[, vault]] = resourcesOfType(pt, 'AWS::Backup::BackupVault');
    expect(vault.Properties.BackupVaultName).toMatch(/^[a-zA-Z0-9\-_]{2,50}$/);
  });

  test('default rules: Daily at 05:00 UTC kept 35 days, Weekly on Sunday kept 90 days, no cold storage, same retention in the copy', () => {
    const rules = planRules(pt).map((r) => ({
      name: r.RuleName,
      schedule: r.ScheduleExpression,
      lifecycle: r.Lifecycle,
      continuous: r.EnableContinuousBackup,
      copyLifecycle: r.CopyActions?.[0].Lifecycle,
    }));
    expect(rules).toEqual([
      { name: 'Daily', schedule: 'cron(0 5 * * ? *)', lifecycle: { DeleteAfterDays: 35 }, continuous: undefined, copyLifecycle: { DeleteAfterDays: 35 } },
      { name: 'Weekly', schedule: 'cron(0 5 ? * SUN *)', lifecycle: { DeleteAfterDays: 90 }, continuous: undefined, copyLifecycle: { DeleteAfterDays: 90 } },
    ]);
    expect(bk.rules.map((r) => r.name)).toEqual(['Daily', 'Weekly']);
  });

  test('every rule backs up into the construct\'s own vault', () => {
    const [[vaultId]] = resourcesOfType(pt, 'AWS::Backup::BackupVault');
    for (const rule of planRules(pt)) expect(rule.TargetBackupVault).toEqual({ 'Fn::GetAtt': [vaultId, 'BackupVaultName'] });
  });

  test('the plan name is unique per construct, not the construct id', () => {
    const [[, plan]] = resourcesOfType(pt, 'AWS::Backup::BackupPlan');
    const name = (plan.Properties.BackupPlan as { BackupPlanName: string }).BackupPlanName;
    expect(name).toMatch(/^Primary-Backup-[A-Za-z0-9]+$/);
    expect(name.length).toBeLessThanOrEqual(50);
  });

  test('the selection lists the resources and the tag conditions, with the construct\'s backup role', () => {
    const sel = selection(pt);
    expect(sel.Resources).toEqual([CLUSTER_ARN]);
    expect(sel.ListOfTags).toEqual([{ ConditionKey: 'backup', ConditionType: 'STRINGEQUALS', ConditionValue: 'daily' }]);
    const roleId = (sel.IamRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(primary.resolve(bk.backupRole.roleArn)).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    const role = pt.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' } },
    ]);
    expect(role.Properties.ManagedPolicyArns.map(render)).toEqual([
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
      'arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
    ]);
    expect(role.Properties.Policies).toBeUndefined();
    pt.resourceCountIs('AWS::IAM::Role', 1);
  });

  test('emits no cdk-resilience warning', () => {
    expect(resilienceWarnings(primary)).toEqual([]);
    expect(resilienceWarnings(recovery)).toEqual([]);
  });
});

describe('ResilientBackup options', () => {
  test('custom rules: cold storage and retention apply to the backup and to its copy', () => {
    const { pt } = twoRegions({
      rules: [
        { name: 'Hourly', schedule: events.Schedule.cron({ minute: '15' }), retention: Duration.days(2) },
        { name: 'Monthly', schedule: events.Schedule.cron({ minute: '0', hour: '3', day: '1' }), retention: Duration.days(400), moveToColdStorageAfter: Duration.days(30) },
      ],
    });
    const [hourly, monthly] = planRules(pt);
    expect(hourly).toMatchObject({ RuleName: 'Hourly', ScheduleExpression: 'cron(15 * * * ? *)', Lifecycle: { DeleteAfterDays: 2 } });
    expect(hourly.CopyActions![0].Lifecycle).toEqual({ DeleteAfterDays: 2 });
    expect(monthly).toMatchObject({ RuleName: 'Monthly', ScheduleExpression: 'cron(0 3 1 * ? *)' });
    expect(monthly.Lifecycle).toEqual({ DeleteAfterDays: 400, MoveToColdStorageAfterDays: 30 });
    expect(monthly.CopyActions![0].Lifecycle).toEqual({ DeleteAfterDays: 400, MoveToColdStorageAfterDays: 30 });
  });

  test('continuous backup is enabled on the first rule only', () => {
    const { pt } = twoRegions({ continuousBackup: true });
    const [daily, weekly] = planRules(pt);
    expect(daily.EnableContinuousBackup).toBe(true);
    expect(daily.Lifecycle).toEqual({ DeleteAfterDays: 35 });
    expect(weekly.EnableContinuousBackup).toBeUndefined();
    // The copy of a continuous backup is a snapshot; it is still copied on schedule.
    expect(daily.CopyActions).toHaveLength(1);
  });

  test('copyTo accepts a vault ARN and Region, used verbatim, with no stack dependency', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    new ResilientBackup(primary, 'Backup', { tags: { backup: 'daily' }, copyTo: { vaultArn: RECOVERY_VAULT_ARN, region: 'us-west-2' } });
    const t = Template.fromStack(primary);
    for (const rule of planRules(t)) expect(rule.CopyActions).toEqual([{ DestinationBackupVaultArn: RECOVERY_VAULT_ARN, Lifecycle: { DeleteAfterDays: rule.Lifecycle!.DeleteAfterDays } }]);
    expect(selection(t).Resources).toBeUndefined();
    expect(primary.dependencies).toEqual([]);
  });

  test('without copyTo: no copy action and a NoCrossRegionBackupCopy warning', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const bk = new ResilientBackup(primary, 'Backup', { resources: [backup.BackupResource.fromArn(CLUSTER_ARN)] });
    const t = Template.fromStack(primary);
    for (const rule of planRules(t)) expect(rule.CopyActions).toBeUndefined();
    expect(bk.copyTargetVaultArn).toBeUndefined();
    expect(resilienceWarnings(primary)).toEqual(['cdk-resilience:NoCrossRegionBackupCopy']);
  });

  test('a given backup role is used as is: no role is created and no policy attached', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const role = iam.Role.fromRoleArn(primary, 'Existing', 'arn:aws:iam::111111111111:role/backup-role', { mutable: false });
    new ResilientBackup(primary, 'Backup', { resources: [backup.BackupResource.fromArn(CLUSTER_ARN)], backupRole: role, copyTo: { vaultArn: RECOVERY_VAULT_ARN, region: 'us-west-2' } });
    const t = Template.fromStack(primary);
    expect(selection(t).IamRoleArn).toBe('arn:aws:iam::111111111111:role/backup-role');
    t.resourceCountIs('AWS::IAM::Role', 0);
    t.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('resources found by BackupResource.fromConstruct are selected', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const data = new Construct(primary, 'Data');
    const table = new dynamodb.Table(data, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    new ResilientBackup(primary, 'Backup', { resources: [backup.BackupResource.fromConstruct(data)], copyTo: { vaultArn: RECOVERY_VAULT_ARN, region: 'us-west-2' } });
    const tableId = primary.getLogicalId(table.node.defaultChild as CfnElement);
    expect(selection(Template.fromStack(primary)).Resources).toEqual([
      { 'Fn::Join': ['', ['arn:aws:dynamodb:us-east-1:111111111111:table/', { Ref: tableId }]] },
    ]);
  });

  test('a selection that resolves to nothing fails synth instead of backing up every resource', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const nothing = new Construct(primary, 'Nothing');
    new ResilientBackup(primary, 'Backup', { resources: [backup.BackupResource.fromConstruct(nothing)], copyTo: { vaultArn: RECOVERY_VAULT_ARN, region: 'us-west-2' } });
    expect(() => app.synth()).toThrow(/\[BACKUP_EMPTY_SELECTION\] resources: the selection resolved to no resource and no tag/);
  });
});

// --- Validation --------------------------------------------------------------------

interface ErrorCtx {
  /** A BackupCopyVault in us-west-2, same account. */
  recoveryVault: BackupCopyVault;
  /** A BackupCopyVault in another stack of us-east-1 (the primary's Region). */
  sameRegionVault: BackupCopyVault;
  /** A BackupCopyVault in us-west-2 of another account. */
  otherAccountVault: BackupCopyVault;
}

function backupError(make: (ctx: ErrorCtx) => ResilientBackupProps): ResilienceError {
  const app = newApp();
  const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
  const ctx: ErrorCtx = {
    recoveryVault: new BackupCopyVault(new Stack(app, 'Recovery', { env: RECOVERY_ENV }), 'CopyVault', { vaultName: 'dr-vault' }),
    sameRegionVault: new BackupCopyVault(new Stack(app, 'East', { env: PRIMARY_ENV }), 'CopyVault', { vaultName: 'east-vault' }),
    otherAccountVault: new BackupCopyVault(new Stack(app, 'Other', { env: { account: '222222222222', region: 'us-west-2' } }), 'CopyVault', { vaultName: 'other-vault' }),
  };
  const props = make(ctx);
  try {
    new ResilientBackup(primary, 'Backup', props);
  } catch (e) {
    return e as ResilienceError;
  }
  throw new Error('expected a ResilienceError');
}

const sel = { resources: [backup.BackupResource.fromArn(CLUSTER_ARN)] };
const daily = (retention: Duration, extra: Partial<{ moveToColdStorageAfter: Duration }> = {}) => ({
  name: 'Daily',
  schedule: events.Schedule.cron({ minute: '0', hour: '5' }),
  retention,
  ...extra,
});

describe('ResilientBackup rejects invalid props', () => {
  test.each<[string, (ctx: ErrorCtx) => ResilientBackupProps, string, RegExp]>([
    ['a copy to a BackupCopyVault in the same Region', (c) => ({ ...sel, copyTo: c.sameRegionVault }), 'BACKUP_COPY_SAME_REGION', /copyTo: copies to the stack's own Region us-east-1, which does not survive the loss of that Region \(got: "us-east-1"\)/],
    ['a copy to a vault ARN in the same Region', () => ({ ...sel, copyTo: { vaultArn: 'arn:aws:backup:us-east-1:111111111111:backup-vault:v1', region: 'us-east-1' } }), 'BACKUP_COPY_SAME_REGION', /copies to the stack's own Region us-east-1/],
    ['a copy target whose Region does not match its ARN', () => ({ ...sel, copyTo: { vaultArn: RECOVERY_VAULT_ARN, region: 'eu-west-1' } }), 'BACKUP_COPY_TARGET', /copyTo.region: does not match the Region in copyTo.vaultArn \(us-west-2\) \(got: "eu-west-1"\)\. Fix: set copyTo.region to 'us-west-2'/],
    ['a copy target that is not a vault ARN', () => ({ ...sel, copyTo: { vaultArn: 'arn:aws:s3:::my-bucket', region: 'us-west-2' } }), 'BACKUP_COPY_TARGET', /copyTo.vaultArn: is not a backup vault ARN \(got: "arn:aws:s3:::my-bucket"\)/],
    ['a copy target Region that is not one', () => ({ ...sel, copyTo: { vaultArn: RECOVERY_VAULT_ARN, region: 'west' } }), 'BACKUP_COPY_TARGET', /copyTo.region: is not an AWS Region code \(got: "west"\)/],
    ['a BackupCopyVault of another account that does not admit this one', (c) => ({ resources: [backup.BackupResource.fromArn('arn:aws:dynamodb:us-east-1:111111111111:table/t')], copyTo: c.otherAccountVault }), 'BACKUP_COPY_ACCOUNT', /copyTo: the BackupCopyVault is in another account than this stack \(111111111111\) and does not admit copies from it.*allowCopiesFrom: \{ accounts: \['111111111111'\] \}/],
    ['no selection at all', (c) => ({ copyTo: c.recoveryVault }), 'BACKUP_NO_SELECTION', /resources: nothing is selected for backup; an empty selection would make AWS Backup select every supported resource/],
    ['empty resources and empty tags', (c) => ({ resources: [], tags: {}, copyTo: c.recoveryVault }), 'BACKUP_NO_SELECTION', /got: \{"resources":\[\],"tags":\{\}\}/],
    ['an empty tag key', (c) => ({ tags: { '': 'x' }, copyTo: c.recoveryVault }), 'BACKUP_SELECTION_TAG', /is not a valid tag: keys are 1-128 characters/],
    ['a vault name with a space', (c) => ({ ...sel, vaultName: 'my vault', copyTo: c.recoveryVault }), 'BACKUP_VAULT_NAME', /vaultName: is not a valid backup vault name: 2-50 letters, numbers, hyphens or underscores \(got: "my vault"\)/],
    ['a one-character vault name', (c) => ({ ...sel, vaultName: 'v', copyTo: c.recoveryVault }), 'BACKUP_VAULT_NAME', /got: "v"/],
    ['a 51-character vault name', (c) => ({ ...sel, vaultName: 'v'.repeat(51), copyTo: c.recoveryVault }), 'BACKUP_VAULT_NAME', /is not a valid backup vault name/],
    ['a retention under one day', (c) => ({ ...sel, rules: [daily(Duration.hours(12))], copyTo: c.recoveryVault }), 'BACKUP_RETENTION', /rules\[0\].retention: must be a whole number of days between 1 and 36500 \(got: "12 hours"\)/],
    ['a retention of a day and a half', (c) => ({ ...sel, rules: [daily(Duration.hours(36))], copyTo: c.recoveryVault }), 'BACKUP_RETENTION', /must be a whole number of days .*\(got: "1 day 12 hours"\)/],
    ['a retention over 100 years', (c) => ({ ...sel, rules: [daily(Duration.days(36501))], copyTo: c.recoveryVault }), 'BACKUP_RETENTION', /between 1 and 36500/],
    ['less than 90 days in cold storage', (c) => ({ ...sel, rules: [daily(Duration.days(100), { moveToColdStorageAfter: Duration.days(30) })], copyTo: c.recoveryVault }), 'BACKUP_COLD_STORAGE', /rules\[0\].retention: leaves less than 90 days in cold storage.*\(got: "100 days with moveToColdStorageAfter 30 days"\)\. Fix: raise retention to at least 120 days/],
    ['a continuous-backup retention over 35 days', (c) => ({ ...sel, continuousBackup: true, rules: [daily(Duration.days(60))], copyTo: c.recoveryVault }), 'BACKUP_CONTINUOUS_RETENTION', /rules\[0\].retention: is longer than the 35 days continuous backup \(point-in-time restore\) can keep.*\(got: "60 days"\)/],
    ['continuous backup with cold storage', (c) => ({ ...sel, continuousBackup: true, rules: [daily(Duration.days(35), { moveToColdStorageAfter: Duration.days(7) })], copyTo: c.recoveryVault }), 'BACKUP_CONTINUOUS_COLD_STORAGE', /rules\[0\].moveToColdStorageAfter: continuous backups cannot move to cold storage; continuousBackup applies to the first rule \(got: "7 days"\)/],
    ['a rate schedule', (c) => ({ ...sel, rules: [{ name: 'Hourly', schedule: events.Schedule.rate(Duration.hours(1)), retention: Duration.days(7) }], copyTo: c.recoveryVault }), 'BACKUP_SCHEDULE', /rules\[0\].schedule: is not a 6-field cron expression; AWS Backup accepts cron schedules only .*\(got: "rate\(1 hour\)"\)/],
    ['a schedule every 15 minutes', (c) => ({ ...sel, rules: [{ name: 'Often', schedule: events.Schedule.cron({ minute: '0/15' }), retention: Duration.days(7) }], copyTo: c.recoveryVault }), 'BACKUP_SCHEDULE', /runs more than once an hour \(minute field '0\/15'\)/],
    ['two rules with the same name', (c) => ({ ...sel, rules: [daily(Duration.days(7)), daily(Duration.days(14))], copyTo: c.recoveryVault }), 'BACKUP_RULE_NAME', /rules\[1\].name: duplicate rule name \(got: "Daily"\)/],
    ['a rule name with a space', (c) => ({ ...sel, rules: [{ ...daily(Duration.days(7)), name: 'Every day' }], copyTo: c.recoveryVault }), 'BACKUP_RULE_NAME', /rules\[0\].name: is not a valid rule name/],
    ['no rules', (c) => ({ ...sel, rules: [], copyTo: c.recoveryVault }), 'BACKUP_NO_RULES', /rules: a backup plan needs at least one rule/],
  ])('%s', (_name, make, code, message) => {
    const err = backupError(make);
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err.codes).toEqual([code]);
    expect(err.message).toMatch(message);
    expect(err.constructPath).toBe('Primary/Backup');
    expect(err.message).toMatch(/^cdk-resilience: invalid props for Primary\/Backup/);
    expect(err.message).toMatch(/Fix: /);
  });

  test('reports every problem at once, before building anything', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    let err: ResilienceError | undefined;
    try {
      new ResilientBackup(primary, 'Backup', {
        vaultName: 'x',
        continuousBackup: true,
        rules: [{ name: 'Daily', schedule: events.Schedule.rate(Duration.days(1)), retention: Duration.days(90) }],
        copyTo: { vaultArn: 'arn:aws:backup:us-east-1:111111111111:backup-vault:v1', region: 'us-east-1' },
      });
    } catch (e) {
      err = e as ResilienceError;
    }
    expect(err?.codes.sort()).toEqual(['BACKUP_CONTINUOUS_RETENTION', 'BACKUP_COPY_SAME_REGION', 'BACKUP_NO_SELECTION', 'BACKUP_SCHEDULE', 'BACKUP_VAULT_NAME']);
    expect(err?.message).toMatch(/\(5 problems\)/);
    expect(primary.node.tryFindChild('Backup')?.node.children ?? []).toHaveLength(0);
  });

  test('unresolved tokens are not validated', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    expect(
      () =>
        new ResilientBackup(primary, 'Backup', {
          vaultName: Lazy.string({ produce: () => 'shop-vault' }),
          tags: { backup: Fn.importValue('BackupTagValue') },
          copyTo: { vaultArn: Fn.importValue('RecoveryVaultArn'), region: 'us-west-2' },
        }),
    ).not.toThrow();
  });

  test('an env-agnostic primary stack cannot be checked for a same-Region copy, so it is not rejected', () => {
    const app = newApp();
    const agnostic = new Stack(app, 'Agnostic');
    expect(() => new ResilientBackup(agnostic, 'Backup', { ...sel, copyTo: { vaultArn: RECOVERY_VAULT_ARN, region: 'us-west-2' } })).not.toThrow();
  });
});

describe('BackupCopyVault rejects invalid props', () => {
  test.each<[string, { env?: { account?: string; region?: string } }, string, string, RegExp]>([
    ['an env-agnostic stack', {}, 'dr-vault', 'BACKUP_STACK_ENV', /env: the stack Recovery is environment-agnostic, so the vault ARN .* cannot be known at synth time \(got: "account \(unresolved\), region \(unresolved\)"\)\. Fix: give the stack an explicit env/],
    ['a stack with a Region but no account', { env: { region: 'us-west-2' } }, 'dr-vault', 'BACKUP_STACK_ENV', /got: "account \(unresolved\), region us-west-2"/],
    ['a vault name with a dot', { env: RECOVERY_ENV }, 'dr.vault', 'BACKUP_VAULT_NAME', /vaultName: is not a valid backup vault name.*\(got: "dr.vault"\)/],
  ])('%s', (_name, stackProps, vaultName, code, message) => {
    const stack = new Stack(newApp(), 'Recovery', stackProps);
    let err: ResilienceError | undefined;
    try {
      new BackupCopyVault(stack, 'CopyVault', { vaultName });
    } catch (e) {
      err = e as ResilienceError;
    }
    expect(err).toBeInstanceOf(ResilienceError);
    expect(err!.codes).toEqual([code]);
    expect(err!.message).toMatch(message);
    expect(err!.constructPath).toBe('Recovery/CopyVault');
    expect(stack.node.findChild('CopyVault').node.children).toHaveLength(0);
  });

  test('isBackupCopyVault tells a BackupCopyVault from a { vaultArn, region } target', () => {
    const { copyVault } = twoRegions();
    expect(BackupCopyVault.isBackupCopyVault(copyVault)).toBe(true);
    expect(BackupCopyVault.isBackupCopyVault({ vaultArn: RECOVERY_VAULT_ARN, region: 'us-west-2' })).toBe(false);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('zero unacknowledged findings in the stack with ResilientBackup and in the stack with BackupCopyVault', () => {
    const { primary, recovery } = twoRegions({ continuousBackup: true });
    expect(nagFindings(primary)).toEqual([]);
    expect(nagFindings(recovery)).toEqual([]);
  });

  test('zero findings without copyTo too', () => {
    const primary = new Stack(newApp(), 'Primary', { env: PRIMARY_ENV });
    new ResilientBackup(primary, 'Backup', { tags: { backup: 'daily' } });
    expect(nagFindings(primary)).toEqual([]);
  });

  test('the acknowledgments are exactly the two managed-policy findings of the construct\'s own role, each with a reason', () => {
    const { bk } = twoRegions();
    // Each acknowledgment entry carries the previous ones too: the last entry is the full set.
    const acks = bk.node.findAll().flatMap((c) => {
      const last = c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).pop();
      return Object.entries((last?.data ?? {}) as Record<string, string>).map(([id, reason]) => ({
        path: c.node.path,
        id: id.replace(/^annotation::/i, ''),
        reason,
      }));
    });
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'Primary/Backup/BackupRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'Primary/Backup/BackupRole AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
    ]);
    for (const a of acks) expect(a.reason.length).toBeGreaterThanOrEqual(40);
  });

  test('the gate can fail: a user role with a managed policy is not covered by the construct\'s acknowledgments', () => {
    const primary = new Stack(newApp(), 'Primary', { env: PRIMARY_ENV });
    const role = new iam.Role(primary, 'MyBackupRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup')],
    });
    new ResilientBackup(primary, 'Backup', { tags: { backup: 'daily' }, backupRole: role, copyTo: { vaultArn: RECOVERY_VAULT_ARN, region: 'us-west-2' } });
    expect(nagFindings(primary).join('\n')).toMatch(
      /AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/service-role\/AWSBackupServiceRolePolicyForBackup\] at Primary\/MyBackupRole\/Resource/,
    );
  });
});

describe('docs/backup.md', () => {
  const root = path.join(__dirname, '..', '..');
  const doc = (): string => fs.readFileSync(path.join(root, 'docs', 'backup.md'), 'utf8');

  test('has a diagram, props, defaults and what it survives', () => {
    const text = doc();
    expect(text).toMatch(/```mermaid/);
    expect(text).toMatch(/## Props/);
    expect(text).toMatch(/default/i);
    expect(text).toMatch(/## What it survives/);
  });

  test('lists every error code the constructs can throw', () => {
    const source = fs.readFileSync(path.join(root, 'lib', 'data', 'backup.ts'), 'utf8');
    const codes = new Set([...source.matchAll(/code: '([A-Z_]+)'/g)].map((m) => m[1]));
    expect(codes.size).toBeGreaterThan(10);
    const text = doc();
    for (const code of codes) {
      expect(code).toMatch(/^BACKUP_/);
      expect(text).toContain(code);
    }
  });
});

describe('BackupCopyVault vaultLock (AWS Backup Vault Lock, compliance mode)', () => {
  const build = (vaultLock: ConstructorParameters<typeof BackupCopyVault>[2]['vaultLock'], rules?: ResilientBackupProps['rules']) => {
    const app = newApp();
    const recovery = new Stack(app, 'Recovery', { env: RECOVERY_ENV });
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const copyVault = new BackupCopyVault(recovery, 'CopyVault', { vaultName: 'shop-dr-vault', vaultLock });
    new ResilientBackup(primary, 'Backup', { resources: [backup.BackupResource.fromArn(CLUSTER_ARN)], copyTo: copyVault, rules });
    return { copyVault, rt: Template.fromStack(recovery) };
  };
  const codeOf = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ResilienceError) return e.problems.map((p) => `${p.code} ${p.prop}`);
      throw e;
    }
    return [];
  };

  test('the lock is set on the vault, immutable after changeableFor (3 days by default); none without it', () => {
    const { rt } = build({ minRetention: Duration.days(35), maxRetention: Duration.days(365) });
    rt.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: 'shop-dr-vault', LockConfiguration: { MinRetentionDays: 35, MaxRetentionDays: 365, ChangeableForDays: 3 } });
    const none = build(undefined).rt;
    expect(Object.values(none.findResources('AWS::Backup::BackupVault')).map((r) => r.Properties.LockConfiguration)).toEqual([undefined]);
  });

  test.each<[string, Record<string, Duration | undefined>, string[]]>([
    ['changeableFor at the 3-day minimum', { minRetention: Duration.days(1), changeableFor: Duration.days(3) }, []],
    ['changeableFor under it', { minRetention: Duration.days(1), changeableFor: Duration.days(2) }, ['BACKUP_VAULT_LOCK vaultLock.changeableFor']],
    ['minRetention at 1 day', { minRetention: Duration.days(1) }, []],
    ['minRetention in hours', { minRetention: Duration.hours(12) }, ['BACKUP_VAULT_LOCK vaultLock.minRetention']],
    ['maxRetention a day over minRetention', { minRetention: Duration.days(35), maxRetention: Duration.days(36) }, []],
    ['maxRetention equal to minRetention', { minRetention: Duration.days(35), maxRetention: Duration.days(35) }, ['BACKUP_VAULT_LOCK vaultLock.maxRetention']],
    ['maxRetention at 36500 days', { minRetention: Duration.days(1), maxRetention: Duration.days(36500) }, []],
    ['maxRetention past it', { minRetention: Duration.days(1), maxRetention: Duration.days(36501) }, ['BACKUP_VAULT_LOCK vaultLock.maxRetention']],
  ])('%s', (_n, lock, expected) => {
    const app = newApp();
    const recovery = new Stack(app, 'Recovery', { env: RECOVERY_ENV });
    expect(codeOf(() => new BackupCopyVault(recovery, 'CopyVault', { vaultName: 'dr-vault', vaultLock: lock as never }))).toEqual(expected);
  });

  test("every rule's copies must fit the lock's range, at its ends included: the vault refuses the others", () => {
    const rule = (days: number) => [{ name: 'Daily', schedule: events.Schedule.cron({ minute: '0', hour: '5' }), retention: Duration.days(days) }];
    const lock = { minRetention: Duration.days(35), maxRetention: Duration.days(90) };
    expect(codeOf(() => build(lock, rule(35)))).toEqual([]);
    expect(codeOf(() => build(lock, rule(90)))).toEqual([]);
    expect(codeOf(() => build(lock, rule(34)))).toEqual(['BACKUP_VAULT_LOCK rules[0].retention']);
    expect(codeOf(() => build(lock, rule(91)))).toEqual(['BACKUP_VAULT_LOCK rules[0].retention']);
    // The default rules (35 and 90 days) fit a 35-day minimum without a maximum.
    expect(codeOf(() => build({ minRetention: Duration.days(35) }))).toEqual([]);
    expect(codeOf(() => build({ minRetention: Duration.days(36) }))).toEqual(['BACKUP_VAULT_LOCK rules[0].retention']);
  });
});

describe('copies to another account (a backup account with a locked vault)', () => {
  // A fully managed type (AWS Backup re-encrypts it with the vault's key): it may go to another account and Region at once.
  const table = { resources: [backup.BackupResource.fromArn('arn:aws:dynamodb:us-east-1:111111111111:table/orders')] };
  function crossAccount(sources: { accounts?: string[]; organizationId?: string }, extraKeys = false) {
    const app = newApp();
    const vaultStack = new Stack(app, 'BackupAccount', { env: { account: '222222222222', region: 'us-west-2' } });
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const copyVault = new BackupCopyVault(vaultStack, 'CopyVault', { vaultName: 'org-dr-vault', allowCopiesFrom: sources, vaultLock: { minRetention: Duration.days(7) } });
    const dbKey = new kms.Key(primary, 'DatabaseKey', { enableKeyRotation: true });
    const bk = new ResilientBackup(primary, 'Backup', { ...table, rules: [daily(Duration.days(35))], copyTo: copyVault, crossAccountKeys: extraKeys ? [dbKey] : undefined });
    return { app, vaultStack, primary, copyVault, bk, dbKey };
  }

  function rdsTo(region: string): () => void {
    return () => {
      const app = newApp();
      const vault = new BackupCopyVault(new Stack(app, 'BackupAccount', { env: { account: '222222222222', region } }), 'CopyVault', { vaultName: 'org-dr-vault', allowCopiesFrom: { accounts: ['111111111111'] } });
      new ResilientBackup(new Stack(app, 'Primary', { env: PRIMARY_ENV }), 'Backup', { ...sel, copyTo: vault });
    };
  }

  test('RDS and Aurora cannot go to another account and another Region in one copy (AWS Backup): refused at synth; to another account in the same Region they may', () => {
    let err: ResilienceError | undefined;
    try {
      rdsTo('us-west-2')();
    } catch (e) {
      err = e as ResilienceError;
    }
    expect(err?.codes).toEqual(['BACKUP_CROSS_ACCOUNT_REGION']);
    expect(err?.message).toMatch(/copy them to a vault of account 222222222222 in us-east-1 \(same Region\)/);
    expect(rdsTo('us-east-1')).not.toThrow();
  });

  test('a same-Region copy in the same account is still refused (it does not survive the Region)', () => {
    const app = newApp();
    const vault = new BackupCopyVault(new Stack(app, 'East', { env: PRIMARY_ENV }), 'CopyVault', { vaultName: 'east-vault' });
    expect(() => new ResilientBackup(new Stack(app, 'Primary', { env: PRIMARY_ENV }), 'Backup', { ...table, copyTo: vault })).toThrow(/BACKUP_COPY_SAME_REGION/);
  });

  test("the vault admits the named accounts' copies, and only CopyIntoBackupVault", () => {
    const { vaultStack } = crossAccount({ accounts: ['111111111111'] });
    const policy = Template.fromStack(vaultStack).findResources('AWS::Backup::BackupVault');
    const doc = Object.values(policy)[0].Properties.AccessPolicy as { Statement: { Sid: string; Effect: string; Action: unknown; Principal: unknown }[] };
    const allow = doc.Statement.find((x) => x.Sid === 'AllowCopiesFromAccounts')!;
    expect(allow).toMatchObject({ Effect: 'Allow', Action: 'backup:CopyIntoBackupVault' });
    expect(JSON.stringify(allow.Principal)).toContain(':iam::111111111111:root');
    expect(doc.Statement.map((x) => x.Sid)).toContain('DenyBackupVaultDeletion');
  });

  test('an organization: every account of it, by aws:PrincipalOrgID', () => {
    const { vaultStack } = crossAccount({ organizationId: 'o-a1b2c3d4e5' });
    const doc = Object.values(Template.fromStack(vaultStack).findResources('AWS::Backup::BackupVault'))[0].Properties.AccessPolicy as { Statement: { Sid: string; Condition?: unknown }[] };
    expect(doc.Statement.find((x) => x.Sid === 'AllowCopiesFromOrganization')?.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } });
  });

  test("the source vault's key, and the resources' keys given, let the backup account decrypt and make grants for AWS resources", () => {
    const { primary, bk, dbKey } = crossAccount({ accounts: ['111111111111'] }, true);
    const t = Template.fromStack(primary);
    for (const key of [bk.key, dbKey]) {
      const doc = primary.resolve((t.toJSON().Resources[primary.getLogicalId(key.node.defaultChild as kms.CfnKey)].Properties as { KeyPolicy: unknown }).KeyPolicy) as { Statement: { Sid?: string; Action: unknown; Condition?: unknown; Principal: unknown }[] };
      const use = doc.Statement.find((x) => x.Sid === 'AllowBackupCopiesTo222222222222')!;
      expect([use.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey*', 'kms:ReEncrypt*']);
      expect(JSON.stringify(use.Principal)).toContain(':iam::222222222222:root');
      expect(doc.Statement.find((x) => x.Sid === 'AllowBackupGrantsTo222222222222')?.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
    }
    t.hasResourceProperties('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanRule: [{ CopyActions: [{ DestinationBackupVaultArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':backup:us-west-2:222222222222:backup-vault:org-dr-vault']] } }] }] } });
  });

  test('a copy in the same account shares no key', () => {
    const app = newApp();
    const primary = new Stack(app, 'Primary', { env: PRIMARY_ENV });
    const vault = new BackupCopyVault(new Stack(app, 'Recovery', { env: RECOVERY_ENV }), 'CopyVault', { vaultName: 'dr-vault' });
    const bk = new ResilientBackup(primary, 'Backup', { ...table, copyTo: vault });
    expect(JSON.stringify(primary.resolve((bk.key.node.defaultChild as kms.CfnKey).keyPolicy))).not.toContain('AllowBackupCopiesTo');
  });

  test.each<[string, { accounts?: string[]; organizationId?: string }, RegExp]>([
    ['an account id of 11 digits', { accounts: ['11111111111'] }, /allowCopiesFrom.accounts\[0\]: is not a 12-digit account id/],
    ['an organization id without its prefix', { organizationId: 'a1b2c3d4e5' }, /allowCopiesFrom.organizationId: is not an organization id/],
    ['an organization id too short', { organizationId: 'o-a1b2c3d4e' }, /is not an organization id/],
    ['nothing', {}, /allowCopiesFrom: names no account and no organization/],
  ])('refuses %s', (_n, sources, message) => {
    const err = (() => {
      try {
        new BackupCopyVault(new Stack(newApp(), 'V', { env: RECOVERY_ENV }), 'CopyVault', { vaultName: 'v1', allowCopiesFrom: sources });
      } catch (e) {
        return e as ResilienceError;
      }
      throw new Error('expected a ResilienceError');
    })();
    expect(err.codes).toEqual(['BACKUP_COPY_SOURCES']);
    expect(err.message).toMatch(message);
  });

  test('the shortest organization id and a 12-digit account are accepted', () => {
    expect(() => new BackupCopyVault(new Stack(newApp(), 'V', { env: RECOVERY_ENV }), 'CopyVault', { vaultName: 'v1', allowCopiesFrom: { accounts: ['123456789012'], organizationId: 'o-a1b2c3d4e5' } })).not.toThrow();
  });
});
