import { Aws, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { ResilienceError, ResilienceProblem } from '../core/errors';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';

/** AWS Backup vault names: 2-50 letters, numbers, hyphens and underscores (CreateBackupVault). */
const VAULT_NAME_RE = /^[a-zA-Z0-9\-_]{2,50}$/;
/** AWS Backup rule names: 1-50 letters, numbers, '-', '_' and '.' (BackupRuleInput.RuleName). */
const RULE_NAME_RE = /^[a-zA-Z0-9\-_.]{1,50}$/;
/** An AWS Region code such as us-east-1 or us-gov-west-1. */
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** A backup vault ARN: partition, Region, account, vault name. */
const VAULT_ARN_RE = /^arn:([a-z-]+):backup:([^:]*):([^:]*):backup-vault:(.*)$/;

const DAY_MS = 24 * 60 * 60 * 1000;
/** Longest lifecycle AWS Backup accepts: 100 years. */
const MAX_RETENTION_DAYS = 36500;
/** Continuous backups (point-in-time restore) keep at most 35 days. */
const MAX_CONTINUOUS_RETENTION_DAYS = 35;
/** A recovery point must stay in cold storage for at least 90 days. */
const MIN_COLD_STORAGE_DAYS = 90;

const BACKUP_COPY_VAULT_SYMBOL = Symbol.for('cdk-resilience.BackupCopyVault');

/**
 * Props for {@link BackupCopyVault}.
 */
export interface BackupCopyVaultProps {
  /**
   * Physical name of the vault: 2-50 letters, numbers, hyphens and underscores, unique
   * in the account and Region. The name is fixed so that the primary Region's backup
   * plan can address the vault by ARN without a cross-Region reference.
   */
  readonly vaultName: string;
  /**
   * AWS Backup Vault Lock in compliance mode: once `changeableFor` has passed, nobody (not the
   * account root, not AWS) can delete a recovery point before `minRetention`, shorten the lock
   * or remove it. A copy whose retention lies outside `minRetention`..`maxRetention` is refused
   * by the vault, so {@link ResilientBackup} checks its rules against the lock at synth.
   * https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html
   * @default - no Vault Lock (the access policy still denies deletions, but an administrator can change it)
   */
  readonly vaultLock?: BackupVaultLock;
  /**
   * Accept copies from other accounts: the vault access policy lets them
   * `backup:CopyIntoBackupVault` (the one cross-account action AWS Backup admits). Put the
   * vault in a backup account of its own and lock it (`vaultLock`): whoever takes over the
   * source account can then delete neither the copies nor the vault. Cross-account backup must
   * be turned on for the organization (AWS Backup's settings in the management account).
   * https://docs.aws.amazon.com/aws-backup/latest/devguide/create-cross-account-backup.html
   * @default - copies from this account only
   */
  readonly allowCopiesFrom?: BackupCopySources;
}

/** Who may copy into a {@link BackupCopyVault} from other accounts. */
export interface BackupCopySources {
  /**
   * Account ids (12 digits).
   * @default - none
   */
  readonly accounts?: string[];
  /**
   * An organization id (`o-` and 10-32 letters or digits): every account in it.
   * @default - none
   */
  readonly organizationId?: string;
}

/** Vault Lock settings of a {@link BackupCopyVault}. */
export interface BackupVaultLock {
  /** The shortest retention a recovery point in the vault may have: 1-36500 days. */
  readonly minRetention: Duration;
  /**
   * The longest retention a recovery point in the vault may have, longer than `minRetention`.
   * @default - no maximum
   */
  readonly maxRetention?: Duration;
  /**
   * How long the lock can still be changed or removed before it becomes immutable: at least
   * 3 days (AWS's cooling-off minimum). Test your copies in that window.
   * @default Duration.days(3)
   */
  readonly changeableFor?: Duration;
}

/**
 * A backup vault in the RECOVERY Region that receives cross-Region copies of recovery
 * points: deterministic name, its own customer-managed KMS key (rotation on), an access
 * policy that denies deleting recovery points, shortening their retention or deleting
 * the vault to every principal, and retained when the stack is deleted.
 *
 * Put it in the recovery Region's stack and pass it to {@link ResilientBackup} `copyTo`
 * in the primary Region's stack: the copy action addresses it through {@link vaultArn},
 * a plain string, so no cross-Region reference is created.
 */
export class BackupCopyVault extends Construct {
  /** Whether `x` is a {@link BackupCopyVault} (works across copies of this library). */
  public static isBackupCopyVault(x: unknown): x is BackupCopyVault {
    return typeof x === 'object' && x !== null && BACKUP_COPY_VAULT_SYMBOL in x;
  }

  /** The vault. */
  public readonly vault: backup.BackupVault;
  /** The customer-managed key that encrypts the vault's recovery points. */
  public readonly key: kms.Key;
  /** The vault's physical name. */
  public readonly vaultName: string;
  /** The Region of the vault (the stack's literal Region). */
  public readonly region: string;
  /** The account of the vault (the stack's literal account). */
  public readonly account: string;
  /**
   * The vault ARN, built from the stack's literal account and Region and the vault
   * name: `arn:${AWS::Partition}:backup:<region>:<account>:backup-vault:<name>`. Safe
   * to use in a stack of another Region: it is not a reference to this stack.
   */
  public readonly vaultArn: string;
  /** The Vault Lock, when one was asked for. */
  public readonly vaultLock?: BackupVaultLock;
  /** The other accounts (or organization) the vault accepts copies from. */
  public readonly allowCopiesFrom?: BackupCopySources;

  constructor(scope: Construct, id: string, props: BackupCopyVaultProps) {
    super(scope, id);
    Object.defineProperty(this, BACKUP_COPY_VAULT_SYMBOL, { value: true });

    const stack = Stack.of(this);
    const v = new Validator(this);
    validateVaultName(v, 'vaultName', props.vaultName);
    v.check(Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region), {
      code: 'BACKUP_STACK_ENV',
      prop: 'env',
      value: `account ${Token.isUnresolved(stack.account) ? '(unresolved)' : stack.account}, region ${Token.isUnresolved(stack.region) ? '(unresolved)' : stack.region}`,
      message: `the stack ${stack.stackName} is environment-agnostic, so the vault ARN the primary Region copies to cannot be known at synth time`,
      fix: "give the stack an explicit env, e.g. new Stack(app, 'Recovery', { env: { account: '111111111111', region: 'us-west-2' } })",
    });
    if (props.vaultLock) validateVaultLock(v, props.vaultLock);
    if (props.allowCopiesFrom) validateCopySources(v, props.allowCopiesFrom);
    v.throwIfAny();

    this.vaultLock = props.vaultLock;
    this.allowCopiesFrom = props.allowCopiesFrom;
    this.vaultName = props.vaultName;
    this.region = stack.region;
    this.account = stack.account;
    this.vaultArn = `arn:${Aws.PARTITION}:backup:${this.region}:${this.account}:backup-vault:${this.vaultName}`;
    ({ key: this.key, vault: this.vault } = hardenedVault(this, props.vaultName, 'cross-Region backup copies', props.vaultLock));
    const sources = props.allowCopiesFrom;
    if (sources?.accounts?.length) {
      this.vault.addToAccessPolicy(
        new iam.PolicyStatement({
          sid: 'AllowCopiesFromAccounts',
          principals: sources.accounts.map((a) => new iam.AccountPrincipal(a)),
          actions: ['backup:CopyIntoBackupVault'],
          resources: ['*'], // in a vault access policy, '*' means this vault
        }),
      );
    }
    if (sources?.organizationId) {
      this.vault.addToAccessPolicy(
        new iam.PolicyStatement({
          sid: 'AllowCopiesFromOrganization',
          principals: [new iam.AnyPrincipal()],
          actions: ['backup:CopyIntoBackupVault'],
          resources: ['*'], // in a vault access policy, '*' means this vault
          conditions: { StringEquals: { 'aws:PrincipalOrgID': sources.organizationId } },
        }),
      );
    }
  }

  /** Whether copies from an account are admitted. */
  public admits(account: string): boolean {
    return account === this.account || (this.allowCopiesFrom?.accounts ?? []).includes(account) || this.allowCopiesFrom?.organizationId !== undefined;
  }
}

