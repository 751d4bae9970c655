import { describe, expect, it } from 'vitest';
import { Graph, gradients } from '../../engine';
import { orpoLoss } from './orpo';
import { sequenceStats } from './sequence';
import { runGraph } from './testing';

const B = 3;
const T = 4;
const mask = [1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 1];
const rmask = [1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0];
// Near-certain tokens (mean log-prob -2e-4), ordinary ones, and an unlikely sequence.
const chosen = [-1e-4, -3e-4, -2e-4, -9, -0.5, -1.2, -9, -9, -6, -7, -5, -8];
const rejected = [-0.3, -0.9, -9, -9, -1e-3, -2e-3, -4e-3, -1e-3, -2.5, -9, -9, -9];

/** ORPO loss and its gradient w.r.t. both per-token log-prob tensors, on the WASM EP. */
async function orpo(c: number[], r: number[]): Promise<Record<string, number[]>> {
  const g = new Graph('orpo-fd');
  const xc = g.input('chosen', 'float32', [B, T]);
  const xr = g.input('rejected', 'float32', [B, T]);
  const mc = g.input('chosen_mask', 'float32', [B, T]);
  const mr = g.input('rejected_mask', 'float32', [B, T]);
  const { loss } = orpoLoss({ beta: 0.5 }, { chosen: sequenceStats(xc, mc), rejected: sequenceStats(xr, mr) });
  g.output('loss', loss);
  const [dc, dr] = gradients(loss, [xc, xr]);
  g.output('dc', dc);
  g.output('dr', dr);
  return runGraph(g, {
    chosen: { data: c, dims: [B, T] }, rejected: { data: r, dims: [B, T] },
    chosen_mask: { data: mask, dims: [B, T] }, rejected_mask: { data: rmask, dims: [B, T] },
  });
}

describe('ORPO odds-ratio term', () => {
  it('its gradient agrees with central finite differences, near-certain sequences included', async () => {
    const base = await orpo(chosen, rejected);
    for (const [side, xs, m, grad] of [['chosen', chosen, mask, base.dc], ['rejected', rejected, rmask, base.dr]] as const) {
      for (let i = 0; i < xs.length; i++) {
        if (!m[i]) { expect(grad[i], `${side}[${i}] padding`).toBe(0); continue; }
        // Step relative to the token so a -1e-4 log-prob stays negative; f32 noise / 2h < 1e-3.
        const h = Math.max(Math.abs(xs[i]) * 0.02, 2e-5);
        const up = [...xs]; up[i] += h;
        const dn = [...xs]; dn[i] -= h;
        const [p, q] = side === 'chosen'
          ? await Promise.all([orpo(up, rejected), orpo(dn, rejected)])
          : await Promise.all([orpo(chosen, up), orpo(chosen, dn)]);
        const fd = (p.loss[0] - q.loss[0]) / (Math.fround(up[i]) - Math.fround(dn[i]));
        expect(Math.abs(fd - grad[i]), `${side}[${i}]: fd ${fd} vs ${grad[i]}`).toBeLessThan(2e-3 * Math.abs(grad[i]) + 2e-4);
      }
    }
  });

  it('stays finite when a mean log-prob is exactly 0', async () => {
    const c = chosen.map((v, i) => (i < 4 ? 0 : v));
    const r = await orpo(c, rejected);
    expect(Number.isFinite(r.loss[0])).toBe(true);
    expect(r.dc.every(Number.isFinite)).toBe(true);
  });

  it("logs logits/* over every position ('all', TRL) or over the completion ('masked')", async () => {
    const logits = [1, 2, 3, 100, 4, 5, 100, 100, -1, -2, -3, -4];
    const out: Record<string, number[]>[] = [];
    for (const logitsMean of ['all', 'masked'] as const) {
      const g = new Graph('orpo-logits');
      const x = g.input('x', 'float32', [B, T]);
      const m = g.input('m', 'float32', [B, T]);
      const l = g.input('l', 'float32', [B, T]);
      const s = sequenceStats(x, m, l);
      const { metrics } = orpoLoss({ beta: 0.1, logitsMean }, { chosen: s, rejected: s });
      g.output('lc', metrics['logits/chosen']!);
      out.push(await runGraph(g, {
        x: { data: chosen, dims: [B, T] }, m: { data: mask, dims: [B, T] }, l: { data: logits, dims: [B, T] },
      }));
    }
    expect(out[0].lc[0]).toBeCloseTo(logits.reduce((a, b) => a + b, 0) / logits.length, 4);
    const kept = logits.filter((_, i) => mask[i]);
    expect(out[1].lc[0]).toBeCloseTo(kept.reduce((a, b) => a + b, 0) / kept.length, 5);
  });
});
