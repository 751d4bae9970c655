// Train: the common `prefstudio train` flags as a form (validated with the CLI's schema), Start /
// Stop (stop checkpoints), progress with ETA, live charts of the logged metrics, and the summary.
// The run itself is a react-query mutation over the worker (train-page.run.ts).
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ProgressBar } from '../../components/progress-bar';
import { formatDuration, formatNumber } from '../../components/format';
import '../../components/studio.css';
import { SCHEDULERS, TRAINERS } from '../../train/config';
import { useRuntimeInfo } from '../app';
import { useStudio } from '../store';
import { NUMBER_FIELDS, trainForm, validateTrainForm, type NumberFieldSpec, type TrainForm, type TrainValidation } from './train-page.form';
import { stepLogs, useLiveRun, useStartTrain, useStopTrain, type LiveRun } from './train-page.run';

type Errors = NonNullable<TrainValidation['errors']>;

/** The metrics charted live, TRL's names. */
export const CHARTS = [
  { key: 'loss', color: '#4f46e5' },
  { key: 'rewards/margins', color: '#12b76a' },
  { key: 'rewards/accuracies', color: '#f79009' },
  { key: 'grad_norm', color: '#7a5af8' },
  { key: 'learning_rate', color: '#0ba5ec' },
] as const;

const FieldError = ({ text }: { text?: string }) => (text ? <span className="field-error" style={{ color: '#b42318', fontSize: 11 }}>{text}</span> : null);

function NumberField({ f, form, errors, disabled }: { f: NumberFieldSpec; form: TrainForm; errors: Errors; disabled?: boolean }) {
  const setTrainNumber = useStudio((s) => s.setTrainNumber);
  const value = form[f.key];
  return (
    <label className="field" style={{ overflowWrap: 'anywhere' }}>
      {f.label}
      <input
        type="number" step={f.step} min={f.min} data-testid={`train-${f.key}`} disabled={disabled}
        className={errors[f.key] ? 'bad' : ''} value={Number.isFinite(value) ? value : ''}
        onChange={(e) => setTrainNumber(f.key, e.target.valueAsNumber)}
      />
      <FieldError text={errors[f.key]} />
    </label>
  );
}

function Select<K extends 'trainer' | 'lr_scheduler_type' | 'device'>({ k, options, form, errors, disabled }: { k: K; options: readonly TrainForm[K][]; form: TrainForm; errors: Errors; disabled?: boolean }) {
  const setTrainText = useStudio((s) => s.setTrainText);
  return (
    <label className="field">
      {k}
      <select value={form[k]} data-testid={`train-${k}`} disabled={disabled} onChange={(e) => setTrainText(k, e.target.value as TrainForm[K])}>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
      <FieldError text={errors[k]} />
    </label>
  );
}

function TextField({ k, label, form, errors, wide }: { k: 'model' | 'dataset' | 'loss_type'; label: string; form: TrainForm; errors: Errors; wide?: boolean }) {
  const setTrainText = useStudio((s) => s.setTrainText);
  return (
    <label className="field" style={wide ? { gridColumn: 'span 2' } : undefined}>
      {label}
      <input type="text" value={form[k]} data-testid={`train-${k}`} className={errors[k] ? 'bad' : ''} onChange={(e) => setTrainText(k, e.target.value)} />
      <FieldError text={errors[k]} />
    </label>
  );
}

function ConfigCard({ form, errors, running }: { form: TrainForm; errors: Errors; running: boolean }) {
  const resetTrain = useStudio((s) => s.resetTrain);
  const setTrainPeft = useStudio((s) => s.setTrainPeft);
  const edits = useStudio((s) => s.trainEdits);
  const runtime = useRuntimeInfo();
  const section = (id: NumberFieldSpec['section']) => NUMBER_FIELDS.filter((f) => f.section === id)
    .map((f) => <NumberField key={f.key} f={f} form={form} errors={errors} disabled={f.section === 'lora' && !form.use_peft} />);
  return (
    <div className="card">
      <div className="project-head">
        <h2>Configuration</h2>
        <button className="secondary small" onClick={resetTrain} disabled={running || Object.keys(edits).length === 0}>Reset to demo defaults</button>
      </div>
      <p className="lead">The <code>prefstudio train</code> flags with TRL's names. Defaults train a LoRA adapter on the built-in tiny Llama and demo pairs.</p>
      <fieldset disabled={running} style={{ border: 0, padding: 0, margin: 0 }} data-testid="train-form">
        <div className="section-title">Model and data</div>
        <div className="form-grid">
          <TextField k="model" label="model_name_or_path (URL)" form={form} errors={errors} wide />
          <TextField k="dataset" label="dataset_name (JSONL URL)" form={form} errors={errors} wide />
        </div>
        <div className="section-title">Trainer</div>
        <div className="form-grid">
          <Select k="trainer" options={TRAINERS.filter((t) => t !== 'adpo')} form={form} errors={errors} />
          <TextField k="loss_type" label="loss_type" form={form} errors={errors} />
          {section('optim')}
          <Select k="lr_scheduler_type" options={SCHEDULERS} form={form} errors={errors} />
        </div>
        <div className="section-title">Steps and batches</div>
        <div className="form-grid">{section('schedule')}</div>
        <div className="section-title row" style={{ justifyContent: 'space-between' }}>
          LoRA (use_peft)
          <label className="check"><input type="checkbox" checked={form.use_peft} onChange={(e) => setTrainPeft(e.target.checked)} data-testid="train-use_peft" /> on</label>
        </div>
        <div className="form-grid">{section('lora')}</div>
        <div className="section-title">Run</div>
        <div className="form-grid">
          {section('run')}
          <Select k="device" options={runtime.data?.webgpu === false ? ['wasm'] : ['webgpu', 'wasm']} form={form} errors={errors} />
        </div>
      </fieldset>
      {errors.config && <div className="form-error" data-testid="train-error">{errors.config}</div>}
    </div>
  );
}

