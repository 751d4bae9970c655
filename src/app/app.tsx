// The studio shell: sidebar navigation, runtime status, the current page.
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useStudio, type Route } from './store';
import { worker } from './worker-client';
import { EnginePage } from './pages/engine-page';
import { DataPage } from './pages/data-page';
import { SimulatePage } from './pages/simulate-page';
import { ReviewPage } from './pages/review-page';
import { JudgePage } from './pages/judge-page';
import { TrainPage } from './pages/train-page';
import { RunsPage } from './pages/runs-page';

const pages: { route: Route; label: string; key: string; hint: string }[] = [
  { route: 'data', label: 'Data', key: 'g d', hint: 'Drop files or folders; validation report and TRL export' },
  { route: 'simulate', label: 'Simulate', key: 'g s', hint: 'Biasing and error simulation with a live preview of pairs' },
  { route: 'review', label: 'Review', key: 'g r', hint: 'Pairs side by side with a word diff and the waveform' },
  { route: 'judge', label: 'Judge', key: 'g j', hint: 'Blind A/B labeling with the keyboard' },
  { route: 'train', label: 'Train', key: 'g t', hint: 'Train a LoRA adapter with DPO, ORPO or SFT in the worker; live charts' },
  { route: 'runs', label: 'Runs', key: 'g u', hint: 'Run history (IndexedDB) and adapter downloads' },
  { route: 'engine', label: 'Engine check', key: 'g e', hint: 'Train a one-block transformer on WebGPU and WASM and compare' },
];

/** Runtime facts from the worker (WebGPU adapter, isolation, ORT version). */
export function useRuntimeInfo() {
  return useQuery({ queryKey: ['runtime-info'], queryFn: () => worker().runtimeInfo() });
}

function RuntimeBadge() {
  const info = useRuntimeInfo();
  if (info.isPending) return <span className="badge">starting worker…</span>;
  if (info.isError) return <span className="badge bad">worker failed: {String(info.error)}</span>;
  const i = info.data;
  return (
    <div className="runtime" data-testid="runtime">
      <span className={`badge ${i.webgpu ? 'good' : 'warn'}`} title={i.adapter ?? 'no adapter'}>
        {i.webgpu ? `WebGPU · ${i.adapter}` : 'WebGPU unavailable · WASM only'}
      </span>
      <span className={`badge ${i.crossOriginIsolated ? 'good' : 'warn'}`}>
        {i.crossOriginIsolated ? `isolated · ${i.wasmThreads} WASM threads` : 'not cross-origin isolated'}
      </span>
      <span className="badge">ORT {i.ortVersion}</span>
    </div>
  );
}

/** The whole studio. */
export function App() {
  const route = useStudio((s) => s.route);
  const navigate = useStudio((s) => s.navigate);
  useEffect(() => {
    let armed = false;
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) return;
      if (e.key === 'g') { armed = true; return; }
      if (armed) {
        const hit = pages.find((p) => p.key === `g ${e.key}`);
        if (hit) navigate(hit.route);
      }
      armed = false;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="brand"><img src="/favicon.svg" alt="" width={26} height={26} /> PrefStudio</div>
        <nav>
          {pages.map((p) => (
            <button key={p.route} className={route === p.route ? 'active' : ''} onClick={() => navigate(p.route)} title={p.hint}>
              {p.label}<kbd>{p.key}</kbd>
            </button>
          ))}
        </nav>
        <div className="sidebar-foot">preference fine-tuning in a tab</div>
      </aside>
      <main>
        <header className="topbar">
          <h1>{pages.find((p) => p.route === route)?.label ?? 'PrefStudio'}</h1>
          <RuntimeBadge />
        </header>
        <section className="page">
          {route === 'engine' && <EnginePage />}
          {route === 'data' && <DataPage />}
          {route === 'simulate' && <SimulatePage />}
          {route === 'review' && <ReviewPage />}
          {route === 'judge' && <JudgePage />}
          {route === 'train' && <TrainPage />}
          {route === 'runs' && <RunsPage />}
        </section>
      </main>
    </div>
  );
}
