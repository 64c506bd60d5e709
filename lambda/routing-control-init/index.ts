import { UpdateRoutingControlStatesCommand } from '@aws-sdk/client-route53-recovery-cluster';
import { arcCluster, withTimeout } from '../shared/aws';
import { CustomResourceEvent as SharedEvent, respondToCloudFormation } from '../shared/custom-resource';

/** The custom resource's properties (RoutingControls' InitialStates resource). */
export interface InitialStatesProps {
  /** The cluster's five Regional endpoints: any one that answers takes the change. */
  readonly Endpoints: { readonly Endpoint: string; readonly Region: string }[];
  readonly States: { readonly RoutingControlArn: string; readonly RoutingControlState: 'On' | 'Off' }[];
}

/** The CloudFormation custom resource event (the fields this handler reads). */
export type CustomResourceEvent = SharedEvent<InitialStatesProps>;

/** The Lambda context (what this handler reads of it). */
export interface HandlerContext {
  getRemainingTimeInMillis(): number;
}

/** Milliseconds kept back to answer CloudFormation: a handler that never answers hangs the stack for an hour. */
const ANSWER_RESERVE_MS = 15_000;
/** One endpoint's time for the call. */
const ENDPOINT_TIMEOUT_MS = 5_000;

/**
 * Sets ARC routing controls to their first state. CloudFormation creates a control Off, so
 * every record it gates would start withdrawn. On Create: every control. On Update: only the
 * controls that are new since the last deploy (a control replaced, or a Region added: new
 * controls are always Off); a control that existed keeps the state an operator gave it, so a
 * deploy never undoes a failover. On Delete: nothing. Every path answers CloudFormation, with
 * time kept back for it.
 */
export async function handler(event: CustomResourceEvent, context?: HandlerContext): Promise<void> {
  const physicalResourceId = event.PhysicalResourceId ?? `${event.LogicalResourceId}-initial-states`;
  const deadline = Date.now() + (context ? context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS : 45_000);
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = `${event.RequestType}: routing control states left as they are`;
  const states = toSet(event);
  if (states.length > 0) {
    try {
      reason = await setStates(event.ResourceProperties.Endpoints, states, deadline);
    } catch (e) {
      status = 'FAILED';
      reason = (e as Error).message;
    }
  }
  await respondToCloudFormation(event.ResponseURL, {
    Status: status,
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
}

/** The states to set: all on Create, the new controls' on Update, none on Delete. */
function toSet(event: CustomResourceEvent): InitialStatesProps['States'] {
  if (event.RequestType === 'Create') return event.ResourceProperties.States;
  if (event.RequestType === 'Delete') return [];
  const before = new Set((event.OldResourceProperties?.States ?? []).map((s) => s.RoutingControlArn));
  return event.ResourceProperties.States.filter((s) => !before.has(s.RoutingControlArn));
}

/**
 * One atomic UpdateRoutingControlStates call, through the first of the endpoints that answers
 * (each bounded); two passes (a conflict or throttling may pass), within the deadline.
 */
async function setStates(endpoints: InitialStatesProps['Endpoints'], states: InitialStatesProps['States'], deadline: number): Promise<string> {
  const errors: string[] = [];
  for (let pass = 0; pass < 2; pass++) {
    for (const e of endpoints) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no cluster endpoint set the routing controls in time (${errors.join('; ') || 'none answered'})`);
      try {
        await cutAt(Math.min(ENDPOINT_TIMEOUT_MS, left), (abortSignal) =>
          arcCluster(e.Region, e.Endpoint).send(new UpdateRoutingControlStatesCommand({ UpdateRoutingControlStateEntries: states.map((s) => ({ ...s })) }), { abortSignal }),
        );
        return `${states.map((s) => `${s.RoutingControlArn.split('/').pop()} ${s.RoutingControlState}`).join(', ')} through ${e.Region}`;
      } catch (err) {
        errors.push(`${e.Region}: ${(err as Error).name}: ${(err as Error).message}`);
      }
    }
  }
  throw new Error(`no cluster endpoint set the routing controls (${errors.join('; ')})`);
}

/**
 * The call, aborted after `ms`, and given up on then even if it ignores the abort (an endpoint
 * that never answers must not keep CloudFormation waiting).
 */
async function cutAt<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer in ${ms} ms`), { name: 'TimeoutError' })), ms + 100);
  });
  try {
    return await Promise.race([withTimeout(ms, call), gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}

