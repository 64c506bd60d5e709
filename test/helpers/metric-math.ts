/**
 * Evaluates the synthesized CloudWatch alarms of an SLO on synthetic per-minute series:
 * each metric of an alarm is summed over its period (a sliding window ending at the
 * evaluation minute, as CloudWatch's default sliding evaluation window does), the alarm's
 * metric math expression is computed, and the result compared with its threshold.
 * Composite alarm rules are evaluated on those states.
 *
 * It evaluates the subset of metric math the constructs emit: numbers, metric ids, + - * /,
 * comparisons, parentheses, IF(c, a, b) and FILL(x, v). Anything else throws, so a change
 * to the expressions cannot pass unevaluated.
 */

/** Per-minute series, by a key the caller maps metrics to. */
export type Series = Record<string, Float64Array>;

interface MetricStat {
  readonly Id: string;
  readonly Expression?: string;
  readonly ReturnData?: boolean;
  readonly MetricStat?: { readonly Metric: { readonly MetricName: string; readonly Namespace: string }; readonly Period: number; readonly Stat: string };
}

/** A synthesized alarm (`AWS::CloudWatch::Alarm` properties). */
export interface AlarmProps {
  readonly Metrics: MetricStat[];
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly EvaluationPeriods: number;
}

/** Prefix sums of every series, so a window sum is two lookups. */
export class SeriesWindows {
  private readonly prefix: Record<string, Float64Array> = {};
  constructor(series: Series) {
    for (const [k, v] of Object.entries(series)) {
      const p = new Float64Array(v.length + 1);
      for (let i = 0; i < v.length; i++) p[i + 1] = p[i] + v[i];
      this.prefix[k] = p;
    }
  }

  /** Sum over the minutes (t - minutes, t], t being the index of the last minute included. */
  public sum(key: string, t: number, minutes: number): number {
    const p = this.prefix[key];
    if (!p) throw new Error(`no series '${key}'`);
    return p[t + 1] - p[Math.max(0, t + 1 - minutes)];
  }
}

/**
 * The value of an alarm's returned expression at minute `t`. `key` maps a metric stat
 * (metric name and statistic) to a series name; the series hold per-minute totals.
 */
export function alarmValue(alarm: AlarmProps, windows: SeriesWindows, t: number, key: (metricName: string, stat: string) => string): number {
  const values: Record<string, number> = {};
  for (const m of alarm.Metrics) {
    if (m.MetricStat) values[m.Id] = windows.sum(key(m.MetricStat.Metric.MetricName, m.MetricStat.Stat), t, m.MetricStat.Period / 60);
  }
  const ret = alarm.Metrics.filter((m) => m.ReturnData !== false && m.Expression);
  if (ret.length !== 1) throw new Error('expected one returned expression');
  return evaluate(ret[0].Expression!, values);
}

/** Whether the alarm is in ALARM at minute `t`. */
export function alarmFires(alarm: AlarmProps, windows: SeriesWindows, t: number, key: (metricName: string, stat: string) => string): boolean {
  if (alarm.EvaluationPeriods !== 1) throw new Error('the evaluator models one evaluation period');
  const v = alarmValue(alarm, windows, t, key);
  switch (alarm.ComparisonOperator) {
    case 'GreaterThanThreshold':
      return v > alarm.Threshold;
    case 'GreaterThanOrEqualToThreshold':
      return v >= alarm.Threshold;
    case 'LessThanThreshold':
      return v < alarm.Threshold;
    default:
      throw new Error(`unsupported operator ${alarm.ComparisonOperator}`);
  }
}

/**
 * A composite rule as rendered by CloudFormation (`Fn::Join` of literal text and
 * `Fn::GetAtt` of alarm ARNs), evaluated on the states of the alarms by logical id.
 */
export function compositeFires(rule: unknown, states: Record<string, boolean>): boolean {
  const parts = (rule as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  const text = parts.map((p) => (typeof p === 'string' ? p : `${(p as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]}`)).join('');
  const js = text.replace(/ALARM\("([A-Za-z0-9]+)"\)/g, (_m, id: string) => {
    if (!(id in states)) throw new Error(`composite refers to unknown alarm ${id}`);
    return String(states[id]);
  });
  if (!/^[()\s]*(true|false)([()\s]*(AND|OR)[()\s]*(true|false))*[()\s]*$/.test(js)) throw new Error(`unsupported rule ${js}`);
  return evaluateBoolean(js);
}

function evaluateBoolean(rule: string): boolean {
  const tokens = rule.match(/\(|\)|AND|OR|true|false/g)!;
  let i = 0;
  const primary = (): boolean => {
    const t = tokens[i++];
    if (t === '(') {
      const v = or();
      i++; // ')'
      return v;
    }
    return t === 'true';
  };
  const and = (): boolean => {
    let v = primary();
    while (tokens[i] === 'AND') {
      i++;
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[i] === 'OR') {
      i++;
      v = and() || v;
    }
    return v;
  };
  return or();
}

/** Evaluates one metric math expression on scalar values. */
export function evaluate(expression: string, values: Record<string, number>): number {
  const tokens = expression.match(/\d+(\.\d+)?(e-?\d+)?|[A-Za-z_][A-Za-z0-9_]*|>=|<=|[-+*/(),<>]/g) ?? [];
  if (tokens.join('') !== expression.replace(/\s+/g, '')) throw new Error(`unsupported syntax in ${expression}`);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const take = (expected?: string): string => {
    const t = tokens[i++];
    if (expected !== undefined && t !== expected) throw new Error(`expected ${expected}, got ${t} in ${expression}`);
    return t;
  };
  const args = (): number[] => {
    take('(');
    const out = [comparison()];
    while (peek() === ',') {
      take(',');
      out.push(comparison());
    }
    take(')');
    return out;
  };
  const primary = (): number => {
    const t = take();
    if (t === '(') {
      const v = comparison();
      take(')');
      return v;
    }
    if (t === '-') return -primary();
    if (/^\d/.test(t)) return Number(t);
    if (t === 'IF') {
      const [c, a, b] = args();
      return c ? a : b;
    }
    if (t === 'FILL') {
      const [x, v] = args();
      return Number.isNaN(x) ? v : x;
    }
    if (t in values) return values[t];
    throw new Error(`unknown function or metric '${t}' in ${expression}`);
  };
  const term = (): number => {
    let v = primary();
    while (peek() === '*' || peek() === '/') v = take() === '*' ? v * primary() : v / primary();
    return v;
  };
  const sum = (): number => {
    let v = term();
    while (peek() === '+' || peek() === '-') v = take() === '+' ? v + term() : v - term();
    return v;
  };
  const comparison = (): number => {
    const v = sum();
    const op = peek();
    if (op === '>' || op === '<' || op === '>=' || op === '<=') {
      take();
      const w = sum();
      return Number(op === '>' ? v > w : op === '<' ? v < w : op === '>=' ? v >= w : v <= w);
    }
    return v;
  };
  const v = comparison();
  if (i !== tokens.length) throw new Error(`trailing tokens in ${expression}`);
  return v;
}
