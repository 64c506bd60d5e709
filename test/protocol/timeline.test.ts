import { ganttBlock, renderGantt } from '../../protocol';

describe('Mermaid Gantt of a timeline', () => {
  test('bars at their offsets from the start, the recovery and the RTO as milestones', () => {
    const chart = renderGantt(
      'shop failover to us-west-2',
      [
        { step: 'preflight', startedAt: '2026-11-22T03:00:00Z', endedAt: '2026-11-22T03:00:03Z' },
        { step: 'database', startedAt: '2026-11-22T03:00:03Z', endedAt: '2026-11-22T03:01:04Z' },
        { step: 'traffic: move', startedAt: '2026-11-22T03:03:04Z', endedAt: '2026-11-22T03:03:04Z' },
      ],
      { rtoSeconds: 600, recoverySeconds: 221 },
    );
    expect(chart.split('\n')).toEqual([
      'gantt',
      '  title shop failover to us-west-2',
      '  dateFormat X',
      '  axisFormat %M:%S',
      '  section Steps',
      '  preflight :s0, 0, 3s',
      '  database :s1, 3, 61s',
      '  traffic  move :s2, 184, 1s',
      '  section Target',
      '  recovered in 221 s :milestone, rec, 221, 0s',
      '  RTO 600 s :crit, milestone, rto, 600, 0s',
    ]);
    expect(ganttBlock(chart)).toBe(`\`\`\`mermaid\n${chart}\n\`\`\``);
  });

  test('past an hour the axis shows hours (minutes:seconds would wrap)', () => {
    expect(renderGantt('t', [{ step: 'a', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T01:30:00Z' }])).toContain('  axisFormat %H:%M:%S');
    expect(renderGantt('t', [{ step: 'a', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:30:00Z' }])).toContain('  axisFormat %M:%S');
  });

  test('without an RTO, no target section', () => {
    expect(renderGantt('t', [{ step: 'a', startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:00:10Z' }])).not.toContain('section Target');
  });
});
