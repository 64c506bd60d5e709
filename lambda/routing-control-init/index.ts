import * as http from 'http';
import * as https from 'https';
import { UpdateRoutingControlStatesCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { arcCluster } from '../shared/aws';

/** The custom resource's properties (RoutingControls' InitialStates resource). */
export interface InitialStatesProps {
  /** The cluster's five Regional endpoints: any one that answers takes the change. */
  readonly Endpoints: { readonly Endpoint: string; readonly Region: string }[];
  readonly States: { readonly RoutingControlArn: string; readonly RoutingControlState: 'On' | 'Off' }[];
}

/** The CloudFormation custom resource event (the fields this handler reads). */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: InitialStatesProps & { readonly ServiceToken?: string };
}

/**
 * Sets ARC routing controls to their first state when the resource is created: CloudFormation
 * creates them Off, so every record they gate would start withdrawn. On update and delete it
 * does nothing: a later deploy must never undo an operator's failover.
 */
export async function handler(event: CustomResourceEvent): Promise<void> {
  const physicalResourceId = event.PhysicalResourceId ?? `${event.LogicalResourceId}-initial-states`;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = event.RequestType === 'Create' ? 'routing controls set' : `${event.RequestType}: routing control states left as they are`;
  if (event.RequestType === 'Create') {
    try {
      reason = await setStates(event.ResourceProperties);
    } catch (e) {
      status = 'FAILED';
      reason = (e as Error).message;
    }
  }
  await respond(event.ResponseURL, {
    Status: status,
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
}

/** One atomic UpdateRoutingControlStates call, through the first of the endpoints that answers. */
async function setStates(props: InitialStatesProps): Promise<string> {
  const errors: string[] = [];
  for (const e of props.Endpoints) {
    try {
      await arcCluster(e.Region, e.Endpoint).send(new UpdateRoutingControlStatesCommand({ UpdateRoutingControlStateEntries: props.States.map((s) => ({ ...s })) }));
      return `${props.States.map((s) => `${s.RoutingControlArn.split('/').pop()} ${s.RoutingControlState}`).join(', ')} through ${e.Region}`;
    } catch (err) {
      errors.push(`${e.Region}: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
  throw new Error(`no cluster endpoint set the routing controls (${errors.join('; ')})`);
}

/** Answer CloudFormation on its pre-signed URL (a PUT with an empty content type). */
function respond(url: string, body: Record<string, string>): Promise<void> {
  const data = JSON.stringify(body);
  const u = new URL(url);
  const client = u.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = client.request(u, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(data) }, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('timeout', () => req.destroy(new Error('CloudFormation response timed out')));
    req.on('error', reject);
    req.end(data);
  });
}
