// How two backends' loss curves are judged equal (float32 reductions run in different orders).

/** Default relative tolerance between WebGPU and WASM losses over a short training run. */
export const LOSS_TOLERANCE = 2e-3;

/** Largest relative difference between two loss curves and whether it is within `tolerance`. */
export function compareLosses(a: number[], b: number[], tolerance = LOSS_TOLERANCE): { ok: boolean; maxRel: number; tolerance: number } {
  if (a.length !== b.length || a.length === 0) return { ok: false, maxRel: Infinity, tolerance };
  let maxRel = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) return { ok: false, maxRel: Infinity, tolerance };
    maxRel = Math.max(maxRel, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-6));
  }
  return { ok: maxRel <= tolerance, maxRel, tolerance };
}
