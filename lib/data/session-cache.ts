import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { ReplicatedSecretKey } from '../core/replicated-secret-key';
import { Construct } from 'constructs';
import { AWS_FIGURES, RecoveryFigure } from '../core/aws-figures';
import { acknowledgeNagFinding } from '../core/nag';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';
import {
  acknowledgeCacheDefaultPort,
  buildCacheAlarms,
  CACHE_DEFAULT_PORT,
  type CacheEndpoint,
  cachePhysicalId,
  createCacheKey,
  createCacheSecurityGroup,
  createCacheSubnetGroup,
  placeNodes,
  type SessionCacheAlarms,
  type SessionCacheAlarmThresholds,
  validateCacheAzs,
} from './session-cache-common';
import { SessionCacheSecondary, type SessionCacheSecondaryOptions } from './session-cache-secondary';
import { addStackDependency } from '../core/stack-dependency';

export type { CacheEndpoint } from './session-cache-common';

/** The cache engine. */
export enum CacheEngine {
  /** Valkey (7.2 and later), the default. */
  VALKEY = 'valkey',
  /** Redis OSS. */
  REDIS = 'redis',
}

/** How clients authenticate. */
export enum CacheAuthMode {
  /**
   * Role-based access control: a user (password in Secrets Manager) in a user group, and
   * the mandatory `default` user replaced by one that is switched off. Valkey 7.2+ or
   * Redis OSS 6.0+. Not for global datastores (AWS documents AUTH for them).
   */
  RBAC = 'rbac',
  /** One AUTH token (password) for every client, from Secrets Manager. Works with global datastores. */
  AUTH_TOKEN = 'auth-token',
}

/** Authentication of a {@link SessionCache}. */
export interface SessionCacheAuth {
  /**
   * RBAC (a user group) or a single AUTH token.
   * @default CacheAuthMode.RBAC
   */
  readonly mode?: CacheAuthMode;
  /**
   * RBAC only: the user name clients log in with (`AUTH <username> <password>`).
   * @default 'sessions'
   */
  readonly username?: string;
  /**
   * RBAC only: the user's access string. It must switch the user `on`, and may hold no
   * passwords (`>...`, `#...`) nor `reset`.
   * @default 'on ~* +@all -@dangerous'
   */
  readonly accessString?: string;
}

/** Props for {@link SessionCache}. */
export interface SessionCacheProps {
  /** The VPC; the cache goes into its isolated subnets only. */
  readonly vpc: ec2.IVpc;
  /**
   * AZs to use, a subset of the VPC's isolated-subnet AZs (at least 2).
   * @default - every AZ of the VPC's isolated subnets
   */
  readonly availabilityZones?: string[];
  /**
   * Engine.
   * @default CacheEngine.VALKEY
   */
  readonly engine?: CacheEngine;
  /**
   * Engine version: Valkey `major.minor` (7.2 or later); Redis OSS `major.minor` from 6
   * (or `6.x`), `x.y.z` below (3.2.6, 4.x, 5.x: the versions with encryption in transit).
   * @default '8.1' for Valkey, '7.1' for Redis OSS
   */
  readonly engineVersion?: string;
  /**
   * Node type, e.g. `cache.r7g.large`.
   * @default 'cache.r7g.large' (memory-optimized, Graviton; global datastores accept it)
   */
  readonly nodeType?: string;
  /**
   * Number of shards (node groups). More than one enables cluster mode.
   * @default 1
   */
  readonly shards?: number;
  /**
   * Cluster mode (clients must speak the cluster protocol). Implied by `shards` > 1; set it
   * to true to start with one shard and reshard online later.
   * @default - enabled when shards > 1, disabled otherwise
   */
  readonly clusterMode?: boolean;
  /**
   * Replicas per shard, 1-5. Each goes to another AZ than its shard's primary.
   * @default 2
   */
  readonly replicasPerShard?: number;
  /**
   * Port.
   * @default 6379
   */
  readonly port?: number;
  /**
   * Peers allowed to connect on the cache port. More can be added later with
   * `cache.allowConnectionsFrom(...)`.
   * @default - nobody
   */
  readonly allowFrom?: ec2.IConnectable[];
  /**
   * Authentication.
   * @default - RBAC with a generated password
   */
  readonly auth?: SessionCacheAuth;
  /**
   * Customer-managed key for storage, snapshots and the secrets.
   * @default - a new key with rotation on, retained on delete
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Automatic snapshot retention, 1-35 whole days.
   * @default Duration.days(7)
   */
  readonly snapshotRetention?: Duration;
  /**
   * Daily snapshot window, UTC, `hh24:mi-hh24:mi`, at least 60 minutes.
   * @default '03:00-04:00'
   */
  readonly snapshotWindow?: string;
  /**
   * Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 60 minutes.
   * @default 'sun:05:00-sun:06:00'
   */
  readonly maintenanceWindow?: string;
  /**
   * Physical id of the replication group: 1-40 lowercase letters, digits or hyphens,
   * starting with a letter, no `--`, not ending with `-`.
   * @default - generated by CloudFormation
   */
  readonly replicationGroupId?: string;
  /**
   * Suffix of the global datastore id (ElastiCache adds a Region prefix), used only if
   * `addSecondary` is called. It also names the SSM parameter that publishes the id:
   * `/cdk-resilience/session-cache/<suffix>/global-replication-group-id`.
   * @default - derived from the construct path
   */
  readonly globalDatastoreIdSuffix?: string;
  /**
   * What happens to the replication group when it leaves the stack.
   * @default RemovalPolicy.SNAPSHOT
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Topic the alarms notify (on ALARM and OK).
   * @default - no action (the construct warns)
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Alarm thresholds.
   * @default - engine CPU 90%, memory 80%, any eviction, replica lag 5 s
   */
  readonly alarms?: SessionCacheAlarmThresholds;
}