/**
 * A vault in another Region, addressed by ARN, to copy recovery points to.
 */
export interface BackupCopyTarget {
  /** ARN of the destination vault: `arn:<partition>:backup:<region>:<account>:backup-vault:<name>`. */
  readonly vaultArn: string;
  /** Region of the destination vault. Must differ from the backed-up stack's Region. */
  readonly region: string;
}

/**
 * One backup rule of a {@link ResilientBackup} plan.
 */
export interface ResilientBackupRule {
  /** Rule name, unique in the plan: 1-50 letters, numbers, '-', '_' or '.'. */
  readonly name: string;
  /**
   * When the backup starts, as a cron expression in UTC. AWS Backup accepts cron
   * expressions only, at most once an hour (a single minute value).
   */
  readonly schedule: events.Schedule;
  /**
   * How long recovery points are kept, in whole days, 1 to 36500. Copies in the
   * recovery Region are kept as long.
   */
  readonly retention: Duration;
  /**
   * Move recovery points to cold storage after this many whole days. A recovery point
   * stays in cold storage at least 90 days, so `retention` must be at least 90 days
   * more. Only some resource types support cold storage (e.g. EFS, DynamoDB with
   * advanced backup); AWS Backup ignores the setting for the others, including RDS and
   * Aurora. Not allowed on the continuous-backup rule.
   * @default - never moved to cold storage
   */
  readonly moveToColdStorageAfter?: Duration;
}

