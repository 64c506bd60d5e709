/**
 * The disk cache of synthesized runbook definitions (definitions.ts) must give what synthesis
 * gives, and must not serve a definition made from other protocol values (a mutant of the
 * retry lists, under mutation testing, changes no file's text).
 */
import { TRANSIENT_ERRORS } from '../../protocol';
import { cachedRunbook } from './definitions';
import { testConfig } from './fixtures';
import { localRunbook } from './harness';
import { testRunbook } from './stacks';

type Def = { States: Record<string, { Retry?: { ErrorEquals: string[] }[]; Branches?: Def[] }> };
const retried = (d: Def): string[] => Object.values(d.States).flatMap((s) => [...(s.Retry ?? []).flatMap((r) => r.ErrorEquals), ...(s.Branches ?? []).flatMap(retried)]);

test('a cached runbook is the synthesized one (definition and timeouts), read again from disk', () => {
  const config = testConfig({ strategy: 'pilot-light', database: 'replica', direction: 'failback' });
  const fresh = localRunbook(testRunbook(config).runbook);
  expect(cachedRunbook(config)).toEqual(fresh);
  expect(cachedRunbook(config)).toEqual(fresh);
  expect(fresh.timeouts.database).toBeGreaterThan(0);
});

test('other retried errors (as a mutant of protocol/errors.ts makes them) get a definition synthesized with them, not the cached one', () => {
  const config = testConfig({ strategy: 'warm-standby' });
  const before = retried(cachedRunbook(config).definition as Def);
  expect(before).toEqual(expect.arrayContaining([...TRANSIENT_ERRORS]));
  expect(before).not.toContain('Planted.Transient');
  jest.isolateModules(() => {
    jest.doMock('../../protocol/errors', () => {
      const real = jest.requireActual('../../protocol/errors');
      return { ...real, TRANSIENT_ERRORS: [...real.TRANSIENT_ERRORS, 'Planted.Transient'] };
    });
    const planted = (require('./definitions') as typeof import('./definitions')).cachedRunbook(config);
    expect(retried(planted.definition as Def)).toContain('Planted.Transient');
  });
  expect(retried(cachedRunbook(config).definition as Def)).toEqual(before);
});
