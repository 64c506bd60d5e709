/**
 * Mermaid Gantt charts of a runbook or drill timeline, with the RTO target as a
 * milestone: for the SNS report, the CLI and the docs. Offsets are seconds from the start.
 */

/** One bar: a step and when it ran. */
export interface GanttStep {
  readonly step: string;
  readonly startedAt: string;
  readonly endedAt: string;
}

const label = (s: string): string => s.replace(/[:;#]/g, ' ').trim() || 'step';

/**
 * A Gantt chart of steps (ISO timestamps) from `begin`, with the RTO as a milestone and the
 * recovery time as the last bar's end.
 */
export function renderGantt(title: string, steps: GanttStep[], options: { readonly begin?: string; readonly rtoSeconds?: number; readonly recoverySeconds?: number } = {}): string {
  const t0 = Date.parse(options.begin ?? steps.map((s) => s.startedAt).sort()[0] ?? new Date(0).toISOString());
  const offset = (iso: string): number => Math.max(0, Math.round((Date.parse(iso) - t0) / 1000));
  const end = Math.max(options.rtoSeconds ?? 0, options.recoverySeconds ?? 0, ...steps.map((s) => offset(s.endedAt)));
  // Minutes and seconds wrap at an hour: past it, show hours too.
  const lines = ['gantt', `  title ${label(title)}`, '  dateFormat X', `  axisFormat ${end >= 3600 ? '%H:%M:%S' : '%M:%S'}`, '  section Steps'];
  steps.forEach((s, i) => {
    const start = offset(s.startedAt);
    const duration = Math.max(1, offset(s.endedAt) - start);
    lines.push(`  ${label(s.step)} :s${i}, ${start}, ${duration}s`);
  });
  if (options.rtoSeconds !== undefined || options.recoverySeconds !== undefined) lines.push('  section Target');
  if (options.recoverySeconds !== undefined) lines.push(`  recovered in ${Math.round(options.recoverySeconds)} s :milestone, rec, ${Math.round(options.recoverySeconds)}, 0s`);
  if (options.rtoSeconds !== undefined) lines.push(`  RTO ${options.rtoSeconds} s :crit, milestone, rto, ${options.rtoSeconds}, 0s`);
  return lines.join('\n');
}

/** The same, fenced for Markdown. */
export function ganttBlock(chart: string): string {
  return `\`\`\`mermaid\n${chart}\n\`\`\``;
}