/**
 * Props for {@link ResilientBackup}.
 */
export interface ResilientBackupProps {
  /**
   * Copy every recovery point of every rule to a vault in another Region, kept as long
   * as the original. Pass the {@link BackupCopyVault} of the recovery Region's stack
   * (same account), or a vault ARN and its Region.
   * @default - no copy: backups stay in this Region, and the construct warns
   * (`cdk-resilience:NoCrossRegionBackupCopy`)
   */
  readonly copyTo?: BackupCopyVault | BackupCopyTarget;
  /**
   * Resources to back up, e.g. `backup.BackupResource.fromRdsDatabaseCluster(cluster)`.
   * A resource is selected when it is listed here OR carries any one of `tags`. Give
   * `resources`, `tags` or both.
   * @default - only the resources selected by `tags`
   */
  readonly resources?: backup.BackupResource[];
  /**
   * Back up every resource that carries at least one of these tags (key = value,
   * exact match).
   * @default - only the resources listed in `resources`
   */
  readonly tags?: Record<string, string>;
  /**
   * Backup rules. Every rule gets a copy action when `copyTo` is set.
   * @default - {@link ResilientBackup.defaultRules}: `Daily` at 05:00 UTC kept 35 days,
   * and `Weekly` on Sunday at 05:00 UTC kept 90 days; nothing moves to cold storage
   */
  readonly rules?: ResilientBackupRule[];
  /**
   * Enable continuous backup (point-in-time restore) on the FIRST rule (`Daily` by
   * default) for the resource types that support it (RDS, Aurora, S3, SAP HANA on
   * EC2); the others get snapshots from that rule. Its retention must be 1-35 days, and
   * it cannot move to cold storage. Point-in-time restore works in this Region only:
   * cross-Region copies of continuous backups are snapshots.
   * @default false
   */
  readonly continuousBackup?: boolean;
  /**
   * Physical name of the vault in this Region: 2-50 letters, numbers, hyphens and
   * underscores.
   * @default - a unique name derived from the construct path (CloudFormation requires one)
   */
  readonly vaultName?: string;
  /**
   * Role AWS Backup assumes to back up and restore the selected resources. Used as
   * is: it must trust `backup.amazonaws.com` and carry the permissions the resource
   * types need (S3 needs `AWSBackupServiceRolePolicyForS3Backup` as well).
   * @default - a new role trusted by backup.amazonaws.com with the AWS managed policies
   * `AWSBackupServiceRolePolicyForBackup` and `AWSBackupServiceRolePolicyForRestores`
   */
  readonly backupRole?: iam.IRole;
  /**
   * With `copyTo` in another account: the keys of the backed-up resources whose recovery points
   * they encrypt (an RDS or Aurora snapshot keeps its database's key; AWS Backup re-encrypts only
   * fully managed types with the vault's key). Each key's policy lets the destination account
   * decrypt and create grants for AWS Backup, as a cross-account copy needs. This vault's own key
   * is shared the same way.
   * @default - only this vault's key
   */
  readonly crossAccountKeys?: kms.Key[];
}

/**
 * AWS Backup for the PRIMARY Region, with cross-Region copies for disaster recovery:
 * a vault (customer-managed KMS key, deny-deletion access policy, retained), a backup
 * plan whose every rule copies to the recovery Region's vault, and a selection of
 * resources by reference and/or tag.
 *
 * It survives the loss of the Region (recovery points exist in the other Region) and
 * the deletion of recovery points by a compromised principal (the vault policies deny
 * it to everyone).
 */
export class ResilientBackup extends Construct {
  /**
   * The default rules: `Daily` at 05:00 UTC kept 35 days and `Weekly` on Sunday at
   * 05:00 UTC kept 90 days. On Sunday the two overlap and AWS Backup keeps the backup
   * of the rule with the longer retention. No cold storage: RDS and Aurora do not
   * support it.
   */
  public static defaultRules(): ResilientBackupRule[] {
    return [
      { name: 'Daily', schedule: events.Schedule.cron({ minute: '0', hour: '5' }), retention: Duration.days(35) },
      {
        name: 'Weekly',
        schedule: events.Schedule.cron({ minute: '0', hour: '5', weekDay: 'SUN' }),
        retention: Duration.days(90),
      },
    ];
  }

