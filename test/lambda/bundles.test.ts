/**
 * The Lambda bundles as they ship: every handler's bundle loads in a fresh Node.js process and
 * exports its handler; no bundle carries an SDK client its handler never calls; and an SDK
 * call made through code bundled with the same options (the SDK's ES module builds, minified)
 * signs and sends a real HTTP request and reads the answer.
 */
import { execFile, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { AddressInfo } from 'net';
import { promisify } from 'util';
import { buildSync } from 'esbuild';

const root = path.join(__dirname, '..', '..');
const bundles = path.join(root, 'build', 'lambda');
const options = JSON.parse(fs.readFileSync(path.join(root, 'scripts', 'lambda-bundle-options.json'), 'utf8'));

/** The environment of a fresh node that sends its AWS calls, signed with example keys, to a local server. */
function localAws(port: number): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    AWS_REGION: 'us-east-1',
  };
}
const handlers = fs
  .readdirSync(path.join(root, 'lambda'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'shared')
  .map((d) => d.name)
  .sort();

/** The SDK clients a handler's sources (and the shared helpers they import) construct or import commands from. */
const CLIENTS_USED: Record<string, string[]> = {
  'auto-failover-detector': ['client-cloudwatch', 'client-dynamodb'],
  drill: ['client-cloudwatch', 'client-sns'],
  'order-consumer': [],
  'replicate-key': ['client-kms'],
  'routing-control-init': ['client-route53-recovery-cluster'],
  'runbook-compute': ['client-auto-scaling', 'client-dynamodb', 'client-elastic-load-balancing-v2'],
  'runbook-database': ['client-auto-scaling', 'client-cloudwatch', 'client-dynamodb', 'client-elastic-load-balancing-v2', 'client-rds', 'client-route53-recovery-cluster', 'client-ssm'],
  'runbook-entry': ['client-auto-scaling', 'client-cloudwatch', 'client-dynamodb', 'client-elastic-load-balancing-v2', 'client-rds', 'client-route53-recovery-cluster', 'client-sfn', 'client-ssm'],
  'runbook-notify': ['client-dynamodb', 'client-rds', 'client-sns', 'client-ssm'],
  'runbook-preflight': ['client-auto-scaling', 'client-cloudwatch', 'client-dynamodb', 'client-elastic-load-balancing-v2', 'client-rds', 'client-route53-recovery-cluster', 'client-ssm'],
  'runbook-traffic': ['client-cloudwatch', 'client-dynamodb', 'client-route53-recovery-cluster', 'client-ssm'],
  'runbook-verify': ['client-auto-scaling', 'client-cloudwatch', 'client-dynamodb', 'client-elastic-load-balancing-v2', 'client-rds', 'client-route53-recovery-cluster', 'client-ssm'],
  'tenant-authorizer': ['client-dynamodb', 'client-secrets-manager'],
  'tenant-onboarding': ['client-api-gateway', 'client-dynamodb', 'client-secrets-manager', 'client-ssm'],
};

describe('Lambda bundles', () => {
  test('every handler has a minified bundle that loads in a fresh process and exports handler', () => {
    expect(Object.keys(CLIENTS_USED).sort()).toEqual(handlers);
    for (const name of handlers) {
      const file = path.join(bundles, name, 'index.js');
      const r = spawnSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(file)}).handler)`], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
      });
      expect({ name, out: r.stdout, err: r.stderr }).toEqual({ name, out: 'function', err: '' });
      // minified: no line of the bundle is indented source
      expect(fs.readFileSync(file, 'utf8').split('\n').length).toBeLessThan(200);
    }
  });

  test.each(handlers)('%s bundles only the SDK clients it calls', (name) => {
    const result = buildSync({ ...options, entryPoints: [path.join(root, 'lambda', name, 'index.ts')], write: false, metafile: true, outfile: path.join(os.tmpdir(), `${name}.js`) });
    const bytesByClient: Record<string, number> = {};
    for (const [input, v] of Object.entries(Object.values(result.metafile!.outputs)[0].inputs)) {
      const client = /@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input)?.[1];
      if (client && v.bytesInOutput > 0) bytesByClient[client] = (bytesByClient[client] ?? 0) + v.bytesInOutput;
    }
    expect(Object.keys(bytesByClient).sort()).toEqual(CLIENTS_USED[name]);
  });

  test('an SDK call through code bundled with these options signs, sends and parses a real request', async () => {
    const requests: { path: string; target: string; auth: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', target: String(req.headers['x-amz-target']), auth: String(req.headers.authorization) });
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(JSON.stringify({ Parameter: { Name: JSON.parse(body).Name, Value: 'from-the-test-server', Type: 'String' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-sdk-'));
    try {
      const entry = path.join(dir, 'entry.ts');
      fs.writeFileSync(
        entry,
        [
          `import { GetParameterCommand } from '@aws-sdk/client-ssm';`,
          `import { ssm } from ${JSON.stringify(path.join(root, 'lambda', 'shared', 'aws'))};`,
          `ssm('us-east-1').send(new GetParameterCommand({ Name: '/cdk-resilience/probe' })).then((r) => process.stdout.write(String(r.Parameter?.Value)));`,
        ].join('\n'),
      );
      const outfile = path.join(dir, 'bundle.js');
      buildSync({ ...options, entryPoints: [entry], outfile, nodePaths: [path.join(root, 'node_modules')] });
      const { stdout } = await promisify(execFile)(process.execPath, [outfile], {
        env: localAws(port),
      });
      expect(stdout).toBe('from-the-test-server');
      expect(requests).toEqual([{ path: '/', target: 'AmazonSSM.GetParameter', auth: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ssm\/aws4_request/) }]);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  test('a shipped bundle, build/lambda/drill, signs its CloudWatch calls (JSON 1.0 in query-compatible mode) to AWS_ENDPOINT_URL and parses the answers', async () => {
    const requests: { target: string; queryMode: string; auth: string; body: Record<string, unknown> }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']);
        requests.push({ target, queryMode: String(req.headers['x-amzn-query-mode']), auth: String(req.headers.authorization), body: JSON.parse(body) });
        res.setHeader('content-type', 'application/x-amz-json-1.0');
        if (target.endsWith('.GetMetricData')) {
          res.end(JSON.stringify({ MetricDataResults: [{ Id: 'hosts0', StatusCode: 'Complete', Timestamps: [1767225600], Values: [4] }] }));
        } else if (target.endsWith('.DescribeAlarms')) {
          res.end(JSON.stringify({ MetricAlarms: [{ AlarmName: 'shop-5xx', StateValue: 'ALARM' }] }));
        } else {
          res.statusCode = 400;
          res.end(JSON.stringify({ __type: 'InvalidAction', message: target }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const config = {
        name: 'shop-az',
        region: 'us-east-1',
        mode: 'experiment',
        rtoSeconds: 300,
        maxSeconds: 900,
        pollSeconds: 30,
        targetGroups: [{ targetGroup: 'targetgroup/web/1', loadBalancer: 'app/web/2' }],
        alarmNames: ['shop-5xx', 'shop-latency'],
        topicArn: 'arn:aws:sns:us-east-1:111111111111:drills',
        namespace: 'CdkResilience/Drills',
      };
      const bundle = path.join(bundles, 'drill', 'index.js');
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', `require(${JSON.stringify(bundle)}).handler({ step: 'baseline' }).then((r) => process.stdout.write(JSON.stringify(r)))`], {
        env: { ...localAws(port), AWS_MAX_ATTEMPTS: '1', DRILL_CONFIG: JSON.stringify(config) },
      });
      const baseline = JSON.parse(stdout);
      // parsed: 4 healthy hosts from GetMetricData, one alarm in ALARM, one the account does not have
      expect(baseline).toEqual(expect.objectContaining({ healthyHosts: 4, alarmsNotOk: { 'shop-5xx': 'ALARM', 'shop-latency': 'MISSING' }, steady: false }));
      expect(requests.map((r) => [r.target, r.queryMode])).toEqual([
        ['GraniteServiceVersion20100801.GetMetricData', 'true'],
        ['GraniteServiceVersion20100801.DescribeAlarms', 'true'],
      ]);
      for (const r of requests) expect(r.auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/monitoring\/aws4_request/);
      expect(requests[1].body).toEqual({ AlarmNames: ['shop-5xx', 'shop-latency'] });
    } finally {
      server.close();
    }
  });
});
