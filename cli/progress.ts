import type { HistoryEvent } from '@aws-sdk/client-sfn';
import pc from 'picocolors';
import { renderGantt } from '../protocol';

/** A step to follow: a state name, done on its exit or when `doneWhen` is entered. */
export interface StepSpec {
  readonly name: string;
  readonly doneWhen?: string;
}

/** Where one step is. */
export interface StepProgress {
  readonly name: string;
  state: 'pending' | 'running' | 'succeeded' | 'failed';
  startedAt?: Date;
  endedAt?: Date;
}

/** An execution, as its history tells it. */
export interface ProgressModel {
  readonly steps: StepProgress[];
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startedAt?: Date;
  endedAt?: Date;
  /** The last error the history reports (a task failure, or the execution's). */
  error?: string;
}

const TERMINAL: Record<string, ProgressModel['status']> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

/**
 * The progress of an execution from its history. With `specs`, the steps are those (in that
 * order); without, every Task and Wait state entered, in order of first entry.
 */
export function progressFromHistory(events: HistoryEvent[], specs?: StepSpec[]): ProgressModel {
  const model: ProgressModel = { steps: (specs ?? []).map((s) => ({ name: s.name, state: 'pending' })), status: 'RUNNING' };
  const byName = new Map(model.steps.map((s) => [s.name, s]));
  const doneWhen = new Map((specs ?? []).filter((s) => s.doneWhen).map((s) => [s.doneWhen!, s.name]));
  const loops = new Set((specs ?? []).filter((s) => s.doneWhen).map((s) => s.name));
  const sorted = [...events].sort((a, b) => Number(a.id ?? 0) - Number(b.id ?? 0));
  // The state an event belongs to: follow previousEventId back to its *StateEntered event
  // (inside a Parallel, the branch's own chain).
  const byId = new Map(sorted.map((e) => [Number(e.id), e]));
  const ownerOf = (e: HistoryEvent): string | undefined => {
    let cur: HistoryEvent | undefined = e;
    for (let hops = 0; cur && hops < 10_000; hops++) {
      if ((cur.type ?? '').endsWith('StateEntered')) return cur.stateEnteredEventDetails?.name;
      cur = cur.previousEventId !== undefined ? byId.get(Number(cur.previousEventId)) : undefined;
    }
    return undefined;
  };
  // A state whose last attempt failed (a retry or a success clears it): its exit is a failure (caught).
  const failedAttempt = new Set<string>();
  let errorOwner: string | undefined;
  let lastEntered: string | undefined;
  for (const e of sorted) {
    const type = e.type ?? '';
    const at = e.timestamp ? new Date(e.timestamp) : undefined;
    if (type === 'ExecutionStarted') model.startedAt = at;
    if (type.endsWith('StateEntered')) {
      const name = e.stateEnteredEventDetails?.name ?? '';
      let step = byName.get(name);
      if (!step && !specs && (type === 'TaskStateEntered' || type === 'WaitStateEntered')) {
        step = { name, state: 'pending' };
        model.steps.push(step);
        byName.set(name, step);
      }
      if (step && step.state === 'pending') {
        step.state = 'running';
        step.startedAt = at;
      }
      if (step) lastEntered = step.name;
      const finished = doneWhen.get(name);
      if (finished) {
        const s = byName.get(finished)!;
        s.state = failedAttempt.has(finished) ? 'failed' : 'succeeded';
        s.endedAt = at;
      }
    }
    if (type.endsWith('StateExited')) {
      const step = byName.get(e.stateExitedEventDetails?.name ?? '');
      if (step && (failedAttempt.has(step.name) || (!loops.has(step.name) && step.state === 'running'))) {
        step.state = failedAttempt.has(step.name) ? 'failed' : 'succeeded';
        step.endedAt = at;
      }
    }
    const failure = !type.startsWith('Execution') && /(Failed|TimedOut)$/.test(type);
    if (failure) {
      const d = Object.entries(e).find(([k, v]) => k.endsWith('EventDetails') && v && typeof v === 'object')?.[1] as { error?: string; cause?: string } | undefined;
      model.error = `${d?.error ?? type}: ${d?.cause ?? ''}`.replace(/\s+/g, ' ').trim();
      errorOwner = ownerOf(e) ?? lastEntered;
      if (errorOwner) failedAttempt.add(errorOwner);
    }
    if (/Succeeded$/.test(type) && !type.startsWith('Execution')) {
      const owner = ownerOf(e) ?? lastEntered;
      if (owner) failedAttempt.delete(owner);
      // A retried attempt that succeeded: its earlier error is history, not the current state.
      if (owner && owner === errorOwner) {
        model.error = undefined;
        errorOwner = undefined;
      }
    }
    if (TERMINAL[type]) {
      model.status = TERMINAL[type];
      model.endedAt = at;
      const d = e.executionFailedEventDetails ?? e.executionTimedOutEventDetails ?? e.executionAbortedEventDetails;
      if (d?.error) model.error = `${d.error}: ${d.cause ?? ''}`.replace(/\s+/g, ' ').trim();
      for (const s of model.steps) {
        if (s.state !== 'running') continue;
        s.state = model.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
        s.endedAt = at;
      }
    }
  }
  return model;
}