  /** The vault in this Region. */
  public readonly vault: backup.BackupVault;
  /** The customer-managed key that encrypts this Region's vault. */
  public readonly key: kms.Key;
  /** The backup plan. */
  public readonly plan: backup.BackupPlan;
  /** The resource selection. */
  public readonly selection: backup.BackupSelection;
  /** The role AWS Backup assumes to back up (and restore) the selected resources. */
  public readonly backupRole: iam.IRole;
  /** The rules the plan was built from, defaults applied. */
  public readonly rules: ResilientBackupRule[];
  /** ARN of the vault every recovery point is copied to, if any. */
  public readonly copyTargetVaultArn?: string;
  /** Region of the copy target, if any. */
  public readonly copyTargetRegion?: string;
  /** Whether the first rule keeps continuous backups (point-in-time restore in this Region). */
  public readonly continuousBackup: boolean;

  constructor(scope: Construct, id: string, props: ResilientBackupProps) {
    super(scope, id);

    const rules = props.rules ?? ResilientBackup.defaultRules();
    const v = new Validator(this);
    validateSelection(v, props);
    validateRules(v, rules, props.continuousBackup ?? false);
    if (props.vaultName !== undefined) validateVaultName(v, 'vaultName', props.vaultName);
    const target = props.copyTo ? validateCopyTarget(v, this, props.copyTo) : undefined;
    if (target) validateCrossAccountRds(v, this, target, props.resources ?? []);
    if (props.copyTo && BackupCopyVault.isBackupCopyVault(props.copyTo) && props.copyTo.vaultLock) validateCopiesAgainstLock(v, rules, props.copyTo.vaultLock, props.copyTo.node.path);
    v.throwIfAny();

    this.rules = rules;
    this.continuousBackup = props.continuousBackup ?? false;
    this.copyTargetVaultArn = target?.vaultArn;
    this.copyTargetRegion = target?.region;

    ({ key: this.key, vault: this.vault } = hardenedVault(this, props.vaultName, 'backups'));

    // No stack dependency on the copy vault's stack: DR strategies already make the
    // recovery stack depend on the primary (a global database secondary, a replica), and
    // the opposite dependency would be a cycle. Copy jobs only run at backup time, after
    // both stacks are deployed; the docs say to deploy the recovery stack too.
    if (!target) {
      addWarning(
        this,
        WarningId.NO_CROSS_REGION_BACKUP_COPY,
        'Backups are kept in this Region only: losing the Region loses them too. Pass copyTo (a BackupCopyVault in the recovery Region) to copy every recovery point there.',
      );
    }

    const here = Stack.of(this).account;
    if (target?.account && !Token.isUnresolved(target.account) && !Token.isUnresolved(here) && target.account !== here) {
      for (const key of [this.key, ...(props.crossAccountKeys ?? [])]) shareKeyForCopies(key, target.account);
    }
    const copyVault = target
      ? backup.BackupVault.fromBackupVaultArn(this, 'CopyTargetVault', target.vaultArn)
      : undefined;
    const continuous = props.continuousBackup ?? false;
    this.plan = new backup.BackupPlan(this, 'Plan', {
      // aws-cdk-lib would name every plan 'Plan'; plan names are per account and Region.
      backupPlanName: Names.uniqueResourceName(this, { maxLength: 50, separator: '-' }),
      backupVault: this.vault,
      backupPlanRules: rules.map(
        (rule, i) =>
          new backup.BackupPlanRule({
            ruleName: rule.name,
            scheduleExpression: rule.schedule,
            deleteAfter: rule.retention,
            moveToColdStorageAfter: rule.moveToColdStorageAfter,
            enableContinuousBackup: continuous && i === 0 ? true : undefined,
            copyActions: copyVault
              ? [
                  {
                    destinationBackupVault: copyVault,
                    deleteAfter: rule.retention,
                    moveToColdStorageAfter: rule.moveToColdStorageAfter,
                  },
                ]
              : undefined,
          }),
      ),
    });

    this.backupRole = props.backupRole ?? this.createBackupRole();
    const tagResources = Object.entries(props.tags ?? {}).map(([key, value]) => backup.BackupResource.fromTag(key, value));
    this.selection = this.plan.addSelection('Selection', {
      resources: [...(props.resources ?? []), ...tagResources],
      role: this.backupRole,
      // The role is ours (managed policies attached in createBackupRole) or the user's (used as is).
      disableDefaultBackupPolicy: true,
    });

    // Resources given with BackupResource.fromConstruct() are collected by an aspect at
    // synth time. An empty selection would make AWS Backup select every supported
    // resource in the account and Region, so refuse it once the aspect has run.
    this.node.addValidation({ validate: () => this.validateSelectionNotEmpty() });
  }

