import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';

/** Props for {@link GlobalTableReplicaKey}. */
export interface GlobalTableReplicaKeyProps {
  /** The global table's name: the key's alias is `alias/<tableName>-table`, which the table names it by. */
  readonly tableName: string;
}

/**
 * The customer-managed key of one replica of a {@link GlobalTable}, in that replica's
 * Region. DynamoDB encrypts a replica with a key in the replica's Region, and the key must
 * exist before the replica is created: put it in a stack the table's stack may depend on
 * (not a stack that depends on the table's). The table names it by its alias, so no
 * cross-Region reference is needed.
 */
export class GlobalTableReplicaKey extends Construct {
  /** The key. */
  public readonly key: kms.Key;
  /** Its alias name. */
  public readonly aliasName: string;
  /** Its alias ARN, which the table uses. */
  public readonly aliasArn: string;
  /** The Region. */
  public readonly region: string;

  constructor(scope: Construct, id: string, props: GlobalTableReplicaKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = new Validator(this);
    v.check(Token.isUnresolved(stack.region) || Token.isUnresolved(stack.account), {
      code: 'GLOBAL_TABLE_KEY',
      prop: 'scope',
      value: stack.region,
      message: 'the replica key needs a stack with a literal account and Region: the table builds its alias ARN from them',
      fix: "give the stack an env: { account: '111111111111', region: 'us-west-2' }",
    });
    validateTableName(v, props.tableName);
    v.throwIfAny();
    this.region = stack.region;
    this.aliasName = replicaKeyAlias(props.tableName);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the ${props.tableName} global table's replica in ${stack.region}`,
      enableKeyRotation: true,
      alias: this.aliasName,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.aliasArn = replicaKeyAliasArn(stack.partition, stack.region, stack.account, props.tableName);
  }
}

/** The alias of a table's replica key. */
export function replicaKeyAlias(tableName: string): string {
  return `alias/${tableName}-table`;
}

/** The alias ARN of a table's replica key in a Region. */
export function replicaKeyAliasArn(partition: string, region: string, account: string, tableName: string): string {
  return `arn:${partition}:kms:${region}:${account}:${replicaKeyAlias(tableName)}`;
}

/** DynamoDB table names: 3-255 of letters, digits, `_`, `-` and `.`. */
export function validateTableName(v: Validator, tableName: string, prop = 'tableName'): void {
  v.check(!Token.isUnresolved(tableName) && !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName), {
    code: 'GLOBAL_TABLE_NAME',
    prop,
    value: tableName,
    message: 'a DynamoDB table name is 3-255 letters, digits, underscores, hyphens and dots',
    fix: "use a name like 'orders'",
  });
}
