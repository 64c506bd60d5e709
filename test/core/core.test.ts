import * as fs from 'fs';
import * as path from 'path';
import { Annotations as CoreAnnotations, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { cidrsOverlap, parseCidr } from '../../lib/core/cidr';
import { bundledLambdaCode, lambdaBuildDir, missingBundleMessage } from '../../lib/core/lambda-code';
import { ResilienceError, renderValue, Validator, WarningId, warningId } from '../../lib';
import { addWarning } from '../../lib/core/warnings';
import { newStack } from '../helpers/app';

describe('ResilienceError', () => {
  test('names the construct path, code, prop, bad value and fix', () => {
    const stack = newStack();
    const err = new ResilienceError(stack, [
      { code: 'X_BAD', prop: 'a.b', value: 1, message: 'must be 2', fix: 'set a.b to 2' },
    ]);
    expect(err.message).toBe('cdk-resilience: invalid props for Test (1 problem):\n  - [X_BAD] a.b: must be 2 (got: 1). Fix: set a.b to 2');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ResilienceError');
    expect(err.constructPath).toBe('Test');
    expect(err.codes).toEqual(['X_BAD']);
  });

  test.each([
    [undefined, 'undefined'],
    ['x', '"x"'],
    [3, '3'],
    [null, 'null'],
    [['a', 'b'], '["a","b"]'],
    [{ a: 1 }, '{"a":1}'],
    ['y'.repeat(300), expect.stringMatching(/^"y+\.\.\.$/)],
  ])('renders %p as %p', (value, expected) => {
    const text = renderValue(value);
    expect(text).toEqual(expected);
    expect(text.length).toBeLessThanOrEqual(200);
  });
});

describe('Validator', () => {
  test('collects all problems and throws them together', () => {
    const v = new Validator(newStack());
    v.integer('n', 0, { code: 'N', min: 1 });
    v.integer('m', 2.5, { code: 'M' });
    v.duration('d', Duration.seconds(1), { code: 'D', minSeconds: 5 });
    expect(v.hasProblems).toBe(true);
    expect(() => v.throwIfAny()).toThrow(ResilienceError);
    try {
      v.throwIfAny();
    } catch (e) {
      expect((e as ResilienceError).codes).toEqual(['N', 'M', 'D']);
    }
  });

  test('passes valid values and skips unresolved tokens and undefined', () => {
    const v = new Validator(newStack());
    expect(v.integer('n', 5, { code: 'N', min: 1, max: 10 })).toBe(true);
    expect(v.integer('n', Lazy.number({ produce: () => 0 }), { code: 'N', min: 1 })).toBe(false);
    expect(v.integer('n', undefined, { code: 'N', min: 1 })).toBe(false);
    expect(v.duration('d', Duration.millis(500), { code: 'D', minSeconds: 0.1 })).toBe(true);
    expect(v.duration('d', Duration.seconds(Token.asNumber(Lazy.number({ produce: () => 1 }))), { code: 'D', minSeconds: 5 })).toBe(false);
    expect(v.hasProblems).toBe(false);
    expect(() => v.throwIfAny()).not.toThrow();
  });
});

describe('CIDR helpers', () => {
  test.each([
    ['10.0.0.0/16', 16, 65536],
    ['192.168.1.0/24', 24, 256],
    ['0.0.0.0/0', 0, 2 ** 32],
  ])('parses %s', (text, prefix, size) => {
    expect(parseCidr(text)).toMatchObject({ prefix, size });
  });

  test.each(['10.0.0.1/16', '10.0.0/16', '256.0.0.0/8', '10.0.0.0/33', 'banana', ''])('rejects %p', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  test('detects overlap', () => {
    const a = parseCidr('10.0.0.0/16')!;
    expect(cidrsOverlap(a, parseCidr('10.0.255.0/24')!)).toBe(true);
    expect(cidrsOverlap(parseCidr('10.0.255.0/24')!, a)).toBe(true);
    expect(cidrsOverlap(a, parseCidr('10.1.0.0/16')!)).toBe(false);
    expect(cidrsOverlap(parseCidr('0.0.0.0/0')!, a)).toBe(true);
  });
});

describe('warnings', () => {
  test('are annotations with a stable, acknowledgeable id', () => {
    const stack = new Stack();
    addWarning(stack, WarningId.SHARED_NAT_GATEWAY, 'shared');
    // the acknowledgment hint once: aws-cdk-lib appends it, the message must not repeat it
    Annotations.fromStack(stack).hasWarning('/Default', Match.stringLikeRegexp('^shared \\[ack: cdk-resilience:SharedNatGateway\\]$'));
    expect(warningId(WarningId.TWO_AZS_ONLY)).toBe('cdk-resilience:TwoAzsOnly');
  });

  test('can be acknowledged by their id', () => {
    const stack = new Stack();
    addWarning(stack, WarningId.SHARED_NAT_GATEWAY, 'shared');
    CoreAnnotations.of(stack).acknowledgeWarning(warningId(WarningId.SHARED_NAT_GATEWAY), 'dev account, cost matters more');
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('bundled Lambda code', () => {
  test('the build folder is build/lambda at the package root', () => {
    expect(lambdaBuildDir()).toBe(path.join(__dirname, '..', '..', 'build', 'lambda'));
  });

  test('a missing bundle is a clear error naming the fix', () => {
    expect(() => bundledLambdaCode('no-such-handler')).toThrow(/bundle 'no-such-handler' is missing .* In a checkout of cdk-resilience, run `npm run build:lambdas`/);
  });

  test('inside node_modules the package is broken: the message says reinstall, never npm run build:lambdas', () => {
    const message = missingBundleMessage('drill', path.join('/app', 'node_modules', 'cdk-resilience', 'build', 'lambda', 'drill'));
    expect(message).toMatch(/installed package is incomplete.*reinstall it/);
    expect(message).not.toContain('build:lambdas');
  });

  test('an existing bundle becomes an asset', () => {
    const dir = path.join(lambdaBuildDir(), '__test-fixture');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => 1;');
    try {
      const code = bundledLambdaCode('__test-fixture');
      const config = code.bind(newStack());
      expect(config.s3Location?.objectKey).toMatch(/^[0-9a-f]{64}\.zip$/);
      expect(config.inlineCode).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
