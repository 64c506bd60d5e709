import { ActiveActive, AWS_SLAS, DatabaseEngine, estimateAvailability, PilotLight, WarmStandby } from '../../lib';
import { strategyProps } from '../dr/stacks';
import { newApp } from '../helpers/app';

describe('availability model', () => {
  test('hand-computed: warm standby on Aurora = 1 x 0.9999 x 0.9999 x 0.9999 = 0.99970003 (about 13 min a month)', () => {
    const e = estimateAvailability(new WarmStandby(newApp(), 'Ws', strategyProps('ws')));
    expect(e.formula).toBe('A = A_route53 x A_ec2 x A_alb x A_db');
    expect(e.availability).toBeCloseTo(0.99970003, 8);
    expect(e.downtimeMinutesPerMonth).toBeCloseTo(12.96, 1);
    expect(e.terms).toContain(AWS_SLAS.auroraMultiAz);
  });

  test('hand-computed: active-active = (1 - (1 - 0.9999 x 0.9999)^2) x 0.9999 = 0.99989996', () => {
    const e = estimateAvailability(new ActiveActive(newApp(), 'Aa', strategyProps('aa')));
    expect(e.formula).toBe('A = A_route53 x (1 - (1 - A_ec2,1 x A_alb) x (1 - A_ec2,2 x A_alb)) x A_db');
    // Each Region's tier spans 3 AZs with one to spare: min(1 - 3 x 0.005^2, 0.9999) = 0.9999.
    expect(e.terms.filter((t) => t.service.startsWith('EC2 web tier')).map((t) => t.availability)).toEqual([0.9999, 0.9999]);
    expect(e.availability).toBeCloseTo(0.99989996, 8);
  });

  test('an RDS Multi-AZ instance brings the RDS SLA: 0.9999 x 0.9999 x 0.9995 = 0.99930011', () => {
    const e = estimateAvailability(new PilotLight(newApp(), 'Pl', strategyProps('pl', { database: { engine: DatabaseEngine.postgres('16.4') } })));
    expect(e.availability).toBeCloseTo(0.99930011, 8);
    expect(e.terms).toContain(AWS_SLAS.rdsMultiAz);
  });
});
