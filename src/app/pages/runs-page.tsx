// Runs: every training run kept in IndexedDB (config, start time, status, final metrics, log
// history), newest first, and downloads of a run's PEFT adapter files and metrics.jsonl.
import { formatDuration, formatNumber } from '../../components/format';
import '../../components/studio.css';
import type { RunRecord, RunStatus } from '../runs/run-db';
import { useStudio } from '../store';
import { stepLogs, useDownloadRunFile, useRuns } from './train-page.run';

/** The files a finished run offers for download. */
export const DOWNLOADS = ['adapter_config.json', 'adapter_model.safetensors', 'metrics.jsonl'] as const;

const BADGE: Record<RunStatus, string> = { running: 'warn', finished: 'good', stopped: '', failed: 'bad', interrupted: 'bad' };

const last = (r: RunRecord, k: string): number | undefined => [...r.logHistory].reverse().find((l) => Number.isFinite(l[k]))?.[k];

function Downloads({ run }: { run: RunRecord }) {
  const download = useDownloadRunFile();
  return (
    <div className="row">
      {DOWNLOADS.map((path) => (
        <button key={path} className="secondary small" disabled={!run.files.includes(path) || download.isPending} data-testid={`download-${path}`} onClick={() => download.mutate({ run, path })}>
          {path}
        </button>
      ))}
      {download.isError && <span className="verdict bad">{String(download.error)}</span>}
    </div>
  );
}

function RunDetail({ run }: { run: RunRecord }) {
  const keys = ['step', 'loss', 'rewards/margins', 'rewards/accuracies', 'grad_norm', 'learning_rate'];
  const c = run.config;
  return (
    <div className="card" data-testid="run-detail" data-run={run.id}>
      <div className="project-head">
        <h2>{run.id} <span className={`badge ${BADGE[run.status]}`}>{run.status}</span></h2>
        <Downloads run={run} />
      </div>
      <p className="lead">
        {c.trainer} on <code>{c.model_name_or_path}</code> with <code>{c.dataset_name}</code>{run.dataset ? ` (${run.dataset})` : ''}
        {run.error && <><br /><span className="verdict bad">{run.error}</span></>}
      </p>
      <div className="grid2">
        <div>
          <div className="section-title">Log history</div>
          <div className="table-wrap">
            <table className="records" data-testid="run-logs">
              <thead><tr>{keys.map((k) => <th key={k}>{k}</th>)}</tr></thead>
              <tbody>{stepLogs(run.logHistory).map((l, i) => <tr key={i}>{keys.map((k) => <td key={k}>{formatNumber(l[k], 4)}</td>)}</tr>)}</tbody>
            </table>
          </div>
        </div>
        <div>
          <div className="section-title">Config</div>
          <pre className="prompt" style={{ maxHeight: 320, overflow: 'auto' }}>{JSON.stringify(run.config, null, 2)}</pre>
        </div>
      </div>
    </div>
  );
}

/** The Runs page. */
export function RunsPage() {
  const runs = useRuns();
  const selected = useStudio((s) => s.selectedRun);
  const selectRun = useStudio((s) => s.selectRun);
  const navigate = useStudio((s) => s.navigate);
  const list = runs.data ?? [];
  const shown = list.find((r) => r.id === selected) ?? list[0];

  if (runs.isError) return <div className="card"><p className="verdict bad">Cannot read the run history: {String(runs.error)}</p></div>;
  if (runs.isSuccess && !list.length) {
    return (
      <div className="card empty">
        <h2>No runs yet</h2>
        <p>Every training run is kept here, in this browser (IndexedDB), with its adapter and metrics.</p>
        <div className="row" style={{ justifyContent: 'center' }}><button className="primary" onClick={() => navigate('train')}>Train →</button></div>
      </div>
    );
  }
  return (
    <>
      <div className="card">
        <h2>Run history <span className="muted" style={{ fontWeight: 400 }}>· {list.length} run{list.length === 1 ? '' : 's'}, kept in this browser</span></h2>
        <div className="table-wrap">
          <table className="records" data-testid="runs">
            <thead><tr><th>run</th><th>started</th><th>status</th><th>trainer</th><th>device</th><th>steps</th><th>train_loss</th><th>margins</th><th>accuracies</th><th>runtime</th></tr></thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id} className={`click ${r.id === shown?.id ? 'sel' : ''}`} onClick={() => selectRun(r.id)} data-testid="run-row" data-run={r.id} data-status={r.status}>
                  <td className="src">{r.id}</td>
                  <td className="nowrap">{new Date(r.startedAt).toLocaleString()}</td>
                  <td><span className={`badge ${BADGE[r.status]}`}>{r.status}</span></td>
                  <td>{r.config.trainer}{r.config.use_peft ? ` · LoRA r${r.config.lora_r}` : ''}</td>
                  <td>{r.config.device}</td>
                  <td>{r.metrics ? `${r.metrics.global_step}` : '–'}</td>
                  <td>{formatNumber(r.metrics?.train_loss, 4)}</td>
                  <td>{formatNumber(last(r, 'rewards/margins'), 4)}</td>
                  <td>{formatNumber(last(r, 'rewards/accuracies'), 3)}</td>
                  <td>{r.metrics ? formatDuration(r.metrics.train_runtime * 1000) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      {shown && <RunDetail run={shown} />}
    </>
  );
}
