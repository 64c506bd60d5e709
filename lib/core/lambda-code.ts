import * as fs from 'fs';
import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The folder that holds the esbuild bundles of `lambda/<name>/index.ts`
 * (`build/lambda/<name>/index.js`), produced once by `npm run build:lambdas`.
 * Found by walking up from this file to the package root, so it works from `lib/`
 * (ts, tests and the reference app) and from `dist/lib/` (the compiled package).
 */
export function lambdaBuildDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'cdk-resilience') {
      return path.join(dir, 'build', 'lambda');
    }
    dir = path.dirname(dir);
  }
  throw new Error('cdk-resilience: cannot find the package root to locate build/lambda');
}

/**
 * `Code.fromAsset` for a pre-bundled handler. Fails with a clear message when the
 * bundle is missing instead of shipping an empty asset.
 *
 * @param name the handler folder name under `lambda/`
 */
export function bundledLambdaCode(name: string): lambda.Code {
  const dir = path.join(lambdaBuildDir(), name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) throw new Error(missingBundleMessage(name, dir));
  return lambda.Code.fromAsset(dir);
}

/**
 * What to do about a missing bundle: an installed package ships every bundle, so inside
 * node_modules it is broken (reinstall it); in a checkout the bundles are built.
 * @internal
 */
export function missingBundleMessage(name: string, dir: string): string {
  const what = `cdk-resilience: the Lambda bundle '${name}' is missing at ${dir}.`;
  if (dir.split(path.sep).includes('node_modules')) {
    return `${what} The installed package is incomplete (it ships every bundle in build/lambda): reinstall it (delete node_modules/cdk-resilience and run npm install; a git dependency builds them in its prepare script, so it needs devDependencies and scripts enabled).`;
  }
  return `${what} In a checkout of cdk-resilience, run \`npm run build:lambdas\` (npm test and cdk synth run it for you).`;
}

/**
 * A function running one of the prebuilt bundles: its own role (no managed policy) and log group
 * (one year, retained), arm64, Node 24. @internal
 */
export function bundledFunction(scope: Construct, id: string, bundle: string, description: string, environment: Record<string, string>, timeout = Duration.seconds(30)): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description });
  logGroup.grantWrite(role);
  return new lambda.Function(scope, id, {
    description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    handler: 'index.handler',
    code: bundledLambdaCode(bundle),
    role,
    logGroup,
    timeout,
    memorySize: 256,
    environment,
  });
}