/** The sourced recovery figures of a session cache (kept in lib/core/aws-figures.ts). */
export const SESSION_CACHE_FIGURES = {
  elasticacheMultiAzFailover: AWS_FIGURES.elasticacheMultiAzFailover,
  elasticacheGlobalReplicationLag: AWS_FIGURES.elasticacheGlobalReplicationLag,
  elasticacheGlobalPromotion: AWS_FIGURES.elasticacheGlobalPromotion,
} as const;

/** Node families a global datastore runs on (size large and above). */
export const GLOBAL_DATASTORE_NODE_FAMILIES = ['m5', 'm6g', 'm7g', 'r5', 'r6g', 'r6gd', 'r7g', 'c7gn'] as const;

const DEFAULT_NODE_TYPE = 'cache.r7g.large';
const DEFAULT_ACCESS_STRING = 'on ~* +@all -@dangerous';
const DEFAULT_USERNAME = 'sessions';
const LOCKED_DEFAULT_USER_ACCESS = 'off -@all';
const MAX_SECONDARY_REGIONS = 2;

/**
 * Sessions that survive the loss of a node and of an AZ, and, with `addSecondary`, of a
 * Region: an ElastiCache (Valkey by default, or Redis OSS) replication group with Multi-AZ
 * and automatic failover always on, 1-5 replicas per shard each placed in another AZ than
 * its primary, cluster mode as an option, encryption in transit and at rest with a
 * customer-managed key, RBAC (or an AUTH token) with the password in Secrets Manager and
 * only a dynamic reference in the template, isolated subnets, a closed security group,
 * 7-day snapshots, and alarms on engine CPU, memory, evictions and replication lag.
 */
export class SessionCache extends Construct implements ec2.IConnectable {
  /** The replication group (aws-cdk-lib has only the L1). */
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** Its id (the physical id, or a token when CloudFormation names it). */
  public readonly replicationGroupId: string;
  /** Engine. */
  public readonly engine: CacheEngine;
  /** Engine version. */
  public readonly engineVersion: string;
  /** Node type. */
  public readonly nodeType: string;
  /** Number of shards. */
  public readonly shards: number;
  /** Replicas per shard. */
  public readonly replicasPerShard: number;
  /** Whether cluster mode is enabled. */
  public readonly clusterMode: boolean;
  /** Authentication mode. */
  public readonly authMode: CacheAuthMode;
  /**
   * Where clients connect: the primary endpoint (cluster mode disabled) or the
   * configuration endpoint (cluster mode enabled).
   */
  public readonly endpoint: CacheEndpoint;
  /** The reader endpoint, spread over the replicas (cluster mode disabled only). */
  public readonly readerEndpoint?: CacheEndpoint;
  /** Port. */
  public readonly port: number;
  /**
   * The credentials clients use, JSON: `{"username", "password"}` with RBAC,
   * `{"password"}` (the AUTH token) otherwise.
   */
  public readonly secret: secretsmanager.Secret;
  /** RBAC: the application user. */
  public readonly user?: elasticache.CfnUser;
  /** RBAC: the replacement `default` user, switched off. */
  public readonly defaultUser?: elasticache.CfnUser;
  /** RBAC: the secret of the replacement `default` user (never used to log in). */
  public readonly defaultUserSecret?: secretsmanager.Secret;
  /** RBAC: the user group. */
  public readonly userGroup?: elasticache.CfnUserGroup;
  /** The KMS key of storage, snapshots and secrets. */
  public readonly encryptionKey: kms.IKey;
  private secretReplicaKey?: ReplicatedSecretKey;
  /** Security group. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Network connections on the cache port. */
  public readonly connections: ec2.Connections;
  /** Subnet group (isolated subnets). */
  public readonly subnetGroup: elasticache.CfnSubnetGroup;
  /** Parameter group (cluster mode only: `cluster-enabled yes`). */
  public readonly parameterGroup?: elasticache.CfnParameterGroup;
  /** The AZs the nodes are placed in (empty when ElastiCache chooses). */
  public readonly availabilityZones: string[];
  /** Alarms, one per shard and concern. */
  public readonly alarms: SessionCacheAlarms;
  /** The in-Region failover figure, with its source. */
  public readonly failover: RecoveryFigure = SESSION_CACHE_FIGURES.elasticacheMultiAzFailover;
  /** The secondary Regions added so far. */
  public readonly secondaries: SessionCacheSecondary[] = [];