  private createBackupRole(): iam.Role {
    const role = new iam.Role(this, 'BackupRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup: back up and restore the resources of this backup plan',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
      ],
    });
    acknowledgeNagFinding(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'AWS maintains this service-role policy for AWS Backup; it tracks every resource type AWS Backup supports, which a hand-written policy would not. Only backup.amazonaws.com can assume the role.',
    );
    acknowledgeNagFinding(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      'AWS maintains this service-role policy for AWS Backup restores, so a restore in an outage does not fail on a missing permission. Only backup.amazonaws.com can assume the role.',
    );
    return role;
  }

  private validateSelectionNotEmpty(): string[] {
    const cfn = this.selection.node.defaultChild as backup.CfnBackupSelection;
    const resolved = Stack.of(this).resolve(cfn.backupSelection) as { resources?: unknown[]; listOfTags?: unknown[] };
    if ((resolved.resources ?? []).length > 0 || (resolved.listOfTags ?? []).length > 0) return [];
    const problem: ResilienceProblem = {
      code: 'BACKUP_EMPTY_SELECTION',
      prop: 'resources',
      value: [],
      message: 'the selection resolved to no resource and no tag (BackupResource.fromConstruct found nothing to back up), and an empty selection makes AWS Backup select every supported resource',
      fix: 'pass constructs that contain backup-supported resources, resource ARNs, or tags',
    };
    return [new ResilienceError(this, [problem]).message];
  }
}

/** The vault both constructs build: CMK with rotation, deny-deletion policy, retained. */
function hardenedVault(scope: Construct, vaultName: string | undefined, purpose: string, lock?: BackupVaultLock): { key: kms.Key; vault: backup.BackupVault } {
  const key = new kms.Key(scope, 'Key', {
    description: `Encrypts the recovery points of an AWS Backup vault (${purpose})`,
    enableKeyRotation: true,
    // Losing the key loses every recovery point it encrypts.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const vault = new backup.BackupVault(scope, 'Vault', {
    backupVaultName: vaultName,
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
    // Denies backup:DeleteRecoveryPoint and backup:UpdateRecoveryPointLifecycle to everyone.
    blockRecoveryPointDeletion: true,
    lockConfiguration: lock
      ? { minRetention: lock.minRetention, maxRetention: lock.maxRetention, changeableFor: lock.changeableFor ?? Duration.days(3) }
      : undefined,
  });
  // blockRecoveryPointDeletion does not cover the vault itself.
  vault.addToAccessPolicy(
    new iam.PolicyStatement({
      sid: 'DenyBackupVaultDeletion',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['backup:DeleteBackupVault'],
      resources: ['*'], // in a vault access policy, '*' means this vault
    }),
  );
  return { key, vault };
}

function validateVaultLock(v: Validator, lock: BackupVaultLock): void {
  const days = (d: Duration): number => d.toHours() / 24;
  const wholeDays = (prop: string, d: Duration | undefined, min: number): boolean =>
    d === undefined || Token.isUnresolved(d.toHours()) ||
    v.check(!Number.isInteger(days(d)) || days(d) < min || days(d) > 36500, {
      code: 'BACKUP_VAULT_LOCK',
      prop,
      value: `${days(d)} days`,
      message: `must be a whole number of days between ${min} and 36500`,
      fix: `use Duration.days(n) with ${min} <= n <= 36500`,
    });
  const ok = wholeDays('vaultLock.minRetention', lock.minRetention, 1) && wholeDays('vaultLock.maxRetention', lock.maxRetention, 1);
  wholeDays('vaultLock.changeableFor', lock.changeableFor, 3);
  if (ok && lock.maxRetention !== undefined) {
    v.check(days(lock.maxRetention) <= days(lock.minRetention), {
      code: 'BACKUP_VAULT_LOCK',
      prop: 'vaultLock.maxRetention',
      value: `${days(lock.maxRetention)} days`,
      message: `must be longer than minRetention (${days(lock.minRetention)} days)`,
      fix: 'make maxRetention longer than minRetention, or leave it out',
    });
  }
}

