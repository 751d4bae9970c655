// The engine check the studio runs in its worker (and the e2e test through it): train the
// one-block transformer for a few steps on one backend and report losses, timings and placement.
import { type Backend, GraphSession, type Ort } from '../session';
import { Graph, type OpSpec } from '../graph';
import { StepRunner } from '../train-step';
import { transformerExample } from '../examples/one-block-transformer';

export interface EngineCheckOptions {
  backend: Backend;
  steps: number;
  seed: number;
  /** Capture ORT's node placement log and report nodes that left the backend. */
  checkPlacement?: boolean;
}

export interface EngineCheckProgress { step: number; steps: number; loss: number; stepMs: number }

export interface EngineCheckResult {
  backend: Backend;
  losses: number[];
  stepMs: number[];
  /** Building the graph and opening the sessions. */
  sessionMs: number;
  /** Nodes ORT placed off the backend (empty is the goal on WebGPU). */
  fallbacks: string[];
  /** Placement groups parsed from ORT's log (0 means ORT printed none, so `fallbacks` proves nothing). */
  placementLines: number;
  /**
   * The detector's own check: a graph with ONNX LogSoftmax (no WebGPU kernel) must be reported as
   * falling back. Null when placement was not checked or the backend is not WebGPU.
   */
  detectorCaught: string[] | null;
  paramCount: number;
  /** True when stopped early by `shouldStop`. */
  stopped: boolean;
}

/** Run the check; `shouldStop` is polled between steps. */
export async function runEngineCheck(
  ort: Ort, o: EngineCheckOptions, onProgress: (p: EngineCheckProgress) => void = () => {}, shouldStop: () => boolean = () => false,
): Promise<EngineCheckResult> {
  let phase = 'building the graph';
  try {
    return await check(ort, o, onProgress, shouldStop, (p) => { phase = p; });
  } catch (e) {
    throw new Error(`engine check on ${o.backend} failed while ${phase}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function check(
  ort: Ort, o: EngineCheckOptions, onProgress: (p: EngineCheckProgress) => void, shouldStop: () => boolean, at: (phase: string) => void,
): Promise<EngineCheckResult> {
  const t0 = performance.now();
  const ex = transformerExample(o.seed);
  if (ex.steps.kind !== 'fused') throw new Error('the engine check expects a fused train step');
  const detectorCaught = o.checkPlacement && o.backend === 'webgpu' ? await detectorSelfTest(ort) : null;
  at('opening the training session');
  const runner = await StepRunner.create(ort, ex.steps, { backend: o.backend, state: ex.state, logPlacement: o.checkPlacement });
  const placement = {
    fallbacks: o.backend === 'webgpu' ? Object.values(runner.fallbacks()).flat() : [],
    lines: Object.values(runner.placementGroups()).reduce((a, b) => a + b, 0),
  };
  const sessionMs = performance.now() - t0;
  const losses: number[] = [];
  const stepMs: number[] = [];
  let stopped = false;
  try {
    for (let k = 0; k < o.steps; k++) {
      if (shouldStop()) { stopped = true; break; }
      at(`running step ${k + 1}`);
      const s = performance.now();
      const log = await runner.trainStep([ex.batchAt(k)]);
      stepMs.push(performance.now() - s);
      losses.push(log.loss);
      onProgress({ step: k + 1, steps: o.steps, loss: log.loss, stepMs: stepMs[k] });
    }
    const paramCount = ex.steps.paramNames.reduce((n, p) => n + ex.state[`params.${p}`].data.length, 0);
    return { backend: o.backend, losses, stepMs, sessionMs, fallbacks: placement.fallbacks, placementLines: placement.lines, detectorCaught, paramCount, stopped };
  } finally {
    await runner.release();
  }
}

// ONNX LogSoftmax has no kernel in ORT's WebGPU EP (DESIGN.md), so it must show up as a fallback.
const LogSoftmax: OpSpec = { type: 'LogSoftmax', infer: ([x]) => [{ dtype: x!.dtype, shape: x!.shape }] };

async function detectorSelfTest(ort: Ort): Promise<string[]> {
  const g = new Graph('placement-detector');
  const x = g.input('x', 'float32', [2, 8]);
  g.output('y', g.emit(LogSoftmax, [x], { axis: -1 })[0]);
  const s = await GraphSession.create(ort, g, { backend: 'webgpu', logPlacement: true });
  try { return s.fallbacks(); } finally { await s.release(); }
}
