/**
 * Assertions that stay under CloudFormation's 4,096-byte limit for a custom resource's answer
 * ("Response object is too long": aws/aws-cdk#22059): each API call returns one field of the
 * response (`assertAtPath`), never the whole of it. The first field is waited for; the others
 * are read once it holds.
 */
import { Duration } from 'aws-cdk-lib';
import { ExpectedResult, IApiCall, IntegTest } from '@aws-cdk/integ-tests-alpha';

/** One field of an AWS API answer, by its flattened path (`DBClusters.0.Status`), and what it must be. */
export type FieldAssertions = ReadonlyArray<readonly [path: string, expected: ExpectedResult]>;

/**
 * Call `service.api` once per field, each keeping only that field. The first call waits (up to
 * `totalTimeout`) until its field holds; the rest depend on it.
 */
export function assertAtPaths(integ: IntegTest, service: string, api: string, parameters: Record<string, unknown>, fields: FieldAssertions, wait: { readonly totalTimeout: Duration; readonly interval: Duration }): IApiCall[] {
  const [[firstPath, firstExpected], ...rest] = fields;
  const first = integ.assertions.awsApiCall(service, api, parameters).assertAtPath(firstPath, firstExpected).waitForAssertions(wait);
  return [
    first,
    ...rest.map(([path, expected]) => {
      const call = integ.assertions.awsApiCall(service, api, parameters).assertAtPath(path, expected);
      call.node.addDependency(first);
      return call;
    }),
  ];
}
