// Engine check: train the same one-block transformer on WebGPU and on WASM in the worker, then
// compare the loss curves. It is the user's proof that their GPU path computes what the CPU does.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { EngineCheckProgress, EngineCheckResult } from '../../engine/check/engine-check';
import { compareLosses } from '../../engine/check/compare';
import { ProgressBar } from '../../components/progress-bar';
import { formatNumber } from '../../components/format';
import { useStudio } from '../store';
import { callback, worker } from '../worker-client';
import { useRuntimeInfo } from '../app';

type Backend = 'webgpu' | 'wasm';

interface LiveState { backend: Backend; step: number; steps: number; startedAt: number }

const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

/** The Engine check page. */
export function EnginePage() {
  const steps = useStudio((s) => s.engineSteps);
  const setSteps = useStudio((s) => s.setEngineSteps);
  const runtime = useRuntimeInfo();
  const [live, setLive] = useState<LiveState | null>(null);
  const [seed, setSeed] = useState(0);

  const run = useMutation({
    mutationFn: async (): Promise<EngineCheckResult[]> => {
      const backends: Backend[] = runtime.data?.webgpu ? ['webgpu', 'wasm'] : ['wasm'];
      const results: EngineCheckResult[] = [];
      for (const backend of backends) {
        const startedAt = Date.now();
        setLive({ backend, step: 0, steps, startedAt });
        const onProgress = callback((p: EngineCheckProgress) => setLive({ backend, step: p.step, steps: p.steps, startedAt }));
        results.push(await worker().engineCheck(`engine-${backend}`, { backend, steps, seed, checkPlacement: true }, onProgress));
      }
      setLive(null);
      return results;
    },
  });

  const results = run.data ?? [];
  const chart = results.length
    ? results[0].losses.map((_, i) => Object.fromEntries([['step', i + 1], ...results.map((r) => [r.backend, r.losses[i]])]))
    : [];
  const gpu = results.find((r) => r.backend === 'webgpu');
  const cpu = results.find((r) => r.backend === 'wasm');
  const cmp = gpu && cpu ? compareLosses(gpu.losses, cpu.losses) : null;

  return (
    <>
      <div className="card">
        <h2>Train a one-block causal transformer in this tab</h2>
        <p className="lead">
          The worker builds the forward, backward and AdamW step as one ONNX graph, keeps weights and optimizer state on
          the GPU between steps, and runs the same graph on the WASM backend as the reference. Losses should agree to
          float32 rounding, and no node may fall back to the CPU.
        </p>
        <div className="row">
          <label className="field">Steps<input type="number" value={steps} min={1} max={500} onChange={(e) => setSteps(Number(e.target.value))} /></label>
          <label className="field">Seed<input type="number" value={seed} onChange={(e) => setSeed(Number(e.target.value) | 0)} /></label>
          <button className="primary" disabled={run.isPending || runtime.isPending} onClick={() => run.mutate()} data-testid="run-engine-check">
            {run.isPending ? 'Running…' : runtime.data?.webgpu ? 'Run on WebGPU and WASM' : 'Run on WASM'}
          </button>
          {run.isPending && live && (
            <button className="secondary" onClick={() => worker().cancel(`engine-${live.backend}`)}>Stop</button>
          )}
        </div>
        {live && (
          <div style={{ marginTop: 14 }}>
            <div className="muted" style={{ marginBottom: 4 }}>{live.backend === 'webgpu' ? 'WebGPU' : 'WASM'}</div>
            <ProgressBar done={live.step} total={live.steps} startedAt={live.startedAt} label={`${live.backend} steps`} />
          </div>
        )}
        {run.isError && <p className="verdict bad" data-testid="engine-error">Failed: {String(run.error)}</p>}
      </div>

      {results.length > 0 && (
        <div className="grid2">
          <div className="card">
            <h2>Training loss</h2>
            <div style={{ height: 260 }}>
              <ResponsiveContainer>
                <LineChart data={chart} margin={{ left: 4, right: 12, top: 8 }}>
                  <CartesianGrid stroke="#eef0f4" />
                  <XAxis dataKey="step" />
                  <YAxis width={48} tickFormatter={(v: number) => formatNumber(v, 3)} />
                  <Tooltip formatter={(v) => formatNumber(Number(v), 6)} />
                  <Legend />
                  <Line dataKey="webgpu" name="WebGPU" stroke="#4f46e5" dot={false} strokeWidth={2} isAnimationActive={false} />
                  <Line dataKey="wasm" name="WASM" stroke="#f79009" dot={false} strokeDasharray="5 4" strokeWidth={2} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </div>
          <div className="card" data-testid="engine-summary" data-results={JSON.stringify(results)}>
            <h2>Summary</h2>
            <table className="metrics">
              <thead><tr><th>backend</th><th>first loss</th><th>last loss</th><th>median step</th><th>session build</th><th>CPU fallbacks</th></tr></thead>
              <tbody>
                {results.map((r) => (
                  <tr key={r.backend}>
                    <td>{r.backend === 'webgpu' ? 'WebGPU' : 'WASM'}</td>
                    <td>{formatNumber(r.losses[0], 6)}</td>
                    <td>{formatNumber(r.losses[r.losses.length - 1], 6)}</td>
                    <td>{formatNumber(median(r.stepMs), 3)} ms</td>
                    <td>{formatNumber(r.sessionMs, 3)} ms</td>
                    <td>{r.backend === 'webgpu' ? r.fallbacks.length : '–'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {cmp && (
              <p className={`verdict ${cmp.ok ? 'good' : 'bad'}`} data-testid="engine-verdict">
                {cmp.ok ? 'WebGPU matches WASM' : 'WebGPU and WASM disagree'}: max relative difference {formatNumber(cmp.maxRel, 3)}
                {' '}(tolerance {formatNumber(cmp.tolerance, 2)}){gpu && gpu.fallbacks.length ? `, ${gpu.fallbacks.length} node(s) on CPU` : ''}
              </p>
            )}
            {gpu?.detectorCaught && (
              <p className="muted">
                Placement detector: {gpu.detectorCaught.length ? `verified: a LogSoftmax probe graph was reported off the GPU` : 'did not catch the LogSoftmax probe, so the fallback count is unproven'}
              </p>
            )}
            {gpu && gpu.fallbacks.length > 0 && <pre className="log">{gpu.fallbacks.join('\n')}</pre>}
          </div>
        </div>
      )}
    </>
  );
}
