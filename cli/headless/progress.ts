// The terminal side of a headless run: one updating progress line on a TTY (bar, step/total,
// rate, ETA, latest metrics), plain lines otherwise, and the final summary. Pure formatting plus
// a small stateful printer, so all of it is tested without a browser.

/** A progress report from the worker (the trainer's onProgress). */
export interface ProgressReport { step: number; totalSteps: number; epoch: number; phase: string }

/** A metrics entry (the trainer's onLog): TRL's names, numbers only. */
export type LogEntry = Record<string, number>;

/** Where the printer writes: a TTY gets one rewritten line, anything else whole lines. */
export interface Terminal {
  isTTY: boolean;
  /** Columns of the terminal (80 when unknown). */
  columns?: number;
  write(text: string): void;
}

/** `1:05`, `12:03:09`; `--:--` when unknown. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** A metric value in 4 significant digits (`0.6931`, `1.2e-05`). */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(2).replace(/\.?0+e/, 'e').replace(/e([+-])0?(\d)/, 'e$1$2').replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

/** Seconds per step when slower than one a second (`3.2 s/it`), else steps per second (`4.1 it/s`), like tqdm. */
export function rate(secondsPerStep: number): string {
  if (!Number.isFinite(secondsPerStep) || secondsPerStep <= 0) return '? s/it';
  return secondsPerStep >= 1 ? `${secondsPerStep.toFixed(2)} s/it` : `${(1 / secondsPerStep).toFixed(2)} it/s`;
}

/** The metrics shown on the progress line, in order, with short labels. */
export const SHOWN: readonly [string, string][] = [
  ['loss', 'loss'], ['rewards/accuracies', 'acc'], ['rewards/margins', 'margin'], ['nll_loss', 'nll'],
  ['grad_norm', 'gnorm'], ['learning_rate', 'lr'],
];

/** `loss 0.6931 acc 0.5 ...` from the latest entry. */
export function metricsText(entry: LogEntry | undefined): string {
  if (!entry) return '';
  return SHOWN.filter(([k]) => typeof entry[k] === 'number').map(([k, label]) => `${label} ${num(entry[k])}`).join('  ');
}

/** `[#######.......]`: `width` cells, filled in proportion. */
export function bar(done: number, total: number, width: number): string {
  const f = total > 0 ? Math.max(0, Math.min(1, done / total)) : 0;
  const n = Math.round(f * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

/** One progress line: bar, step/total, percent, rate, elapsed<ETA, latest metrics; cut to `columns`. */
export function progressLine(p: { step: number; total: number; elapsedS: number; secondsPerStep: number; entry?: LogEntry; columns?: number }): string {
  const pct = p.total > 0 ? Math.floor((100 * p.step) / p.total) : 0;
  const eta = p.step > 0 && Number.isFinite(p.secondsPerStep) ? (p.total - p.step) * p.secondsPerStep : NaN;
  const head = `${bar(p.step, p.total, 24)} ${p.step}/${p.total} ${String(pct).padStart(3)}%  ${rate(p.secondsPerStep)}  ${clock(p.elapsedS)}<${clock(eta)}`;
  const m = metricsText(p.entry);
  const line = m ? `${head}  ${m}` : head;
  const cols = p.columns ?? 80;
  return line.length > cols - 1 ? line.slice(0, Math.max(10, cols - 1)) : line;
}

/** The line announcing a phase. */
export function phaseText(p: ProgressReport): string {
  switch (p.phase) {
    case 'reference': return 'computing reference log-probs…';
    case 'save': return `saving checkpoint-${p.step}…`;
    case 'eval': return `evaluating at step ${p.step}…`;
    default: return `${p.phase}…`;
  }
}

/** Follows a run's events and prints them; `now` is injectable for tests. */
export class ProgressPrinter {
  private total = 0;
  private step = 0;
  private phase = '';
  private startS: number | null = null;
  private lastEventS = 0;
  private firstStep: { step: number; atS: number } | null = null;
  private lastStepAtS = 0;
  private entry: LogEntry | undefined;
  private lineShown = false;
  /** Wall time of every optimizer step after the first, for the summary (seconds). */
  readonly stepTimes: number[] = [];
  /** Wall time of the first optimizer step (it also builds the sessions and GPU pipelines), seconds. */
  firstStepSeconds = NaN;

  constructor(private readonly term: Terminal, private readonly now: () => number = () => performance.now() / 1000) {}

  /** Seconds per optimizer step so far, not counting the first (which builds sessions and pipelines) unless it is the only one. */
  secondsPerStep(): number {
    if (this.firstStep && this.step > this.firstStep.step) return (this.lastStepAtS - this.firstStep.atS) / (this.step - this.firstStep.step);
    return this.firstStepSeconds;
  }

  /** A progress report from the worker: `train` steps move the bar; other phases are announced. */
  progress(p: ProgressReport): void {
    const t = this.now();
    this.startS ??= t;
    if (p.phase !== this.phase) {
      this.phase = p.phase;
      if (p.phase !== 'train') this.say(phaseText(p));
    }
    if (p.phase === 'train') {
      this.total = p.totalSteps;
      if (p.step > this.step) {
        if (this.firstStep === null) {
          this.firstStep = { step: p.step, atS: t };
          this.firstStepSeconds = (t - this.lastEventS) / Math.max(1, p.step - this.step);
        } else {
          this.stepTimes.push((t - this.lastStepAtS) / (p.step - this.step));
        }
        this.step = p.step;
        this.lastStepAtS = t;
      }
      if (this.term.isTTY) this.redraw();
    }
    this.lastEventS = t;
  }

  /** A metrics entry: shown on the line (TTY) or printed as a line of its own. */
  log(entry: LogEntry): void {
    this.entry = entry;
    if (this.term.isTTY) { this.redraw(); return; }
    const step = entry.step ?? this.step;
    const epoch = typeof entry.epoch === 'number' ? `  epoch ${num(entry.epoch)}` : '';
    this.term.write(`step ${step}/${this.total}${epoch}  ${metricsText(entry)}  (${rate(this.secondsPerStep())})\n`);
  }

  /** A message line (kept above the progress line on a TTY). */
  say(text: string): void {
    if (this.term.isTTY && this.lineShown) this.term.write('\r\x1b[K');
    this.term.write(`${text}\n`);
    if (this.term.isTTY && this.lineShown) this.redraw();
  }

  /** End the progress line so later output starts on a fresh line. */
  finish(): void {
    if (this.term.isTTY && this.lineShown) this.term.write('\n');
    this.lineShown = false;
  }

  /** The latest metrics entry. */
  latest(): LogEntry | undefined { return this.entry; }

  private redraw(): void {
    const elapsed = this.startS === null ? 0 : this.now() - this.startS;
    this.term.write(`\r${progressLine({ step: this.step, total: this.total, elapsedS: elapsed, secondsPerStep: this.secondsPerStep(), entry: this.entry, columns: this.term.columns })}\x1b[K`);
    this.lineShown = true;
  }
}