/** A copy outside a locked vault's retention range is refused by the vault: every rule must fit it. */
function validateCopiesAgainstLock(v: Validator, rules: readonly ResilientBackupRule[], lock: BackupVaultLock, vaultPath: string): void {
  const days = (d: Duration): number => d.toHours() / 24;
  rules.forEach((rule, i) => {
    const r = days(rule.retention);
    const tooShort = r < days(lock.minRetention);
    const tooLong = lock.maxRetention !== undefined && r > days(lock.maxRetention);
    v.check(tooShort || tooLong, {
      code: 'BACKUP_VAULT_LOCK',
      prop: `rules[${i}].retention`,
      value: `${r} days`,
      message: `copies of rule '${rule.name}' to ${vaultPath} would be refused: its Vault Lock admits ${days(lock.minRetention)}${lock.maxRetention ? `-${days(lock.maxRetention)}` : '+'} days`,
      fix: "give the rule a retention within the lock's range, or change the lock while it can still be changed",
    });
  });
}

function validateVaultName(v: Validator, prop: string, name: string): void {
  if (Token.isUnresolved(name)) return;
  v.check(!VAULT_NAME_RE.test(name), {
    code: 'BACKUP_VAULT_NAME',
    prop,
    value: name,
    message: 'is not a valid backup vault name: 2-50 letters, numbers, hyphens or underscores',
    fix: "use a name such as 'shop-dr-vault'",
  });
}

function validateSelection(v: Validator, props: ResilientBackupProps): void {
  const resources = props.resources ?? [];
  const tags = Object.entries(props.tags ?? {});
  v.check(resources.length === 0 && tags.length === 0, {
    code: 'BACKUP_NO_SELECTION',
    prop: 'resources',
    value: { resources: props.resources, tags: props.tags },
    message: 'nothing is selected for backup; an empty selection would make AWS Backup select every supported resource in the account and Region',
    fix: "pass resources (e.g. backup.BackupResource.fromRdsDatabaseCluster(cluster)), tags (e.g. { backup: 'daily' }), or both",
  });
  for (const [key, value] of tags) {
    if (Token.isUnresolved(key) || Token.isUnresolved(value)) continue;
    v.check(key.length === 0 || key.length > 128 || value.length > 256, {
      code: 'BACKUP_SELECTION_TAG',
      prop: `tags.${key}`,
      value: { [key]: value },
      message: 'is not a valid tag: keys are 1-128 characters, values at most 256',
      fix: "use a tag such as { backup: 'daily' }",
    });
  }
}

function validateRules(v: Validator, rules: ResilientBackupRule[], continuous: boolean): void {
  v.check(rules.length === 0, {
    code: 'BACKUP_NO_RULES',
    prop: 'rules',
    value: rules,
    message: 'a backup plan needs at least one rule',
    fix: 'omit rules to use ResilientBackup.defaultRules(), or give at least one rule',
  });
  const names = new Set<string>();
  for (const [i, rule] of rules.entries()) {
    const at = `rules[${i}]`;
    if (!Token.isUnresolved(rule.name)) {
      v.check(!RULE_NAME_RE.test(rule.name), {
        code: 'BACKUP_RULE_NAME',
        prop: `${at}.name`,
        value: rule.name,
        message: "is not a valid rule name: 1-50 letters, numbers, '-', '_' or '.'",
        fix: "use a name such as 'Daily'",
      });
      v.check(names.has(rule.name), {
        code: 'BACKUP_RULE_NAME',
        prop: `${at}.name`,
        value: rule.name,
        message: 'duplicate rule name',
        fix: 'give every rule a unique name',
      });
      names.add(rule.name);
    }
    validateSchedule(v, `${at}.schedule`, rule.schedule);
    const retentionDays = wholeDays(v, `${at}.retention`, rule.retention, 'BACKUP_RETENTION', 1, MAX_RETENTION_DAYS);
    const coldDays = wholeDays(v, `${at}.moveToColdStorageAfter`, rule.moveToColdStorageAfter, 'BACKUP_COLD_STORAGE', 1, MAX_RETENTION_DAYS);
    const continuousRule = continuous && i === 0;
    // On the continuous rule cold storage is not allowed at all (reported below).
    if (retentionDays !== undefined && coldDays !== undefined && !continuousRule) {
      v.check(retentionDays < coldDays + MIN_COLD_STORAGE_DAYS, {
        code: 'BACKUP_COLD_STORAGE',
        prop: `${at}.retention`,
        value: `${retentionDays} days with moveToColdStorageAfter ${coldDays} days`,
        message: `leaves less than ${MIN_COLD_STORAGE_DAYS} days in cold storage, the minimum AWS Backup requires`,
        fix: `raise retention to at least ${coldDays + MIN_COLD_STORAGE_DAYS} days, or drop moveToColdStorageAfter`,
      });
    }
    if (continuousRule) {
      if (retentionDays !== undefined) {
        v.check(retentionDays > MAX_CONTINUOUS_RETENTION_DAYS, {
          code: 'BACKUP_CONTINUOUS_RETENTION',
          prop: `${at}.retention`,
          value: `${retentionDays} days`,
          message: `is longer than the ${MAX_CONTINUOUS_RETENTION_DAYS} days continuous backup (point-in-time restore) can keep; continuousBackup applies to the first rule`,
          fix: `set the first rule's retention to at most ${MAX_CONTINUOUS_RETENTION_DAYS} days (keep longer snapshots in a later rule), or turn continuousBackup off`,
        });
      }
      v.check(rule.moveToColdStorageAfter !== undefined, {
        code: 'BACKUP_CONTINUOUS_COLD_STORAGE',
        prop: `${at}.moveToColdStorageAfter`,
        value: rule.moveToColdStorageAfter ? `${rule.moveToColdStorageAfter.toHumanString()}` : undefined,
        message: 'continuous backups cannot move to cold storage; continuousBackup applies to the first rule',
        fix: 'drop moveToColdStorageAfter from the first rule, or put the cold-storage rule after it',
      });
    }
  }
}

