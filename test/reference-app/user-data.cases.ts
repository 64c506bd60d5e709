/**
 * The reference app's tiny application (bin/reference-user-data.ts): every web tier's launch
 * template carries it, it serves the path its target group checks, and the server itself, run
 * here with python3 on a free port, answers /health, reports its database's reachability on /,
 * and 404s the rest.
 */
import { ChildProcess, spawn } from 'child_process';
import * as http from 'http';
import * as net from 'net';
import { SERVER } from '../../bin/reference-user-data';
import { TemplateJson } from '../helpers/deploy-rules';
import { referenceApp } from '../helpers/reference';

type Json = Record<string, unknown>;

/** A CloudFormation value rendered to text, intrinsics as placeholders. */
function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(text).join('');
  const o = v as Json;
  if (o['Fn::Base64'] !== undefined) return text(o['Fn::Base64']);
  if (o['Fn::Join']) return (o['Fn::Join'] as [string, unknown[]])[1].map(text).join((o['Fn::Join'] as [string])[0]);
  return `<${JSON.stringify(o)}>`;
}

describe('reference app: the application on its web tiers', () => {
  const { assembly } = referenceApp();

  test('every target group\'s health-check path is served by the user data of the launch template in its stack', () => {
    let checked = 0;
    for (const s of assembly.stacks) {
      const res = Object.values((s.template as TemplateJson).Resources ?? {});
      const paths = res.filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup' && r.Properties?.TargetType !== 'lambda').map((r) => String(r.Properties?.HealthCheckPath ?? '/'));
      const userData = res.filter((r) => r.Type === 'AWS::EC2::LaunchTemplate').map((r) => text((r.Properties?.LaunchTemplateData as Json).UserData));
      for (const p of paths) {
        expect([s.stackName, p, userData.some((u) => u.includes('systemctl enable --now ref-app.service') && u.includes(`self.path == '${p}'`))]).toEqual([s.stackName, p, true]);
        checked++;
      }
      // The Region and this Region's database reach the service's environment.
      for (const u of userData) expect(u).toMatch(new RegExp(`Environment=APP_REGION=${s.environment.region}\\nEnvironment=APP_DATABASE=<\\{"Fn::GetAtt":\\["[A-Za-z0-9]+","Endpoint(\\.Address)?"\\]\\}>`));
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  test('every Auto Scaling group running it makes the deploy wait for its instances to answer /health (CloudFormation signals)', () => {
    // "CreationPolicy ... ResourceSignal: Count, Timeout" and "AutoScalingRollingUpdate ...
    // WaitOnResourceSignals": https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-creationpolicy.html
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatepolicy.html
    let groups = 0;
    let empty = 0;
    for (const s of assembly.stacks) {
      const res = (s.template as { Resources?: Record<string, Json & { Type: string; Properties?: Json }> }).Resources ?? {};
      for (const [id, r] of Object.entries(res)) {
        if (r.Type !== 'AWS::AutoScaling::AutoScalingGroup') continue;
        const ltId = ((r.Properties?.LaunchTemplate as Json).LaunchTemplateId as { Ref: string }).Ref;
        const userData = text((res[ltId].Properties?.LaunchTemplateData as Json).UserData);
        if (!userData.includes('ref-app.service')) continue;
        groups++;
        const lines = userData.trim().split('\n');
        // The exit status the signal reports is the last command's: the health check.
        expect([s.stackName, id, lines[lines.length - 1]]).toEqual([s.stackName, id, 'curl -fsS -o /dev/null http://127.0.0.1/health']);
        expect(userData).toContain('cfn-signal');
        expect([s.stackName, id, (r.UpdatePolicy as Json | undefined)?.AutoScalingRollingUpdate]).toEqual([s.stackName, id, expect.objectContaining({ WaitOnResourceSignals: true })]);
        const min = Number(r.Properties?.MinSize);
        if (min > 0) expect([s.stackName, id, r.CreationPolicy]).toEqual([s.stackName, id, { ResourceSignal: { Count: min, Timeout: 'PT5M' } }]);
        else {
          // A pilot light's standby starts empty: nothing to signal at creation.
          expect([s.stackName, id, r.CreationPolicy]).toEqual([s.stackName, id, undefined]);
          empty++;
        }
      }
    }
    expect(groups).toBeGreaterThanOrEqual(8);
    expect(empty).toBe(1);
  });

  describe('the server', () => {
    let server: ChildProcess;
    let port: number;
    let database: net.Server;
    const get = (path: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        }).on('error', reject);
      });
    const freePort = (): Promise<number> =>
      new Promise((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (s.address() as net.AddressInfo).port;
          s.close(() => resolve(p));
        });
      });

    beforeAll(async () => {
      database = net.createServer((c) => c.end()).listen(0, '127.0.0.1');
      await new Promise((r) => database.once('listening', r));
      port = await freePort();
      server = spawn('python3', ['-c', SERVER], {
        env: { ...process.env, APP_PORT: String(port), APP_REGION: 'us-west-2', APP_DATABASE: '127.0.0.1', APP_DATABASE_PORT: String((database.address() as net.AddressInfo).port) },
        stdio: 'ignore',
      });
      // Wait until it answers (it asks the instance metadata service for its AZ first: 1 s at most here).
      for (let i = 0; i < 100; i++) {
        try {
          await get('/health');
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      throw new Error('the reference application did not start');
    });
    afterAll(() => {
      server?.kill();
      if (database?.listening) database.close();
    });

    test('/health: 200 ok', async () => {
      expect(await get('/health')).toEqual({ status: 200, body: 'ok\n' });
    });

    test('/: the Region and whether its database accepts a connection', async () => {
      const page = await get('/');
      expect(page.status).toBe(200);
      expect(JSON.parse(page.body)).toEqual({ region: 'us-west-2', availabilityZone: 'unknown', database: '127.0.0.1', databaseReachable: true });
    });

    test('/ with the database gone: still 200 (the page reports, it does not fail), databaseReachable false', async () => {
      await new Promise((r) => database.close(r));
      const page = await get('/');
      expect([page.status, JSON.parse(page.body).databaseReachable]).toEqual([200, false]);
      expect((await get('/health')).status).toBe(200);
    });

    test('anything else: 404', async () => {
      expect((await get('/admin')).status).toBe(404);
    });
  });
});
