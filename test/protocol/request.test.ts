import { execFileSync } from 'child_process';
import { asRequest, consentsToDataLoss, consentsToDetach, REQUEST_FIELDS, rerunRequestId, shellQuote, validateRequest } from '../../protocol';
import { testConfig } from '../dr/fixtures';

const config = testConfig({});
const valid = { action: 'failover', mode: 'unplanned', allowDataLoss: true, requestId: 'inc-1', reason: 'us-east-1 outage' };
const problems = (r: unknown): string[] => validateRequest(r, config).map((p) => `${p.field}: ${p.message}`);

describe('runbook requests', () => {
  test('a valid request has no problem, and asRequest keeps only its fields', () => {
    expect(problems(valid)).toEqual([]);
    expect(asRequest({ ...valid, allowDetach: true, requestedBy: 'arn:aws:sts::111111111111:assumed-role/oncall/ana' })).toEqual({
      ...valid,
      allowDetach: true,
      requestedBy: 'arn:aws:sts::111111111111:assumed-role/oncall/ana',
    });
    expect(REQUEST_FIELDS).toEqual(['action', 'mode', 'allowDataLoss', 'allowDetach', 'requestId', 'reason', 'requestedBy']);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown field', { ...valid, force: true }, /^force: is not a field of a runbook request/],
    ['allowDetach not a boolean', { ...valid, allowDetach: 'yes' }, /^allowDetach: must be true or false \(got: "yes"\)/],
    ['requestedBy with a quote', { ...valid, requestedBy: "ana'; rm -rf /" }, /^requestedBy: must be an ARN or a name/],
    ['requestedBy too long', { ...valid, requestedBy: 'a'.repeat(2049) }, /^requestedBy: must be an ARN or a name of at most 2048/],
    ['a requestId of 81 characters', { ...valid, requestId: 'a'.repeat(81) }, /^requestId: must be 1-80/],
  ])('refuses %s', (_name, request, message) => {
    expect(problems(request).join('\n')).toMatch(message);
  });

  test('a requestId of exactly 80 characters and a requestedBy of exactly 2048 are valid (the limits themselves)', () => {
    expect(problems({ ...valid, requestId: 'a'.repeat(80), requestedBy: 'a'.repeat(2048) })).toEqual([]);
  });

  test('consent to data loss is an unplanned request with allowDataLoss: true, nothing else', () => {
    expect(consentsToDataLoss(valid as never)).toBe(true);
    expect(consentsToDataLoss({ ...valid, mode: 'planned' } as never)).toBe(false);
    expect(consentsToDataLoss({ ...valid, allowDataLoss: undefined } as never)).toBe(false);
    expect(consentsToDataLoss({ action: 'failover' } as never)).toBe(false);
    expect(consentsToDataLoss(undefined)).toBe(false);
    expect(consentsToDetach({ ...valid, allowDetach: true } as never)).toBe(true);
    expect(consentsToDetach(valid as never)).toBe(false);
  });

  test.each(["it's down", 'a $(reboot) `and` "quotes" \\ back', "''", 'line\nbreak', '{"json":"yes"}'])('shellQuote survives a real shell: %j', (value) => {
    expect(execFileSync('sh', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8' })).toBe(value);
  });

  test.each<[string, unknown, string[]]>([
    ['null', null, ['(request): must be a JSON object']],
    ['a string', 'failover', ['(request): must be a JSON object']],
    ['an unknown action', { ...valid, action: 'promote' }, ['action: must be failover, failback or plan (got: "promote")']],
    [
      'the other direction',
      { ...valid, action: 'failback' },
      ['action: this runbook moves the workload to us-west-2 (failover); for failback invoke the runbook in us-east-1'],
    ],
    ['an unknown mode', { ...valid, mode: 'fast' }, ['mode: must be planned or unplanned (got: "fast")']],
    ['allowDataLoss not a boolean', { ...valid, allowDataLoss: 'true' }, ['allowDataLoss: must be true or false (got: "true")', expect.stringMatching(/^allowDataLoss: an unplanned failover/) as never]],
    [
      'an unplanned failover without allowDataLoss',
      { ...valid, allowDataLoss: undefined },
      ['allowDataLoss: an unplanned failover can lose the replication lag; set allowDataLoss: true to accept it, or use mode planned while the primary is healthy'],
    ],
    ['an unplanned failover with allowDataLoss: false', { ...valid, allowDataLoss: false }, [expect.stringMatching(/^allowDataLoss: an unplanned failover can lose/) as never]],
    ['no requestId', { ...valid, requestId: undefined }, ['requestId: must be 1-80 letters, digits, hyphens or underscores (got: undefined)']],
    ['a requestId that is not a string', { ...valid, requestId: 7 }, ['requestId: must be 1-80 letters, digits, hyphens or underscores (got: 7)']],
    ['a requestId with a space', { ...valid, requestId: 'inc 1' }, ['requestId: must be 1-80 letters, digits, hyphens or underscores (got: "inc 1")']],
    ['no reason', { ...valid, reason: undefined }, ['reason: must be a non-empty string of at most 1000 characters']],
    ['a blank reason', { ...valid, reason: '   ' }, ['reason: must be a non-empty string of at most 1000 characters']],
    ['a reason of 1001 characters', { ...valid, reason: 'r'.repeat(1001) }, ['reason: must be a non-empty string of at most 1000 characters']],
    ['requestedBy not a string', { ...valid, requestedBy: 42 }, ['requestedBy: must be an ARN or a name of at most 2048 printable characters (got: 42)']],
    ['an unknown field', { ...valid, force: true }, ['force: is not a field of a runbook request (fields: action, mode, allowDataLoss, allowDetach, requestId, reason, requestedBy)']],
  ])('refuses %s with exactly its problems', (_name, request, expected) => {
    expect(problems(request)).toEqual(expected);
  });

  test.each<[string, Record<string, unknown>]>([
    ['a reason of exactly 1000 characters (the limit)', { ...valid, reason: 'r'.repeat(1000) }],
    ['a planned failover without allowDataLoss', { ...valid, mode: 'planned', allowDataLoss: undefined }],
    ['a plan of an unplanned failover without allowDataLoss', { ...valid, action: 'plan', allowDataLoss: undefined }],
    ['allowDataLoss: false on a planned failover', { ...valid, mode: 'planned', allowDataLoss: false }],
    ['a reason with spaces around it', { ...valid, reason: '  outage  ' }],
  ])('accepts %s', (_name, request) => {
    expect(problems(request)).toEqual([]);
  });

  test('consent to two writers needs a request that says allowDetach: true', () => {
    expect(consentsToDetach(undefined)).toBe(false);
    expect(consentsToDetach({ ...valid, allowDetach: false } as never)).toBe(false);
  });

  test('a re-run request id counts up and stays within 80 characters', () => {
    // Only a trailing -rerun<N> counts.
    expect(rerunRequestId('inc-rerunway')).toBe('inc-rerunway-rerun');
    expect(rerunRequestId('inc-1')).toBe('inc-1-rerun');
    expect(rerunRequestId('inc-1-rerun')).toBe('inc-1-rerun2');
    expect(rerunRequestId('inc-1-rerun2')).toBe('inc-1-rerun3');
    const long = rerunRequestId('a'.repeat(80));
    expect(long).toHaveLength(80);
    expect(long).toMatch(/-rerun$/);
    expect(problems({ ...valid, requestId: long })).toEqual([]);
  });
});