/** `1m 05s`, `45s`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

const since = (from: Date | undefined, to: Date | undefined): number => (from && to ? (to.getTime() - from.getTime()) / 1000 : 0);

/**
 * One frame for a terminal: the title, the elapsed total against the RTO, a progress bar
 * of the steps, and each step with its state and elapsed time.
 */
export function renderFrame(title: string, model: ProgressModel, now: Date, rtoSeconds?: number, color = true): string {
  const c = pc.createColors(color);
  const end = model.endedAt ?? now;
  const elapsed = since(model.startedAt, end);
  const done = model.steps.filter((s) => s.state === 'succeeded').length;
  const total = Math.max(1, model.steps.length);
  const width = 30;
  const filled = Math.round((done / total) * width);
  const bar = `${c.green('█'.repeat(filled))}${c.dim('░'.repeat(width - filled))}`;
  const budget = rtoSeconds === undefined ? '' : ` / RTO ${duration(rtoSeconds)}`;
  const over = rtoSeconds !== undefined && elapsed > rtoSeconds;
  const lines = [
    `${c.bold(title)}  ${over ? c.red(`elapsed ${duration(elapsed)}${budget}`) : `elapsed ${duration(elapsed)}${budget}`}  ${model.status === 'RUNNING' ? '' : statusText(model.status, c)}`.trimEnd(),
    `[${bar}] ${done}/${model.steps.length} steps`,
  ];
  const pad = Math.max(...model.steps.map((s) => s.name.length), 4);
  for (const s of model.steps) {
    const mark = { pending: c.dim('·'), running: c.cyan('▸'), succeeded: c.green('✔'), failed: c.red('✘') }[s.state];
    const t = s.startedAt ? duration(since(s.startedAt, s.endedAt ?? end)) : '';
    lines.push(`  ${mark} ${s.name.padEnd(pad)}  ${s.state === 'pending' ? c.dim('pending') : `${s.state.padEnd(9)} ${t}`}`.trimEnd());
  }
  if (model.error && model.status !== 'SUCCEEDED') lines.push(c.red(`  last error: ${model.error.replace(/\s+/g, ' ').slice(0, 300)}`));
  return lines.join('\n');
}

function statusText(status: ProgressModel['status'], c: Pick<typeof pc, 'green' | 'red'>): string {
  return status === 'SUCCEEDED' ? c.green(status) : c.red(status);
}

/**
 * The lines a non-terminal gets: one per step event since `previous` (a step started,
 * succeeded or failed), and one when the execution ends.
 */
export function eventLines(previous: ProgressModel | undefined, model: ProgressModel, rtoSeconds?: number): string[] {
  const out: string[] = [];
  const offset = (at?: Date): string => `+${duration(since(model.startedAt, at ?? model.startedAt ?? new Date(0)))}`;
  model.steps.forEach((s, i) => {
    const before = previous?.steps.find((p) => p.name === s.name)?.state ?? 'pending';
    if (before === s.state) return;
    if (before === 'pending' && s.state !== 'pending') out.push(`${offset(s.startedAt)} ${s.name} started (step ${i + 1}/${model.steps.length})`);
    if (s.state === 'succeeded' || s.state === 'failed') out.push(`${offset(s.endedAt)} ${s.name} ${s.state} in ${duration(since(s.startedAt, s.endedAt))}`);
  });
  if (model.status !== 'RUNNING' && previous?.status !== model.status) {
    const total = since(model.startedAt, model.endedAt);
    const rto = rtoSeconds === undefined ? '' : ` (RTO ${duration(rtoSeconds)}: ${total <= rtoSeconds ? 'met' : 'MISSED'})`;
    out.push(`${offset(model.endedAt)} execution ${model.status} after ${duration(total)}${rto}${model.error && model.status !== 'SUCCEEDED' ? `: ${model.error.slice(0, 300)}` : ''}`);
  }
  return out;
}

/** The steps that ran, as a Mermaid Gantt chart with the RTO as a milestone. */
export function timelineGantt(title: string, model: ProgressModel, rtoSeconds?: number): string {
  const steps = model.steps
    .filter((s) => s.startedAt && s.endedAt)
    .map((s) => ({ step: `${s.name}${s.state === 'failed' ? ' (failed)' : ''}`, startedAt: s.startedAt!.toISOString(), endedAt: s.endedAt!.toISOString() }));
  const recovery = model.status === 'SUCCEEDED' && model.startedAt && model.endedAt ? (model.endedAt.getTime() - model.startedAt.getTime()) / 1000 : undefined;
  return renderGantt(title, steps, { begin: model.startedAt?.toISOString(), rtoSeconds, recoverySeconds: recovery });
}

/** Terminal rows a text takes at `columns` wide (ANSI colour codes take none). */
export function screenRows(text: string, columns: number): number {
  const plain = text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
  return plain.split('\n').reduce((n, line) => n + Math.max(1, Math.ceil([...line].length / Math.max(1, columns))), 0);
}