function MetricChart({ logs, metric, color }: { logs: Record<string, number>[]; metric: string; color: string }) {
  const data = logs.filter((l) => Number.isFinite(l[metric])).map((l) => ({ step: l.step, v: l[metric] }));
  return (
    <div className="stat" data-testid={`chart-${metric}`} data-points={data.length}>
      <span>{metric}{data.length ? ` · ${formatNumber(data[data.length - 1].v, 4)}` : ''}</span>
      <div style={{ height: 150 }}>
        <ResponsiveContainer>
          <LineChart data={data} margin={{ left: 0, right: 8, top: 8 }}>
            <CartesianGrid stroke="#eef0f4" />
            <XAxis dataKey="step" tick={{ fontSize: 11 }} />
            <YAxis width={52} tick={{ fontSize: 11 }} tickFormatter={(v: number) => formatNumber(v, 3)} domain={['auto', 'auto']} />
            <Tooltip formatter={(v) => formatNumber(Number(v), 6)} labelFormatter={(s) => `step ${String(s)}`} />
            <Line dataKey="v" name={metric} stroke={color} dot={data.length < 30} strokeWidth={2} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

function Summary({ run }: { run: LiveRun }) {
  const r = run.result;
  if (run.status === 'failed') return <p className="verdict bad" data-testid="train-failed">Failed: {run.error}</p>;
  if (!r) return null;
  const s = r.summary;
  const steps = stepLogs(s.logHistory);
  const last = steps[steps.length - 1] ?? {};
  return (
    <div data-testid="train-summary" data-run={run.id} data-status={run.status} data-logged={steps.length}>
      <p className={`verdict ${run.status === 'stopped' ? '' : 'good'}`}>
        {run.status === 'stopped' ? `Stopped at step ${s.globalStep} of ${s.totalSteps} (checkpoint saved)` : `Finished ${s.globalStep} steps`}
        {' '}on {r.backend === 'webgpu' ? 'WebGPU' : 'WASM'} in {formatDuration(r.wallMs)}
      </p>
      <table className="metrics">
        <tbody>
          <tr><td>train_loss</td><td>{formatNumber(s.trainLoss, 5)}</td><td>examples</td><td>{r.examples}</td></tr>
          <tr><td>rewards/margins</td><td>{formatNumber(last['rewards/margins'], 4)}</td><td>rewards/accuracies</td><td>{formatNumber(last['rewards/accuracies'], 3)}</td></tr>
          <tr><td>trainable parameters</td><td>{s.trainableParameters.toLocaleString()}</td><td>sequence length</td><td>{s.length}</td></tr>
        </tbody>
      </table>
      <p className="muted" style={{ marginBottom: 0 }}>{r.dataset}. Files are in the run history: <code>{s.files.filter((f) => !f.includes('/')).join(', ')}</code></p>
    </div>
  );
}

/** The Train page. */
export function TrainPage() {
  const edits = useStudio((s) => s.trainEdits);
  const navigate = useStudio((s) => s.navigate);
  const runtime = useRuntimeInfo();
  const liveRun = useLiveRun().data;
  const start = useStartTrain();
  const stop = useStopTrain();
  const form = trainForm(edits, runtime.data?.webgpu ?? false);
  const v = validateTrainForm(form);
  const errors: Errors = v.errors ?? {};
  const running = liveRun?.status === 'running';

  return (
    <>
      <div className="grid2">
        <ConfigCard form={form} errors={errors} running={running} />
        <div className="card" data-testid="train-status">
          <div className="project-head">
            <h2>Run {liveRun && <span className="muted" style={{ fontWeight: 400 }}>· {liveRun.id}</span>}</h2>
            <div className="row">
              {running && liveRun
                ? <button className="secondary" onClick={() => stop.mutate(liveRun.id)} disabled={stop.isPending} data-testid="train-stop">Stop (checkpoint)</button>
                : <button className="primary" onClick={() => v.config && start.mutate(v.config)} disabled={!v.config || runtime.isPending} data-testid="train-start">Start training</button>}
            </div>
          </div>
          {!liveRun && <p className="muted">Set the flags and start: the worker trains on {form.device === 'webgpu' ? 'WebGPU' : 'WASM'}, and every run is kept on the Runs page.</p>}
          {liveRun && (
            <>
              <ProgressBar done={liveRun.step} total={liveRun.totalSteps} startedAt={liveRun.startedAt} label="training steps" />
              <p className="muted" data-testid="train-phase">{running ? liveRun.phase : liveRun.status} · {liveRun.logs.length} logged step{liveRun.logs.length === 1 ? '' : 's'}</p>
              <Summary run={liveRun} />
              {liveRun.messages.length > 0 && <pre className="log">{liveRun.messages.join('\n')}</pre>}
              {!running && <button className="secondary small" onClick={() => navigate('runs')}>All runs →</button>}
            </>
          )}
        </div>
      </div>
      <div className="card">
        <h2>Metrics <span className="muted" style={{ fontWeight: 400 }}>· every logging step</span></h2>
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(300px, 1fr))', gap: 10 }}>
          {CHARTS.map((c) => <MetricChart key={c.key} logs={liveRun?.logs ?? []} metric={c.key} color={c.color} />)}
        </div>
      </div>
    </>
  );
}