/** The cron expression must be one AWS Backup accepts: cron only, at most hourly. */
function validateSchedule(v: Validator, prop: string, schedule: events.Schedule): void {
  const expr = schedule.expressionString;
  if (Token.isUnresolved(expr)) return;
  const m = /^cron\((.*)\)$/.exec(expr.trim());
  if (
    !v.check(!m || m[1].trim().split(/\s+/).length !== 6, {
      code: 'BACKUP_SCHEDULE',
      prop,
      value: expr,
      message: 'is not a 6-field cron expression; AWS Backup accepts cron schedules only (no rate or at)',
      fix: "use events.Schedule.cron({ minute: '0', hour: '5' }) (daily at 05:00 UTC)",
    })
  ) {
    return;
  }
  const minute = m![1].trim().split(/\s+/)[0];
  v.check(!/^\d{1,2}$/.test(minute) || Number(minute) > 59, {
    code: 'BACKUP_SCHEDULE',
    prop,
    value: expr,
    message: `runs more than once an hour (minute field '${minute}'); AWS Backup takes snapshot backups at most hourly`,
    fix: "set a single minute, e.g. events.Schedule.cron({ minute: '0' }) for hourly; use continuousBackup for a finer RPO",
  });
}

/** Validates a whole number of days within bounds; returns the days when usable. */
function wholeDays(v: Validator, prop: string, d: Duration | undefined, code: string, min: number, max: number): number | undefined {
  if (d === undefined || d.isUnresolved()) return undefined;
  const ms = d.toMilliseconds();
  const ok = v.check(ms % DAY_MS !== 0 || ms / DAY_MS < min || ms / DAY_MS > max, {
    code,
    prop,
    value: d.toHumanString(),
    message: `must be a whole number of days between ${min} and ${max}`,
    fix: `use Duration.days(n) with ${min} <= n <= ${max}`,
  });
  return ok ? ms / DAY_MS : undefined;
}

function validateCopyTarget(
  v: Validator,
  scope: IConstruct,
  copyTo: BackupCopyVault | BackupCopyTarget,
): { vaultArn: string; region: string; account?: string } | undefined {
  const here = Stack.of(scope);
  let region: string;
  let account: string | undefined;
  if (BackupCopyVault.isBackupCopyVault(copyTo)) {
    region = copyTo.region;
    account = copyTo.account;
    if (!Token.isUnresolved(here.account) && !copyTo.admits(here.account)) {
      v.add({
        code: 'BACKUP_COPY_ACCOUNT',
        prop: 'copyTo',
        value: `${copyTo.node.path} in account ${copyTo.account}`,
        message: `the BackupCopyVault is in another account than this stack (${here.account}) and does not admit copies from it`,
        fix: `give the BackupCopyVault allowCopiesFrom: { accounts: ['${here.account}'] }, or put it in a stack of the same account`,
      });
    }
  } else {
    region = copyTo.region;
    let ok = true;
    if (!Token.isUnresolved(region)) {
      ok = v.check(!REGION_RE.test(region), {
        code: 'BACKUP_COPY_TARGET',
        prop: 'copyTo.region',
        value: region,
        message: 'is not an AWS Region code',
        fix: "use a Region such as 'us-west-2'",
      });
    }
    if (!Token.isUnresolved(copyTo.vaultArn)) {
      const m = VAULT_ARN_RE.exec(copyTo.vaultArn);
      const arnOk = v.check(!m || !REGION_RE.test(m[2]) || !/^\d{12}$/.test(m[3]) || !VAULT_NAME_RE.test(m[4]), {
        code: 'BACKUP_COPY_TARGET',
        prop: 'copyTo.vaultArn',
        value: copyTo.vaultArn,
        message: 'is not a backup vault ARN',
        fix: 'use arn:<partition>:backup:<region>:<account>:backup-vault:<name>, e.g. BackupCopyVault.vaultArn',
      });
      if (arnOk) account = m![3];
      if (arnOk && ok && !Token.isUnresolved(region)) {
        ok = v.check(m![2] !== region, {
          code: 'BACKUP_COPY_TARGET',
          prop: 'copyTo.region',
          value: region,
          message: `does not match the Region in copyTo.vaultArn (${m![2]})`,
          fix: `set copyTo.region to '${m![2]}'`,
        });
      }
      ok = ok && arnOk;
    }
    if (!ok) return undefined;
  }
  const otherAccount = account !== undefined && !Token.isUnresolved(account) && !Token.isUnresolved(here.account) && account !== here.account;
  // A copy to another account protects against a taken-over account, not a lost Region: it may
  // stay in the Region (RDS and Aurora can only copy that way, below).
  if (!otherAccount && !Token.isUnresolved(region) && !Token.isUnresolved(here.region)) {
    if (
      !v.check(region === here.region, {
        code: 'BACKUP_COPY_SAME_REGION',
        prop: 'copyTo',
        value: region,
        message: `copies to the stack's own Region ${here.region}, which does not survive the loss of that Region`,
        fix: "copy to a vault in another Region: a BackupCopyVault in the recovery Region's stack",
      })
    ) {
      return undefined;
    }
  }
  return { vaultArn: copyTo.vaultArn, region, account };
}

