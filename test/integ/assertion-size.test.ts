/**
 * A custom resource may answer CloudFormation with at most 4,096 bytes ("Response object is too
 * long": aws/aws-cdk#22059; https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/crpg-ref-responses.html).
 * The integration tests' assertions are custom resources: each one whose API answer can be
 * large keeps one field of it (assertAtPath). Checked on the committed snapshots.
 */
import * as fs from 'fs';
import * as path from 'path';

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** Calls whose whole answer is small: a Lambda invoke (our handlers' compact answers), a handful of targets. */
const SMALL_ANSWERS = new Set(['invoke', 'describeTargetHealth']);

test("every integration assertion whose API answer can be large keeps one field of it, under CloudFormation's 4 KB", () => {
  const dir = path.join(__dirname);
  const snapshots = fs.readdirSync(dir).filter((f) => f.endsWith('.snapshot'));
  expect(snapshots.length).toBeGreaterThanOrEqual(6);
  const whole: string[] = [];
  let calls = 0;
  for (const snap of snapshots) {
    for (const f of fs.readdirSync(path.join(dir, snap)).filter((x) => x.endsWith('.template.json'))) {
      const t = JSON.parse(fs.readFileSync(path.join(dir, snap, f), 'utf8')) as { Resources?: Record<string, Resource> };
      for (const [id, r] of Object.entries(t.Resources ?? {})) {
        if (!r.Type.startsWith('Custom::DeployAssert@SdkCall')) continue;
        calls++;
        const api = String(r.Properties?.api);
        const narrowed = r.Properties?.actualPath !== undefined || (Array.isArray(r.Properties?.outputPaths) && (r.Properties!.outputPaths as unknown[]).length > 0);
        if (!narrowed && !SMALL_ANSWERS.has(api)) whole.push(`${snap}/${f}: ${id} (${api}) returns its whole answer`);
      }
    }
  }
  expect(whole).toEqual([]);
  expect(calls).toBeGreaterThan(30);
});