  private readonly props: SessionCacheProps;
  private readonly parsedVersion?: EngineVersion;
  private readonly snapshotRetentionDays: number;
  private readonly snapshotWindow: string;
  private readonly maintenanceWindow: string;
  private readonly removalPolicy: RemovalPolicy;
  private globalDatastore?: elasticache.CfnGlobalReplicationGroup;
  private globalIdParameter?: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: SessionCacheProps) {
    super(scope, id);

    const v = new Validator(this);
    const azs = validateCacheAzs(v, props.vpc, props.availabilityZones);
    this.parsedVersion = validateProps(v, props);
    v.throwIfAny();

    this.props = props;
    this.engine = props.engine ?? CacheEngine.VALKEY;
    this.engineVersion = props.engineVersion ?? defaultEngineVersion(this.engine);
    this.nodeType = props.nodeType ?? DEFAULT_NODE_TYPE;
    this.shards = props.shards ?? 1;
    this.clusterMode = props.clusterMode ?? this.shards > 1;
    this.replicasPerShard = props.replicasPerShard ?? 2;
    this.port = props.port ?? CACHE_DEFAULT_PORT;
    this.authMode = props.auth?.mode ?? CacheAuthMode.RBAC;
    this.availabilityZones = azs;
    this.snapshotRetentionDays = (props.snapshotRetention ?? Duration.days(7)).toDays();
    this.snapshotWindow = props.snapshotWindow ?? '03:00-04:00';
    this.maintenanceWindow = props.maintenanceWindow ?? 'sun:05:00-sun:06:00';
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.SNAPSHOT;

    this.encryptionKey = props.encryptionKey ?? createCacheKey(this, `Session cache ${this.node.path}: storage, snapshots, secrets`);
    this.securityGroup = createCacheSecurityGroup(this, props.vpc);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });
    for (const peer of props.allowFrom ?? []) this.connections.allowDefaultPortFrom(peer);
    this.subnetGroup = createCacheSubnetGroup(this, props.vpc, props.availabilityZones);

    if (this.clusterMode) {
      this.parameterGroup = new elasticache.CfnParameterGroup(this, 'ParameterGroup', {
        cacheParameterGroupFamily: parameterGroupFamily(this.engine, this.parsedVersion!),
        description: `Session cache ${this.node.path}: cluster mode enabled`,
        properties: { 'cluster-enabled': 'yes' },
      });
    }

    // Credentials: generated into Secrets Manager, only dynamic references in the template.
    // Letters and digits only: valid for AUTH tokens and RBAC passwords alike (16-128 characters).
    const rbac = this.authMode === CacheAuthMode.RBAC;
    const username = props.auth?.username ?? DEFAULT_USERNAME;
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: rbac ? `Session cache ${this.node.path}: credentials of user ${username}` : `Session cache ${this.node.path}: AUTH token`,
      encryptionKey: this.encryptionKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(rbac ? { username } : {}),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 64,
      },
    });
    acknowledgeSecretRotation(this.secret);
    const password = this.secret.secretValueFromJson('password').unsafeUnwrap();

    let auth: { authToken?: string; userGroupIds?: string[] };
    if (rbac) {
      const engine = this.engine;
      this.user = new elasticache.CfnUser(this, 'User', {
        engine,
        userId: cachePhysicalId(this, 'user'),
        userName: username,
        accessString: props.auth?.accessString ?? DEFAULT_ACCESS_STRING,
        authenticationMode: { Type: 'password', Passwords: [password] },
      });
      // Every user group must hold a user named `default`; this one is switched off. Valkey
      // user groups accept only users that authenticate, so it gets an unused password.
      this.defaultUserSecret = new secretsmanager.Secret(this, 'DefaultUserSecret', {
        description: `Session cache ${this.node.path}: password of the disabled default user (never used)`,
        encryptionKey: this.encryptionKey,
        generateSecretString: { secretStringTemplate: JSON.stringify({ username: 'default' }), generateStringKey: 'password', excludePunctuation: true, passwordLength: 64 },
      });
      acknowledgeSecretRotation(this.defaultUserSecret);
      this.defaultUser = new elasticache.CfnUser(this, 'DefaultUser', {
        engine,
        userId: cachePhysicalId(this, 'default'),
        userName: 'default',
        accessString: LOCKED_DEFAULT_USER_ACCESS,
        authenticationMode: { Type: 'password', Passwords: [this.defaultUserSecret.secretValueFromJson('password').unsafeUnwrap()] },
      });
      this.userGroup = new elasticache.CfnUserGroup(this, 'UserGroup', {
        engine,
        userGroupId: cachePhysicalId(this, 'users'),
        userIds: [this.defaultUser.userId, this.user.userId],
      });
      this.userGroup.addDependency(this.user);
      this.userGroup.addDependency(this.defaultUser);
      auth = { userGroupIds: [this.userGroup.userGroupId] };
    } else {
      auth = { authToken: password };
    }

    const placement = placeNodes(azs, this.shards, this.replicasPerShard);
    const topology: Partial<elasticache.CfnReplicationGroupProps> = this.clusterMode
      ? {
          numNodeGroups: this.shards,
          replicasPerNodeGroup: this.replicasPerShard,
          nodeGroupConfiguration: placement?.map((p, i) => ({
            nodeGroupId: String(i + 1).padStart(4, '0'),
            primaryAvailabilityZone: p.primary,
            replicaAvailabilityZones: p.replicas,
            replicaCount: this.replicasPerShard,
          })),
        }
      : {
          numCacheClusters: this.replicasPerShard + 1,
          preferredCacheClusterAZs: placement ? [placement[0].primary, ...placement[0].replicas] : undefined,
        };

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: `Session cache ${this.node.path}`,
      replicationGroupId: props.replicationGroupId,
      engine: this.engine,
      engineVersion: this.engineVersion,
      cacheNodeType: this.nodeType,
      cacheParameterGroupName: this.parameterGroup?.ref,
      ...topology,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      dataTieringEnabled: nodeFamily(this.nodeType) === 'r6gd' ? true : undefined,
      atRestEncryptionEnabled: true,
      kmsKeyId: this.encryptionKey.keyArn,
      transitEncryptionEnabled: true,
      ...auth,
      cacheSubnetGroupName: this.subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      port: this.port,
      snapshotRetentionLimit: this.snapshotRetentionDays,
      snapshotWindow: this.snapshotWindow,
      preferredMaintenanceWindow: this.maintenanceWindow,
      autoMinorVersionUpgrade: true,
    });
    this.replicationGroup.applyRemovalPolicy(this.removalPolicy);
    if (this.userGroup) this.replicationGroup.addDependency(this.userGroup);
    if (this.clusterMode) {
      // Changing the shard count reshards online instead of replacing the cache.
      this.replicationGroup.cfnOptions.updatePolicy = { useOnlineResharding: true };
    }
    this.replicationGroupId = props.replicationGroupId ?? this.replicationGroup.ref;

    if (this.clusterMode) {
      this.endpoint = { hostname: this.replicationGroup.attrConfigurationEndPointAddress, port: this.port };
    } else {
      this.endpoint = { hostname: this.replicationGroup.attrPrimaryEndPointAddress, port: this.port };
      this.readerEndpoint = { hostname: this.replicationGroup.attrReaderEndPointAddress, port: this.port };
    }

    if (rbac) {
      acknowledgeNagFinding(
        this.replicationGroup,
        'AwsSolutions-AEC6',
        'Clients authenticate with RBAC (a user group with a Secrets Manager password, the default user switched off) instead of an AUTH token; ElastiCache refuses a user group together with an AUTH token.',
      );
    }
    if (this.engine === CacheEngine.REDIS && this.port === CACHE_DEFAULT_PORT) acknowledgeCacheDefaultPort(this.replicationGroup);

    this.alarms = buildCacheAlarms(this, {
      replicationGroupId: this.replicationGroupId,
      clusterMode: this.clusterMode,
      shards: this.shards,
      nodesPerShard: this.replicasPerShard + 1,
      thresholds: props.alarms,
      topic: props.alarmTopic,
      label: `Session cache ${this.node.path}`,
    });
    if (!props.alarmTopic) {
      addWarning(this, WarningId.ALARMS_WITHOUT_ACTIONS, "The session cache's alarms notify nobody: pass alarmTopic.");
    }
  }

  /** Allow a peer to connect on the cache port. */
  public allowConnectionsFrom(peer: ec2.IConnectable): void {
    this.connections.allowDefaultPortFrom(peer);
  }

  /** The global datastore (created by the first `addSecondary`). */
  public get globalReplicationGroup(): elasticache.CfnGlobalReplicationGroup | undefined {
    return this.globalDatastore;
  }

  /** The SSM parameter (primary Region) that publishes the global datastore id. */
  public get globalReplicationGroupIdParameter(): ssm.StringParameter | undefined {
    return this.globalIdParameter;
  }

  /** Suffix of the global datastore id. */
  public get globalDatastoreIdSuffix(): string {
    return this.props.globalDatastoreIdSuffix ?? cachePhysicalId(this, '', 30);
  }

  /** Name of the SSM parameter that publishes the global datastore id (deterministic). */
  public get globalIdParameterName(): string {
    return `/cdk-resilience/session-cache/${this.globalDatastoreIdSuffix}/global-replication-group-id`;
  }

  /** Name of the AUTH token secret once a secondary exists (deterministic, replicated). */
  public get authTokenSecretName(): string {
    return `cdk-resilience/session-cache/${this.globalDatastoreIdSuffix}/auth-token`;
  }

  /** The cross-Region recovery figures of a global datastore, with their sources. */
  public get globalFigures(): { replicationLag: RecoveryFigure; promotion: RecoveryFigure } {
    return { replicationLag: SESSION_CACHE_FIGURES.elasticacheGlobalReplicationLag, promotion: SESSION_CACHE_FIGURES.elasticacheGlobalPromotion };
  }

  /**
   * Make this cache the primary of a global datastore and add a secondary Region: a
   * replication group in `scope`'s stack (another Region, same account) that joins it. The
   * global datastore and the SSM parameter publishing its id are created in this stack;
   * that stack is made to depend on this one. At most two secondary Regions.
   */
  public addSecondary(scope: Construct, id: string, options: SessionCacheSecondaryOptions): SessionCacheSecondary {
    const primaryStack = Stack.of(this);
    const stack = Stack.of(scope);
    const v = new Validator(this);
    const prefix = `addSecondary(${id})`;
    const envOf = (s: Stack): boolean => !Token.isUnresolved(s.region) && !Token.isUnresolved(s.account);
    v.check(!envOf(primaryStack), {
      code: 'CACHE_SECONDARY_ENV',
      prop: 'scope',
      value: primaryStack.node.path,
      message: "the primary's stack has no concrete account and Region, which the SSM parameter ARN and the global datastore need",
      fix: 'give the stack an env with account and region',
    });
    if (!envOf(stack)) {
      v.add({
        code: 'CACHE_SECONDARY_ENV',
        prop: `${prefix}.scope`,
        value: stack.node.path,
        message: "the secondary's stack has no concrete account and Region",
        fix: 'give the stack an env with account and region',
      });
    } else if (envOf(primaryStack)) {
      v.check(stack.region === primaryStack.region, {
        code: 'CACHE_SECONDARY_REGION',
        prop: `${prefix}.scope`,
        value: stack.region,
        message: 'a secondary in the primary Region is not disaster recovery: a global datastore replicates to other Regions',
        fix: `put the secondary in a stack of another Region than ${primaryStack.region}`,
      });
      v.check(this.secondaries.some((s) => s.region === stack.region), {
        code: 'CACHE_SECONDARY_REGION',
        prop: `${prefix}.scope`,
        value: stack.region,
        message: 'the global datastore already has a secondary in this Region',
        fix: 'add one secondary per Region',
      });
      v.check(this.secondaries.length >= MAX_SECONDARY_REGIONS, {
        code: 'CACHE_SECONDARY_REGION',
        prop: `${prefix}.scope`,
        value: [...this.secondaries.map((s) => s.region), stack.region],
        message: `a global datastore replicates to at most ${MAX_SECONDARY_REGIONS} secondary Regions`,
        fix: 'keep at most two secondaries',
      });
      v.check(stack.account !== primaryStack.account, {
        code: 'CACHE_SECONDARY_ACCOUNT',
        prop: `${prefix}.scope`,
        value: stack.account,
        message: `a global datastore spans Regions of one account, and the primary is in ${primaryStack.account}`,
        fix: "put the secondary's stack in the primary's account",
      });
    }
    v.check(this.authMode !== CacheAuthMode.AUTH_TOKEN, {
      code: 'CACHE_GLOBAL_AUTH',
      prop: 'auth.mode',
      value: this.authMode,
      message: 'AWS documents global datastores with encryption at rest, in transit and AUTH; RBAC user groups are not among them',
      fix: 'set auth: { mode: CacheAuthMode.AUTH_TOKEN } on the primary SessionCache',
    });
    const family = nodeFamily(this.nodeType);
    const size = this.nodeType.split('.')[2] ?? '';
    v.check(!(GLOBAL_DATASTORE_NODE_FAMILIES as readonly string[]).includes(family) || !/^(\d*x)?large$/.test(size), {
      code: 'CACHE_GLOBAL_NODE_TYPE',
      prop: 'nodeType',
      value: this.nodeType,
      message: `global datastores run on ${GLOBAL_DATASTORE_NODE_FAMILIES.join(', ')} nodes of size large and above`,
      fix: "use e.g. nodeType: 'cache.r7g.large'",
    });
    const version = this.parsedVersion;
    if (version && this.engine === CacheEngine.REDIS) {
      v.check(compareVersion(version, { major: 5, minor: 0, patch: 6 }) < 0, {
        code: 'CACHE_GLOBAL_ENGINE_VERSION',
        prop: 'engineVersion',
        value: this.engineVersion,
        message: 'global datastores need Redis OSS 5.0.6 or later (or Valkey)',
        fix: "upgrade, e.g. engineVersion: '7.1', or use CacheEngine.VALKEY",
      });
    }
    if (options.replicasPerShard !== undefined) {
      v.integer(`${prefix}.replicasPerShard`, options.replicasPerShard, {
        code: 'CACHE_REPLICAS',
        min: 1,
        max: 5,
        fix: 'use 1-5 replicas per shard: at least one in another AZ, at most 5 (ElastiCache)',
      });
    }
    validateCacheAzs(v, options.vpc, options.availabilityZones, `${prefix}.`);
    v.duration(`${prefix}.globalReplicationLagThreshold`, options.globalReplicationLagThreshold, { code: 'CACHE_ALARM', minSeconds: 1 });
    validateAlarms(v, options.alarms, `${prefix}.alarms.`);
    v.throwIfAny();

    const suffix = this.globalDatastoreIdSuffix;
    if (!this.globalDatastore) {
      this.globalDatastore = new elasticache.CfnGlobalReplicationGroup(this, 'GlobalDatastore', {
        globalReplicationGroupIdSuffix: suffix,
        globalReplicationGroupDescription: `Session cache ${this.node.path}: global datastore`,
        // A global datastore is created with its primary only; secondaries join it by id.
        members: [{ replicationGroupId: this.replicationGroup.ref, replicationGroupRegion: primaryStack.region, role: 'PRIMARY' }],
        automaticFailoverEnabled: true,
      });
      this.globalIdParameter = new ssm.StringParameter(this, 'GlobalIdParameter', {
        parameterName: this.globalIdParameterName,
        stringValue: this.globalDatastore.attrGlobalReplicationGroupId,
        description: `Global datastore id of session cache ${this.node.path}, read by its secondary Regions`,
      });
      // The AUTH token must resolve by name in every Region: fix the name, then replicate.
      (this.secret.node.defaultChild as secretsmanager.CfnSecret).name = this.authTokenSecretName;
    }
    // The replica under a customer-managed key there: the replica of a multi-Region key made
    // here first (the cache's own key is single-Region).
    this.secretReplicaKey ??= new ReplicatedSecretKey(this, 'SecretReplicaKey', { description: `Replicas of the AUTH token secret of session cache ${this.node.path}` });
    this.secret.addReplicaRegion(stack.region, this.secretReplicaKey.keyIn(stack.region));
    this.secret.node.addDependency(...this.secretReplicaKey.dependable([stack.region]));

    const secondary = new SessionCacheSecondary(scope, id, {
      ...options,
      alarms: options.alarms ?? this.props.alarms,
      primaryRegion: primaryStack.region,
      globalIdParameterName: this.globalIdParameterName,
      clusterMode: this.clusterMode,
      shards: this.shards,
      port: this.port,
      authTokenSecretName: this.authTokenSecretName,
      snapshotRetentionDays: this.snapshotRetentionDays,
      snapshotWindow: this.snapshotWindow,
      maintenanceWindow: this.maintenanceWindow,
      removalPolicy: this.removalPolicy,
      replicas: options.replicasPerShard ?? this.replicasPerShard,
    });
    addStackDependency(stack, primaryStack, `the session cache secondary joins the global datastore ${suffix} created there and reads its id from SSM`);
    this.secondaries.push(secondary);
    return secondary;
  }
}

