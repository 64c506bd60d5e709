/**
 * The longest time between two runs of a set of 6-field cron expressions (the EventBridge
 * and AWS Backup syntax: minutes hours day-of-month month day-of-week year), in seconds.
 * The runs are enumerated over two years from a fixed date, so month ends, leap days and
 * weekly rules count. Returns undefined for syntax the model does not evaluate (`L`, `W`,
 * `#`, a non-cron expression): it will not guess a recovery point.
 */
export function longestCronGapSeconds(expressions: string[]): number | undefined {
  const parsed = expressions.map(parseCron);
  if (parsed.length === 0 || parsed.some((p) => p === undefined)) return undefined;
  const runs: number[] = [];
  const start = Date.UTC(2026, 0, 1);
  const hours = 2 * 366 * 24;
  for (let h = 0; h < hours; h++) {
    const t = new Date(start + h * 3_600_000);
    for (const c of parsed as ParsedCron[]) {
      if (!c.hour.has(t.getUTCHours()) || !c.month.has(t.getUTCMonth() + 1)) continue;
      const domOk = c.dom === 'any' || c.dom.has(t.getUTCDate());
      const dowOk = c.dow === 'any' || c.dow.has(t.getUTCDay() + 1);
      if (!domOk || !dowOk) continue;
      for (const m of c.minute) runs.push(start / 1000 + h * 3600 + m * 60);
    }
  }
  if (runs.length < 2) return undefined;
  const sorted = [...new Set(runs)].sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < sorted.length; i++) longest = Math.max(longest, sorted[i] - sorted[i - 1]);
  return longest;
}

interface ParsedCron {
  readonly minute: Set<number>;
  readonly hour: Set<number>;
  readonly dom: Set<number> | 'any';
  readonly month: Set<number>;
  readonly dow: Set<number> | 'any';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseCron(expression: string): ParsedCron | undefined {
  const m = /^cron\((.*)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const f = m[1].trim().split(/\s+/);
  if (f.length !== 6) return undefined;
  const minute = field(f[0], 0, 59);
  const hour = field(f[1], 0, 23);
  const month = field(f[3], 1, 12, MONTHS);
  const dom = f[2] === '?' ? 'any' : field(f[2], 1, 31);
  const dow = f[4] === '?' ? 'any' : field(f[4], 1, 7, DAYS);
  if (!minute || !hour || !month || !dom || !dow) return undefined;
  return { minute, hour, month, dom: dom === 'any' || dom.size === 31 ? 'any' : dom, dow: dow === 'any' || dow.size === 7 ? 'any' : dow };
}

/** One cron field: `*`, numbers or names, ranges, lists and steps. */
function field(text: string, min: number, max: number, names: string[] = []): Set<number> | undefined {
  const out = new Set<number>();
  const value = (s: string): number | undefined => {
    const i = names.indexOf(s.toUpperCase());
    if (i >= 0) return i + 1;
    return /^\d+$/.test(s) ? Number(s) : undefined;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) return undefined;
    let lo: number | undefined;
    let hi: number | undefined;
    if (range === '*') {
      [lo, hi] = [min, max];
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      [lo, hi] = [value(a), value(b)];
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max;
    }
    if (lo === undefined || hi === undefined || lo < min || hi > max || lo > hi) return undefined;
    for (let x = lo; x <= hi; x += step) out.add(x);
  }
  return out;
}
