import * as fs from 'fs';
import * as path from 'path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { eventLines, progressFromHistory, renderFrame, screenRows, StepSpec } from '../../cli/progress';

const fixture = (name: string): HistoryEvent[] =>
  (JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as { events: (HistoryEvent & { timestamp: string })[] }).events.map((e) => ({ ...e, timestamp: new Date(e.timestamp) }));

const STEPS: StepSpec[] = [
  { name: 'Preflight' },
  { name: 'ReconcileDatabase', doneWhen: 'DatabaseResult' },
  { name: 'ReconcileCompute', doneWhen: 'ComputeResult' },
  { name: 'ShiftTraffic' },
  { name: 'WaitForTraffic' },
  { name: 'Verify' },
  { name: 'Notify' },
];
const T0 = Date.parse('2026-11-22T03:00:00Z');
const at = (s: number): Date => new Date(T0 + s * 1000);

describe('progress from a recorded execution history', () => {
  const all = fixture('failover-succeeded.json');

  test('mid-run, in a terminal: the frame shows each step, the bar and the elapsed total against the RTO', () => {
    // Events up to the database loop's second pass (35 s in), rendered at 40 s.
    const model = progressFromHistory(all.slice(0, 14), STEPS);
    expect(renderFrame('shop failover to us-west-2', model, at(40), 600, false)).toBe(
      [
        'shop failover to us-west-2  elapsed 40s / RTO 10m 00s',
        `[████${'░'.repeat(26)}] 1/7 steps`,
        '  ✔ Preflight          succeeded 3s',
        '  ▸ ReconcileDatabase  running   37s',
        '  ▸ ReconcileCompute   running   37s',
        '  · ShiftTraffic       pending',
        '  · WaitForTraffic     pending',
        '  · Verify             pending',
        '  · Notify             pending',
      ].join('\n'),
    );
  });

  test('the loops count as one step each, done when their result state is entered', () => {
    const model = progressFromHistory(all, STEPS);
    expect(model.status).toBe('SUCCEEDED');
    expect(model.steps.map((s) => [s.name, s.state, (s.endedAt!.getTime() - s.startedAt!.getTime()) / 1000])).toEqual([
      ['Preflight', 'succeeded', 3],
      ['ReconcileDatabase', 'succeeded', 61],
      ['ReconcileCompute', 'succeeded', 180],
      ['ShiftTraffic', 'succeeded', 2],
      ['WaitForTraffic', 'succeeded', 30],
      ['Verify', 'succeeded', 4],
      ['Notify', 'succeeded', 1],
    ]);
    expect(renderFrame('x', model, at(999), 600, false).split('\n').slice(0, 2)).toEqual(['x  elapsed 3m 41s / RTO 10m 00s  SUCCEEDED', `[${'█'.repeat(30)}] 7/7 steps`]);
  });

  test('past the RTO the elapsed total is flagged (red in colour)', () => {
    const model = progressFromHistory(all.slice(0, 14), STEPS);
    expect(renderFrame('x', model, at(700), 600, true)).toContain('\u001b[31melapsed 11m 40s / RTO 10m 00s');
  });

  test('not in a terminal: one line per step event, in order, then the outcome against the RTO', () => {
    const snapshots = [8, 16, 22, all.length].map((n) => progressFromHistory(all.slice(0, n), STEPS));
    const lines = snapshots.flatMap((m, i) => eventLines(snapshots[i - 1], m, 600));
    expect(lines).toEqual([
      '+0s Preflight started (step 1/7)',
      '+3s Preflight succeeded in 3s',
      '+3s ReconcileDatabase started (step 2/7)',
      '+3s ReconcileCompute started (step 3/7)',
      '+1m 04s ReconcileDatabase succeeded in 1m 01s',
      '+3m 03s ReconcileCompute succeeded in 3m 00s',
      '+3m 04s ShiftTraffic started (step 4/7)',
      '+3m 06s ShiftTraffic succeeded in 2s',
      '+3m 06s WaitForTraffic started (step 5/7)',
      '+3m 36s WaitForTraffic succeeded in 30s',
      '+3m 36s Verify started (step 6/7)',
      '+3m 40s Verify succeeded in 4s',
      '+3m 40s Notify started (step 7/7)',
      '+3m 41s Notify succeeded in 1s',
      '+3m 41s execution SUCCEEDED after 3m 41s (RTO 10m 00s: met)',
    ]);
  });

  test('a failed run: the failing step, the steps never reached, and the error', () => {
    const model = progressFromHistory(fixture('failover-failed.json'), STEPS);
    expect(model.status).toBe('FAILED');
    expect(model.steps.map((s) => s.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'failed', 'pending', 'pending', 'pending']);
    const frame = renderFrame('shop failover to us-west-2', model, at(999), 600, false);
    expect(frame).toContain('  ✘ ShiftTraffic       failed    6s');
    expect(frame).toContain('  last error: RunbookFailed: ShiftTraffic failed');
    expect(eventLines(undefined, model, 600).slice(-2)).toEqual(['+3m 10s ShiftTraffic failed in 6s', '+3m 11s execution FAILED after 3m 11s (RTO 10m 00s: met): RunbookFailed: ShiftTraffic failed']);
  });

  test('in a Parallel, a failure belongs to the state its event chain starts from, and a retried success clears it', () => {
    const t = (sec: number): Date => at(sec);
    const events: HistoryEvent[] = [
      { id: 1, type: 'ExecutionStarted', timestamp: t(0) },
      { id: 2, type: 'TaskStateEntered', timestamp: t(1), previousEventId: 1, stateEnteredEventDetails: { name: 'ReconcileDatabase' } },
      { id: 3, type: 'TaskStateEntered', timestamp: t(1), previousEventId: 1, stateEnteredEventDetails: { name: 'ReconcileCompute' } },
      { id: 4, type: 'TaskScheduled', timestamp: t(1), previousEventId: 2 },
      { id: 5, type: 'TaskScheduled', timestamp: t(1), previousEventId: 3 },
      // The database branch fails after the compute branch's last entry: it is still the database's failure.
      { id: 6, type: 'TaskFailed', timestamp: t(5), previousEventId: 4, taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Throttling', cause: 'rate\nexceeded' } },
      { id: 7, type: 'TaskScheduled', timestamp: t(7), previousEventId: 6 },
      { id: 8, type: 'TaskSucceeded', timestamp: t(9), previousEventId: 7 },
      { id: 9, type: 'TaskStartFailed', timestamp: t(9), previousEventId: 5, taskStartFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Lambda.ServiceException', cause: 'boom' } },
      { id: 10, type: 'TaskStateExited', timestamp: t(10), previousEventId: 9, stateExitedEventDetails: { name: 'ReconcileCompute' } },
      { id: 11, type: 'PassStateEntered', timestamp: t(11), previousEventId: 8, stateEnteredEventDetails: { name: 'DatabaseResult' } },
    ];
    const model = progressFromHistory(events, STEPS);
    const state = (n: string): string => model.steps.find((x) => x.name === n)!.state;
    expect(state('ReconcileDatabase')).toBe('succeeded'); // its Throttling was retried and succeeded
    expect(state('ReconcileCompute')).toBe('failed'); // a caught TaskStartFailed
    expect(model.error).toBe('Lambda.ServiceException: boom');
  });

  test('a frame\'s screen rows count wrapped lines and ignore colour codes', () => {
    expect(screenRows('abc\n\u001b[31m' + 'x'.repeat(100) + '\u001b[39m', 80)).toBe(3);
  });

  test('without step specs (a drill), every Task and Wait state is a step, in order of first entry', () => {
    const model = progressFromHistory(all.slice(0, 12));
    expect(model.steps.map((s) => s.name)).toEqual(['Preflight', 'ReconcileDatabase', 'ReconcileCompute', 'WaitDatabase', 'WaitCompute']);
  });
});
