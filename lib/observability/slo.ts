import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { Validator } from '../core/validation';
import { addWarning, WarningId } from '../core/warnings';
import { AlarmTopic } from './alarm-topic';
import { Sli } from './sli';

/** How urgent a burn is: a page wakes someone, a ticket waits for working hours. */
export enum SloSeverity {
  PAGE = 'page',
  TICKET = 'ticket',
}

/**
 * One multiwindow burn-rate alarm: it fires while the error ratio exceeds
 * `burnRate x (1 - objective)` over both the long and the short window. The long window
 * says the burn is significant, the short one that it is still happening (so the alarm
 * resets minutes after a recovery).
 */
export interface BurnRateWindow {
  readonly severity: SloSeverity;
  /** The long window, e.g. 1 hour. */
  readonly long: Duration;
  /** The short window, e.g. 5 minutes (1/12 of the long one, by convention). */
  readonly short: Duration;
  /** How many times faster than sustainable the budget burns, e.g. 14.4. */
  readonly burnRate: number;
}

/**
 * The standard multiwindow, multi-burn-rate alarms for a 30-day SLO (the Google SRE
 * workbook, "Alerting on SLOs"): page at 14.4x over 1 h and 5 min (2 % of the budget in an
 * hour) or 6x over 6 h and 30 min (5 % in 6 hours); ticket at 1x over 3 days and 6 h
 * (10 % in 3 days).
 */
export const STANDARD_BURN_RATES: BurnRateWindow[] = [
  { severity: SloSeverity.PAGE, long: Duration.hours(1), short: Duration.minutes(5), burnRate: 14.4 },
  { severity: SloSeverity.PAGE, long: Duration.hours(6), short: Duration.minutes(30), burnRate: 6 },
  { severity: SloSeverity.TICKET, long: Duration.days(3), short: Duration.hours(6), burnRate: 1 },
];

/** Where a severity's alarm notifies: an existing topic, or a new one with a subscription. */
export interface SloNotification {
  /**
   * An existing topic (a KMS-encrypted topic needs a key policy that lets CloudWatch use
   * the key; {@link AlarmTopic} has one).
   * @default - a new encrypted AlarmTopic, when `email` or `httpsUrl` is given
   */
  readonly topic?: sns.ITopic;
  /**
   * Subscribe this address to a new topic.
   * @default - none
   */
  readonly email?: string;
  /**
   * Subscribe this HTTPS endpoint (a pager's webhook) to a new topic.
   * @default - none
   */
  readonly httpsUrl?: string;
}

/** Props for {@link Slo}. */
export interface SloProps {
  /** What is measured. */
  readonly sli: Sli;
  /** The objective, in percent of good events: strictly between 0 and 100 (e.g. 99.9). */
  readonly objective: number;
  /**
   * The window the objective holds over (the error budget's period).
   * @default Duration.days(30)
   */
  readonly window?: Duration;
  /**
   * The burn-rate alarms.
   * @default STANDARD_BURN_RATES (two page pairs and one ticket pair)
   */
  readonly burnRates?: BurnRateWindow[];
  /**
   * Where page alarms notify.
   * @default - nowhere (a warning says so)
   */
  readonly page?: SloNotification;
  /**
   * Where ticket alarms notify.
   * @default - where pages do
   */
  readonly ticket?: SloNotification;
  /**
   * Name, used in alarm names (`<name>-page`, `<name>-ticket`) and the dashboard.
   * @default - unique, from the construct path
   */
  readonly name?: string;
}

/** The alarms of one burn-rate window pair. */
export interface BurnRateAlarm {
  readonly window: BurnRateWindow;
  /** The error-ratio threshold: burnRate x (1 - objective). */
  readonly threshold: number;
  readonly long: cloudwatch.Alarm;
  readonly short: cloudwatch.Alarm;
}

/** CloudWatch alarm limits on period x evaluation periods (one period here). */
const MAX_ALARM_RANGE = Duration.days(7);

/**
 * A service level objective on an SLI: multiwindow, multi-burn-rate alarms in the
 * standard form (metric math ratios, combined into one composite alarm per severity), the
 * error budget remaining as metric math, and dashboard widgets.
 */