/** A parsed engine version. */
interface EngineVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

function defaultEngineVersion(engine: CacheEngine): string {
  return engine === CacheEngine.VALKEY ? '8.1' : '7.1';
}

function compareVersion(a: EngineVersion, b: EngineVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Parse a version the cache can run with encryption in transit and at rest: Valkey 7.2+
 * (`major.minor`); Redis OSS 3.2.6 or 4.x+ (`x.y.z` below 6, `major.minor` or `6.x` from 6).
 * Source: CloudFormation TransitEncryptionEnabled / AtRestEncryptionEnabled of
 * AWS::ElastiCache::ReplicationGroup.
 */
function parseEngineVersion(engine: CacheEngine, version: string): EngineVersion | undefined {
  if (engine === CacheEngine.VALKEY) {
    const m = /^(\d+)\.(\d+)$/.exec(version);
    if (!m) return undefined;
    const [major, minor] = [Number(m[1]), Number(m[2])];
    return major > 7 || (major === 7 && minor === 2) ? { major, minor, patch: 0 } : undefined;
  }
  if (version === '6.x') return { major: 6, minor: 2, patch: 0 };
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  if (!m) return undefined;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  if (major >= 6) return m[3] === undefined ? { major, minor, patch: 0 } : undefined;
  if (m[3] === undefined) return undefined;
  const patch = Number(m[3]);
  return major >= 4 || (major === 3 && minor === 2 && patch === 6) ? { major, minor, patch } : undefined;
}

/** The parameter group family of a version: valkey7, valkey8, redis7, redis6.x, redis5.0, redis4.0, redis3.2. */
function parameterGroupFamily(engine: CacheEngine, v: EngineVersion): string {
  if (engine === CacheEngine.VALKEY) return `valkey${v.major}`;
  if (v.major >= 7) return `redis${v.major}`;
  if (v.major === 6) return 'redis6.x';
  return `redis${v.major}.${v.minor}`;
}

/** The family of a node type: `cache.r7g.large` -> `r7g`. */
function nodeFamily(nodeType: string): string {
  return nodeType.split('.')[1] ?? '';
}

const HHMM = '([01]\\d|2[0-3]):([0-5]\\d)';
const DAY = '(sun|mon|tue|wed|thu|fri|sat)';
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Minutes of a daily `hh24:mi-hh24:mi` window (wrapping midnight), or undefined if malformed. */
function dailyWindowMinutes(window: string): number | undefined {
  const m = new RegExp(`^${HHMM}-${HHMM}$`).exec(window);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return (end - start + 1440) % 1440;
}

/** Minutes of a weekly `ddd:hh24:mi-ddd:hh24:mi` window (wrapping the week), or undefined if malformed. */
function weeklyWindowMinutes(window: string): number | undefined {
  const m = new RegExp(`^${DAY}:${HHMM}-${DAY}:${HHMM}$`).exec(window.toLowerCase());
  if (!m) return undefined;
  const start = DAYS.indexOf(m[1]) * 1440 + Number(m[2]) * 60 + Number(m[3]);
  const end = DAYS.indexOf(m[4]) * 1440 + Number(m[5]) * 60 + Number(m[6]);
  return (end - start + 10080) % 10080;
}

function validateAlarms(v: Validator, t: SessionCacheAlarmThresholds | undefined, prefix: string): void {
  if (!t) return;
  for (const [key, value] of [['engineCpuPercent', t.engineCpuPercent], ['memoryPercent', t.memoryPercent]] as const) {
    if (value === undefined || Token.isUnresolved(value)) continue;
    v.check(!(value > 0 && value <= 100), {
      code: 'CACHE_ALARM',
      prop: `${prefix}${key}`,
      value,
      message: 'is a percentage: it must be above 0 and at most 100',
      fix: `set ${prefix}${key} between 1 and 100`,
    });
  }
  v.integer(`${prefix}evictionsPerMinute`, t.evictionsPerMinute, { code: 'CACHE_ALARM', min: 0 });
  v.duration(`${prefix}replicationLag`, t.replicationLag, { code: 'CACHE_ALARM', minSeconds: 1 });
}

/** Validate every prop; returns the parsed engine version when it is valid. */
function validateProps(v: Validator, props: SessionCacheProps): EngineVersion | undefined {
  const engine = props.engine ?? CacheEngine.VALKEY;
  const version = props.engineVersion ?? defaultEngineVersion(engine);
  let parsed: EngineVersion | undefined;
  if (!Token.isUnresolved(version)) {
    parsed = parseEngineVersion(engine, version);
    v.check(parsed === undefined, {
      code: 'CACHE_ENGINE_VERSION',
      prop: 'engineVersion',
      value: version,
      message:
        engine === CacheEngine.VALKEY
          ? 'must be a Valkey version 7.2 or later, as major.minor (7.2, 8.0, 8.1, ...)'
          : 'must be a Redis OSS version with encryption in transit: 3.2.6 or 4.x+ (x.y.z below 6; major.minor or 6.x from 6)',
      fix: engine === CacheEngine.VALKEY ? "use e.g. engineVersion: '8.1'" : "use e.g. engineVersion: '7.1'",
    });
  }

  const clusterModeWanted = props.clusterMode ?? (props.shards ?? 1) > 1;
  v.check(Token.isUnresolved(version) && clusterModeWanted, {
    code: 'CACHE_ENGINE_VERSION',
    prop: 'engineVersion',
    value: 'an unresolved token',
    message: 'cluster mode needs a literal version to choose the parameter group family (valkey8, redis7, ...)',
    fix: "pass the version as a literal string, e.g. engineVersion: '8.1'",
  });

  const mode = props.auth?.mode ?? CacheAuthMode.RBAC;
  if (mode === CacheAuthMode.RBAC) {
    if (parsed && engine === CacheEngine.REDIS) {
      v.check(parsed.major < 6, {
        code: 'CACHE_AUTH',
        prop: 'auth.mode',
        value: `RBAC with Redis OSS ${version}`,
        message: 'RBAC (user groups) needs Valkey 7.2+ or Redis OSS 6.0+',
        fix: "upgrade engineVersion to '6.2' or later, or use auth: { mode: CacheAuthMode.AUTH_TOKEN }",
      });
    }
    const username = props.auth?.username;
    if (username !== undefined && !Token.isUnresolved(username)) {
      v.check(!/^\S+$/.test(username) || username === 'default', {
        code: 'CACHE_USERNAME',
        prop: 'auth.username',
        value: username,
        message: "must be a non-empty name without spaces, and not 'default' (the library replaces that user with a disabled one)",
        fix: "use e.g. 'sessions'",
      });
    }
    const access = props.auth?.accessString;
    if (access !== undefined && !Token.isUnresolved(access)) {
      const words = access.trim().split(/\s+/);
      v.check(!words.includes('on') || words.some((w) => /^[<>#!]/.test(w)) || words.includes('reset') || words.includes('nopass'), {
        code: 'CACHE_ACCESS_STRING',
        prop: 'auth.accessString',
        value: access,
        message: "must switch the user 'on' and hold no passwords (>, <, #, !), 'nopass' nor 'reset': ElastiCache sets passwords itself",
        fix: `use e.g. '${DEFAULT_ACCESS_STRING}'`,
      });
    }
  } else {
    v.check(props.auth?.username !== undefined || props.auth?.accessString !== undefined, {
      code: 'CACHE_AUTH',
      prop: 'auth',
      value: { username: props.auth?.username, accessString: props.auth?.accessString },
      message: 'username and accessString are RBAC settings; an AUTH token has neither',
      fix: 'drop username and accessString, or use mode: CacheAuthMode.RBAC',
    });
  }

  const nodeType = props.nodeType ?? DEFAULT_NODE_TYPE;
  const shards = props.shards ?? 1;
  const clusterMode = props.clusterMode ?? shards > 1;
  if (!Token.isUnresolved(nodeType)) {
    const family = nodeFamily(nodeType);
    v.check(!/^cache\.[a-z0-9]+\.[a-z0-9]+$/.test(nodeType) || family === 't1' || (family === 't2' && !clusterMode), {
      code: 'CACHE_NODE_TYPE',
      prop: 'nodeType',
      value: nodeType,
      message: "must be 'cache.<family>.<size>' of a family that supports Multi-AZ with automatic failover (not t1; t2 only with cluster mode)",
      fix: `use e.g. nodeType: '${DEFAULT_NODE_TYPE}'`,
    });
  }

  const replicasOk = v.integer('replicasPerShard', props.replicasPerShard, {
    code: 'CACHE_REPLICAS',
    min: 1,
    max: 5,
    fix: 'use 1-5 replicas per shard: at least one, in another AZ than its primary, for automatic failover; at most 5 (ElastiCache)',
  });
  const shardsOk = v.integer('shards', props.shards, { code: 'CACHE_SHARDS', min: 1, max: 500, fix: 'use 1-500 shards' });
  v.check(props.clusterMode === false && props.shards !== undefined && !Token.isUnresolved(props.shards) && props.shards > 1, {
    code: 'CACHE_SHARDS',
    prop: 'shards',
    value: props.shards,
    message: 'more than one shard needs cluster mode',
    fix: 'set clusterMode: true (or drop it), or use shards: 1',
  });
  const replicas = props.replicasPerShard ?? 2;
  if ((shardsOk || props.shards === undefined) && (replicasOk || props.replicasPerShard === undefined) && !Token.isUnresolved(replicas)) {
    v.check(shards * (replicas + 1) > 500, {
      code: 'CACHE_SHARDS',
      prop: 'shards',
      value: `${shards} shards x ${replicas + 1} nodes`,
      message: 'a replication group has at most 500 nodes',
      fix: 'use fewer shards or replicas',
    });
  }
  v.integer('port', props.port, { code: 'CACHE_PORT', min: 1, max: 65535 });

  v.duration('snapshotRetention', props.snapshotRetention, {
    code: 'CACHE_SNAPSHOT_RETENTION',
    minSeconds: Duration.days(1).toSeconds(),
    maxSeconds: Duration.days(35).toSeconds(),
    fix: 'set snapshotRetention between Duration.days(1) and Duration.days(35); use AWS Backup for longer retention',
  });
  if (props.snapshotRetention !== undefined && !props.snapshotRetention.isUnresolved()) {
    const days = props.snapshotRetention.toMilliseconds() / 86_400_000;
    v.check(!Number.isInteger(days), {
      code: 'CACHE_SNAPSHOT_RETENTION',
      prop: 'snapshotRetention',
      value: `${days} days`,
      message: 'ElastiCache keeps snapshots for whole days',
      fix: 'use Duration.days(n) with a whole n',
    });
  }
  if (props.snapshotWindow !== undefined && !Token.isUnresolved(props.snapshotWindow)) {
    const minutes = dailyWindowMinutes(props.snapshotWindow);
    v.check(minutes === undefined || minutes < 60, {
      code: 'CACHE_SNAPSHOT_WINDOW',
      prop: 'snapshotWindow',
      value: props.snapshotWindow,
      message: 'must be hh24:mi-hh24:mi (UTC) and at least 60 minutes long',
      fix: "use e.g. '03:00-04:00'",
    });
  }
  if (props.maintenanceWindow !== undefined && !Token.isUnresolved(props.maintenanceWindow)) {
    const minutes = weeklyWindowMinutes(props.maintenanceWindow);
    v.check(minutes === undefined || minutes < 60, {
      code: 'CACHE_MAINTENANCE_WINDOW',
      prop: 'maintenanceWindow',
      value: props.maintenanceWindow,
      message: 'must be ddd:hh24:mi-ddd:hh24:mi (UTC, ddd one of sun-sat) and at least 60 minutes long',
      fix: "use e.g. 'sun:05:00-sun:06:00'",
    });
  }
  if (props.replicationGroupId !== undefined && !Token.isUnresolved(props.replicationGroupId)) {
    const rgId = props.replicationGroupId;
    v.check(!/^[a-z][a-z0-9-]{0,39}$/.test(rgId) || rgId.includes('--') || rgId.endsWith('-'), {
      code: 'CACHE_REPLICATION_GROUP_ID',
      prop: 'replicationGroupId',
      value: rgId,
      message: 'must be 1-40 lowercase letters, digits or hyphens, start with a letter, and contain no "--" nor end with "-" (ElastiCache stores it in lowercase)',
      fix: "use an id like 'shop-sessions'",
    });
  }
  if (props.globalDatastoreIdSuffix !== undefined && !Token.isUnresolved(props.globalDatastoreIdSuffix)) {
    const s = props.globalDatastoreIdSuffix;
    v.check(!/^[a-z][a-z0-9-]{0,39}$/.test(s) || s.includes('--') || s.endsWith('-'), {
      code: 'CACHE_GLOBAL_SUFFIX',
      prop: 'globalDatastoreIdSuffix',
      value: s,
      message: 'must be 1-40 lowercase letters, digits or hyphens, start with a letter, and contain no "--" nor end with "-" (it also names an SSM parameter)',
      fix: "use a suffix like 'shop-sessions'",
    });
  }
  validateAlarms(v, props.alarms, 'alarms.');
  return parsed;
}

/** Acknowledge cdk-nag's SMG4 (no rotation) on one cache secret, with the reason. */
function acknowledgeSecretRotation(secret: secretsmanager.Secret): void {
  acknowledgeNagFinding(
    secret,
    'AwsSolutions-SMG4',
    'ElastiCache reads this password through a CloudFormation dynamic reference and aws-cdk-lib has no ElastiCache rotation application; rotating it outside CloudFormation would lock clients out. Rotate by a stack update.',
  );
}
