import * as http from 'http';
import * as https from 'https';

/** What CloudFormation sends a Lambda-backed custom resource (the fields the handlers read). */
export interface CustomResourceEvent<P> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P & { readonly ServiceToken?: string };
  /** On Update: the properties before it. */
  readonly OldResourceProperties?: P;
}

/** The answer CloudFormation waits for. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

/** Answer CloudFormation on its pre-signed URL (a PUT with an empty content type), within 10 s. */
export function respondToCloudFormation(url: string, body: CustomResourceResponse): Promise<void> {
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

/** CloudFormation's response URLs are pre-signed S3 URLs: a handler calls nothing else. */
export function isCloudFormationResponseUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && /^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(u.hostname) && /(^|\.)s3[.-]/.test(u.hostname);
  } catch {
    return false;
  }
}
