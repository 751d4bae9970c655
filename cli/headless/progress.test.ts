import { describe, expect, it } from 'vitest';
import { ProgressPrinter, bar, clock, metricsText, num, progressLine, rate } from './progress';

function term(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, t: { isTTY, columns: 160, write: (s: string) => { chunks.push(s); } } };
}

describe('progress formatting', () => {
  it('clock, numbers, rates, bars', () => {
    expect([clock(0), clock(65), clock(3 * 3600 + 61), clock(NaN)]).toEqual(['0:00', '1:05', '3:01:01', '--:--']);
    expect([num(0.693147), num(1e-5), num(2.5e-7), num(123456), num(0)]).toEqual(['0.6931', '1e-5', '2.5e-7', '1.23e5', '0']);
    expect([rate(3.2), rate(0.25), rate(NaN)]).toEqual(['3.20 s/it', '4.00 it/s', '? s/it']);
    expect(bar(3, 12, 12)).toBe('[###.........]');
    expect(bar(20, 12, 4)).toBe('[####]');
  });

  it('a progress line: bar, step/total, percent, rate, elapsed<ETA, metrics, cut to the width', () => {
    const entry = { loss: 0.6931, 'rewards/accuracies': 0.5, grad_norm: 1.25, learning_rate: 5e-6, step: 3 };
    const line = progressLine({ step: 3, total: 12, elapsedS: 30, secondsPerStep: 10, entry, columns: 200 });
    expect(line).toBe(`${bar(3, 12, 24)} 3/12  25%  10.00 s/it  0:30<1:30  loss 0.6931  acc 0.5  gnorm 1.25  lr 5e-6`);
    expect(progressLine({ step: 3, total: 12, elapsedS: 30, secondsPerStep: 10, entry, columns: 40 }).length).toBe(39);
    expect(metricsText({ loss: 1, nll_loss: 2 })).toBe('loss 1  nll 2');
  });
});

describe('ProgressPrinter', () => {
  it('on a TTY rewrites one line in place, messages go above it', () => {
    let now = 100;
    const { chunks, t } = term(true);
    const p = new ProgressPrinter(t, () => now);
    p.progress({ step: 1, totalSteps: 2, epoch: 0, phase: 'reference' });
    p.progress({ step: 2, totalSteps: 2, epoch: 0, phase: 'reference' }); // reference batches do not move the bar
    now = 104; p.progress({ step: 1, totalSteps: 4, epoch: 0.25, phase: 'train' }); // first step: 4 s (sessions)
    now = 106; p.progress({ step: 2, totalSteps: 4, epoch: 0.5, phase: 'train' });
    now = 108; p.progress({ step: 3, totalSteps: 4, epoch: 0.75, phase: 'train' });
    p.log({ loss: 0.5, step: 3 });
    p.say('a message');
    p.finish();
    const text = chunks.join('');
    expect(text.split('\n')).toHaveLength(4); // the reference phase, the message, and the line ended by finish()
    expect(p.firstStepSeconds).toBe(4);
    expect(chunks.every((c) => c.startsWith('\r') || c.endsWith('\n'))).toBe(true);
    // The rate leaves out the first step: (108 - 104) / 2 steps.
    expect(p.secondsPerStep()).toBe(2);
    expect(p.stepTimes).toEqual([2, 2]);
    expect(chunks.at(-2)).toContain('3/4  75%  2.00 s/it  0:08<0:02  loss 0.5');
    expect(text).toContain('\r\x1b[Ka message\n');
  });

  it('without a TTY prints plain lines, one per metrics entry and phase', () => {
    let now = 0;
    const { chunks, t } = term(false);
    const p = new ProgressPrinter(t, () => now);
    p.progress({ step: 1, totalSteps: 1, epoch: 0, phase: 'reference' });
    now = 1; p.progress({ step: 1, totalSteps: 2, epoch: 0.5, phase: 'train' });
    now = 3; p.progress({ step: 2, totalSteps: 2, epoch: 1, phase: 'train' });
    p.log({ loss: 0.25, 'rewards/accuracies': 1, epoch: 1, step: 2 });
    p.finish();
    expect(chunks).toEqual(['computing reference log-probs…\n', 'step 2/2  epoch 1  loss 0.25  acc 1  (2.00 s/it)\n']);
    expect(chunks.join('')).not.toContain('\r');
  });
});
