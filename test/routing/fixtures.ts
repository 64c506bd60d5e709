import { WebTier } from '../../lib';
import { RECOVERY_AZS, TEST_AZS, twoRegions } from '../helpers/app';

/** An existing public zone, by id: no lookup. */
export const ZONE = { hostedZoneId: 'Z0123456789EXAMPLE', zoneName: 'example.com' };

/** Two Regions' stacks, each with a web tier to point records at. */
export function webPair() {
  const { app, primary, recovery } = twoRegions();
  const pWeb = new WebTier(primary, 'Web', { vpcProps: { availabilityZones: TEST_AZS }, capacity: { min: 2, max: 6 }, alarms: {} });
  const rWeb = new WebTier(recovery, 'Web', { vpcProps: { availabilityZones: RECOVERY_AZS }, capacity: { min: 2, max: 6 }, alarms: {} });
  return { app, primary, recovery, pWeb, rWeb };
}