/**
 * Let another account's AWS Backup use a key for copies of the recovery points it encrypts:
 * decrypt, describe, and create grants for AWS resources (how AWS Backup and RDS use a key on
 * the account's behalf), as AWS Backup's cross-account copy needs.
 */
function shareKeyForCopies(key: kms.Key, account: string): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `AllowBackupCopiesTo${account}`,
      principals: [new iam.AccountPrincipal(account)],
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      resources: ['*'], // in a key policy, '*' means this key
    }),
  );
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: `AllowBackupGrantsTo${account}`,
      principals: [new iam.AccountPrincipal(account)],
      actions: ['kms:CreateGrant'],
      resources: ['*'], // in a key policy, '*' means this key
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
  );
}

/**
 * RDS, Aurora, DocumentDB and Neptune recovery points cannot be copied to another account and
 * another Region in one copy action (AWS Backup's feature availability table): refuse it at
 * synth for the resources named here (a selection by tag cannot be told apart).
 */
function validateCrossAccountRds(v: Validator, scope: IConstruct, target: { region: string; account?: string }, resources: backup.BackupResource[]): void {
  const here = Stack.of(scope);
  if (target.account === undefined || Token.isUnresolved(target.account) || Token.isUnresolved(here.account) || target.account === here.account) return;
  if (Token.isUnresolved(target.region) || Token.isUnresolved(here.region) || target.region === here.region) return;
  const rds = resources.map((r) => r.resource).filter((arn): arn is string => typeof arn === 'string' && /:rds:/.test(arn));
  v.check(rds.length > 0, {
    code: 'BACKUP_CROSS_ACCOUNT_REGION',
    prop: 'copyTo',
    value: `account ${target.account}, ${target.region}`,
    message: 'copies RDS or Aurora recovery points to another account and another Region at once, which AWS Backup does not do for those types',
    fix: `copy them to a vault of account ${target.account} in ${here.region} (same Region), and copy on from there to another Region in that account`,
  });
}

function validateCopySources(v: Validator, sources: BackupCopySources): void {
  for (const [i, a] of (sources.accounts ?? []).entries()) {
    if (Token.isUnresolved(a)) continue;
    v.check(!/^\d{12}$/.test(a), { code: 'BACKUP_COPY_SOURCES', prop: `allowCopiesFrom.accounts[${i}]`, value: a, message: 'is not a 12-digit account id', fix: "use an account id like '111111111111'" });
  }
  if (sources.organizationId !== undefined && !Token.isUnresolved(sources.organizationId)) {
    v.check(!/^o-[a-z0-9]{10,32}$/.test(sources.organizationId), { code: 'BACKUP_COPY_SOURCES', prop: 'allowCopiesFrom.organizationId', value: sources.organizationId, message: 'is not an organization id', fix: "use the id AWS Organizations shows, like 'o-a1b2c3d4e5'" });
  }
  v.check(!sources.accounts?.length && sources.organizationId === undefined, { code: 'BACKUP_COPY_SOURCES', prop: 'allowCopiesFrom', value: sources, message: 'names no account and no organization', fix: 'list accounts, or give organizationId, or drop allowCopiesFrom' });
}