export class Slo extends Construct {
  /** The SLO's name. */
  public readonly sloName: string;
  /** The objective, as a fraction (0.999). */
  public readonly objective: number;
  /** The error budget, as a fraction of events (0.001). */
  public readonly errorBudget: number;
  /** The window. */
  public readonly window: Duration;
  /** The SLI. */
  public readonly sli: Sli;
  /** The burn-rate alarm pairs. */
  public readonly burnRateAlarms: BurnRateAlarm[];
  /** The composite alarm per severity that has windows. */
  public readonly severityAlarms: Partial<Record<SloSeverity, cloudwatch.CompositeAlarm>>;
  /** The topics notified, per severity. */
  public readonly topics: Partial<Record<SloSeverity, sns.ITopic>>;

  constructor(scope: Construct, id: string, props: SloProps) {
    super(scope, id);
    const window = props.window ?? Duration.days(30);
    const windows = props.burnRates ?? STANDARD_BURN_RATES;
    const v = new Validator(this);
    validate(v, this, props, window, windows);
    v.throwIfAny();

    this.sloName = props.name ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    this.objective = Number((props.objective / 100).toPrecision(12));
    // Rounded, so the expressions read 0.001 rather than 0.0010000000000000009.
    this.errorBudget = Number((1 - this.objective).toPrecision(12));
    this.window = window;
    this.sli = props.sli;

    const page = this.topicFor('Page', props.page);
    const ticket = props.ticket ? this.topicFor('Ticket', props.ticket) : page;
    this.topics = { [SloSeverity.PAGE]: page, [SloSeverity.TICKET]: ticket };
    if (!page) addWarning(this, WarningId.ALARMS_WITHOUT_ACTIONS, 'The SLO\'s burn-rate alarms notify nobody: pass page (a topic, an email or an HTTPS endpoint).');

    this.burnRateAlarms = windows.map((w, i) => {
      const threshold = Number((w.burnRate * this.errorBudget).toPrecision(12));
      const alarm = (which: 'long' | 'short', span: Duration): cloudwatch.Alarm =>
        new cloudwatch.Alarm(this, `${w.severity === SloSeverity.PAGE ? 'Page' : 'Ticket'}${i}${which === 'long' ? 'Long' : 'Short'}`, {
          alarmDescription: `${this.sloName}: error ratio over ${span.toHumanString()} above ${w.burnRate}x the budget (${fmt(threshold)}); ${w.severity} when the ${which === 'long' ? 'short' : 'long'} window agrees. SLI: ${props.sli.description}`.slice(0, 1024),
          metric: props.sli.errorRatio(span),
          threshold,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      return { window: w, threshold, long: alarm('long', w.long), short: alarm('short', w.short) };
    });

    this.severityAlarms = {};
    for (const severity of [SloSeverity.PAGE, SloSeverity.TICKET]) {
      const pairs = this.burnRateAlarms.filter((a) => a.window.severity === severity);
      if (pairs.length === 0) continue;
      const composite = new cloudwatch.CompositeAlarm(this, severity === SloSeverity.PAGE ? 'PageAlarm' : 'TicketAlarm', {
        compositeAlarmName: `${this.sloName}-${severity}`,
        alarmDescription: `${this.sloName} (${props.objective} % over ${window.toHumanString()}) is burning its error budget: ${pairs
          .map((p) => `${p.window.burnRate}x over ${p.window.long.toHumanString()} and ${p.window.short.toHumanString()}`)
          .join(', or ')}. SLI: ${props.sli.description}`.slice(0, 1024),
        alarmRule: cloudwatch.AlarmRule.anyOf(...pairs.map((p) => cloudwatch.AlarmRule.allOf(cloudwatch.AlarmRule.fromAlarm(p.long, cloudwatch.AlarmState.ALARM), cloudwatch.AlarmRule.fromAlarm(p.short, cloudwatch.AlarmState.ALARM)))),
      });
      const topic = this.topics[severity];
      if (topic) {
        composite.addAlarmAction(new cwActions.SnsAction(topic));
        composite.addOkAction(new cwActions.SnsAction(topic));
      }
      this.severityAlarms[severity] = composite;
    }
  }

  /** How fast the budget burns over `window`: the error ratio over it divided by the budget (1 = exactly sustainable). */
  public burnRate(window: Duration): cloudwatch.MathExpression {
    const e = this.sli.expressions(`_${window.toSeconds()}`, window);
    return new cloudwatch.MathExpression({
      expression: `IF(${e.total} > 0, (${e.bad}) / (${e.total}), 0) / ${this.errorBudget}`,
      usingMetrics: e.usingMetrics,
      period: window,
      label: `burn rate (${window.toHumanString()})`,
    });
  }

  /**
   * The error budget left, in percent: 100 x (1 - error ratio / budget), over whatever
   * span the metrics are aggregated on. Over the SLO window (a widget with
   * `setPeriodToTimeRange` and a range of the window) it is the budget remaining; below
   * 0 the objective is missed.
   */
  public errorBudgetRemaining(period: Duration = this.window): cloudwatch.MathExpression {
    const e = this.sli.expressions('', period);
    return new cloudwatch.MathExpression({
      expression: `100 * (1 - IF(${e.total} > 0, (${e.bad}) / (${e.total}), 0) / ${this.errorBudget})`,
      usingMetrics: e.usingMetrics,
      period,
      label: 'error budget remaining (%)',
    });
  }

  /**
   * The budget burned down over the window: running totals of bad and all events from
   * the start of the graph, hourly.
   */
  public errorBudgetBurndown(): cloudwatch.MathExpression {
    const e = this.sli.expressions('', Duration.hours(1));
    return new cloudwatch.MathExpression({
      expression: `100 * (1 - IF(RUNNING_SUM(${e.total}) > 0, RUNNING_SUM(${e.bad}) / RUNNING_SUM(${e.total}), 0) / ${this.errorBudget})`,
      usingMetrics: e.usingMetrics,
      period: Duration.hours(1),
      label: 'error budget remaining (%)',
    });
  }

  /** Dashboard widgets: alarm status, burn rates against their thresholds, budget left. */
  public widgets(): cloudwatch.IWidget[] {
    const hours = Math.round(this.window.toSeconds() / 3600);
    const range = hours % 24 === 0 ? `-P${hours / 24}D` : `-PT${hours}H`;
    const longs = [...new Map(this.burnRateAlarms.map((a) => [a.window.long.toSeconds(), a])).values()];
    return [
      new cloudwatch.SingleValueWidget({
        title: `${this.sloName}: error budget left (${this.window.toHumanString()})`,
        metrics: [this.errorBudgetRemaining()],
        setPeriodToTimeRange: true,
        start: range,
        width: 6,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: `${this.sloName}: burn rate`,
        left: longs.map((a) => this.burnRate(a.window.long)),
        leftAnnotations: longs.map((a) => ({ value: a.window.burnRate, label: `${a.window.severity} at ${a.window.burnRate}x`, color: a.window.severity === SloSeverity.PAGE ? cloudwatch.Color.RED : cloudwatch.Color.ORANGE })),
        leftYAxis: { min: 0, label: 'x budget', showUnits: false },
        // Long enough to show the longest window's points, not the dashboard's 3 hours.
        start: `-PT${Math.max(6, Math.ceil((2 * Math.max(...longs.map((a) => a.window.long.toSeconds()))) / 3600))}H`,
        width: 9,
        height: 6,
      }),
      new cloudwatch.GraphWidget({
        title: `${this.sloName}: error budget burn-down`,
        left: [this.errorBudgetBurndown()],
        leftAnnotations: [{ value: 0, label: 'objective missed', color: cloudwatch.Color.RED }],
        leftYAxis: { max: 100, label: '%', showUnits: false },
        start: range,
        width: 9,
        height: 6,
      }),
    ];
  }

  private topicFor(id: string, n: SloNotification | undefined): sns.ITopic | undefined {
    if (!n) return undefined;
    if (n.topic) return n.topic;
    const topic = new AlarmTopic(this, `${id}Topic`, { displayName: `${id} alerts of an SLO` }).topic;
    if (n.email) topic.addSubscription(new subs.EmailSubscription(n.email));
    if (n.httpsUrl) topic.addSubscription(new subs.UrlSubscription(n.httpsUrl, { protocol: sns.SubscriptionProtocol.HTTPS }));
    return topic;
  }
}

function fmt(x: number): string {
  return `${Number((x * 100).toPrecision(4))} %`;
}

function validate(v: Validator, scope: Construct, props: SloProps, window: Duration, windows: BurnRateWindow[]): void {
  for (const p of props.sli.problems) v.check(true, p);
  v.check(!(props.objective > 0 && props.objective < 100), {
    code: 'SLO_OBJECTIVE',
    prop: 'objective',
    value: props.objective,
    message: 'the objective is a percentage of good events strictly between 0 and 100',
    fix: 'pass e.g. 99.9 for "99.9 % of requests succeed"',
  });
  const windowOk = v.duration('window', window, { code: 'SLO_WINDOW', minSeconds: 3600, maxSeconds: 366 * 86_400 });
  const region = Stack.of(scope).region;
  if (props.sli.requiredRegion) {
    v.check(!Token.isUnresolved(region) && region !== props.sli.requiredRegion, {
      code: 'SLI_REGION',
      prop: 'sli',
      value: region,
      message: `the SLI's metrics exist only in ${props.sli.requiredRegion}, and a CloudWatch alarm cannot read another Region's metrics`,
      fix: `build this SLO in a ${props.sli.requiredRegion} stack`,
    });
  }
  v.check(windows.length === 0, { code: 'SLO_BURN_RATE', prop: 'burnRates', value: '[]', message: 'an SLO without burn-rate alarms pages nobody', fix: 'keep STANDARD_BURN_RATES or give at least one window pair' });
  const budget = 1 - props.objective / 100;
  windows.forEach((w, i) => {
    const at = `burnRates[${i}]`;
    for (const [which, span] of [['long', w.long], ['short', w.short]] as const) {
      const s = span.toSeconds();
      v.check(s < 60 || s % 60 !== 0, { code: 'SLO_BURN_RATE', prop: `${at}.${which}`, value: span.toHumanString(), message: 'a CloudWatch alarm period is a whole number of minutes here', fix: 'use whole minutes, at least 1' });
      v.check(s > MAX_ALARM_RANGE.toSeconds(), {
        code: 'SLO_BURN_RATE',
        prop: `${at}.${which}`,
        value: span.toHumanString(),
        message: 'CloudWatch alarms evaluate at most 7 days (period x evaluation periods)',
        fix: 'use a long window of 7 days or less',
      });
    }
    v.check(w.short.toSeconds() >= w.long.toSeconds(), {
      code: 'SLO_BURN_RATE',
      prop: `${at}.short`,
      value: `${w.short.toHumanString()} vs long ${w.long.toHumanString()}`,
      message: 'the short window must be shorter than the long one: it is what resets the alarm soon after a recovery',
      fix: 'use a short window of about 1/12 of the long one (5 minutes for 1 hour)',
    });
    v.check(!(w.burnRate > 0), { code: 'SLO_BURN_RATE', prop: `${at}.burnRate`, value: w.burnRate, message: 'a burn rate is a positive multiple of the sustainable rate', fix: 'use e.g. 14.4 (page) or 1 (ticket)' });
    if (w.burnRate > 0 && props.objective > 0 && props.objective < 100) {
      v.check(w.burnRate * budget >= 1, {
        code: 'SLO_BURN_RATE',
        prop: `${at}.burnRate`,
        value: w.burnRate,
        message: `the alarm can never fire: it needs an error ratio above ${w.burnRate} x ${fmt(budget)} = ${fmt(w.burnRate * budget)}, and a ratio cannot exceed 100 %`,
        fix: `use a burn rate below ${Number((1 / budget).toPrecision(4))}, or a higher objective`,
      });
      if (windowOk) {
        v.check(w.burnRate * w.long.toSeconds() > window.toSeconds(), {
          code: 'SLO_BURN_RATE',
          prop: `${at}.burnRate`,
          value: `${w.burnRate}x over ${w.long.toHumanString()}`,
          message: `it cannot fire within the window: by the time it fires it has burned ${w.burnRate} x ${w.long.toHumanString()} / ${window.toHumanString()} = more than the whole budget`,
          fix: 'use a lower burn rate or a shorter long window',
        });
      }
    }
  });
  const longest = Math.max(0, ...windows.map((w) => w.long.toSeconds()));
  if (windowOk) {
    v.check(window.toSeconds() < longest, {
      code: 'SLO_WINDOW',
      prop: 'window',
      value: window.toHumanString(),
      message: `the SLO window is shorter than its longest alarm window (${Duration.seconds(longest).toHumanString()})`,
      fix: 'lengthen the window (30 days is usual) or shorten the burn-rate windows',
    });
  }
}
