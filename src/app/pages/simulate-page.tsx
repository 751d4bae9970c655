// Simulate: the biasing and error-simulation settings of the dataset config as a form, a live
// preview of the pairs they give (debounced; the same seed gives the same pairs), measured
// against configured edit rates, and export of the pairs as TRL JSONL.
import { useMutation } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DiffLegend, DiffText } from '../../components/pair-card';
import { formatNumber } from '../../components/format';
import { diffWords } from '../../components/word-diff';
import '../../components/studio.css';
import type { SimSummary } from '../../sim/simulate';
import { useStudio } from '../store';
import { dataWorker, downloadBlob, useDebounced, usePairs, useProjectInput, useProjectReport, useSimConfig, useSimForm } from './data-page.hooks';
import { SIM_FIELDS, type SimForm } from './simulate-page.form';

const PREVIEW = 8;
const pct = (x: number) => `${formatNumber(x * 100, 3)}%`;

function Field({ f, form }: { f: (typeof SIM_FIELDS)[number]; form: SimForm }) {
  const setSimField = useStudio((s) => s.setSimField);
  const value = form[f.key];
  return (
    <label className="field" title={f.hint}>
      {f.label}
      <input
        type="number" min={f.min} max={f.max} step={f.step} data-testid={`sim-${f.key}`}
        value={Number.isFinite(value) ? value : ''}
        disabled={f.section === 'biasing' && !form.biasing}
        onChange={(e) => setSimField(f.key, e.target.valueAsNumber)}
      />
    </label>
  );
}

function RatesChart({ summary }: { summary: SimSummary }) {
  const data = [
    { kind: 'substitutions', configured: summary.configured.substitutionRate * 100, measured: summary.measured.substitutionRate * 100 },
    { kind: 'deletions', configured: summary.configured.deletionRate * 100, measured: summary.measured.deletionRate * 100 },
    { kind: 'insertions', configured: summary.configured.insertionRate * 100, measured: summary.measured.insertionRate * 100 },
  ];
  return (
    <div style={{ height: 200 }} data-testid="rates-chart">
      <ResponsiveContainer>
        <BarChart data={data} margin={{ left: 0, right: 8, top: 8 }}>
          <CartesianGrid stroke="#eef0f4" vertical={false} />
          <XAxis dataKey="kind" tick={{ fontSize: 12 }} />
          <YAxis width={44} tickFormatter={(v: number) => `${formatNumber(v, 2)}%`} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v) => `${formatNumber(Number(v), 3)}%`} />
          <Legend wrapperStyle={{ fontSize: 12 }} formatter={(v) => <span style={{ color: '#475467' }}>{v}</span>} />
          <Bar dataKey="configured" name="configured (expected)" fill="#c7d2fe" isAnimationActive={false} />
          <Bar dataKey="measured" name="measured (aligned)" fill="#4f46e5" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** The Simulate page. */
export function SimulatePage() {
  const report = useProjectReport();
  const navigate = useStudio((s) => s.navigate);
  const resetSim = useStudio((s) => s.resetSim);
  const setSimBiasing = useStudio((s) => s.setSimBiasing);
  const edits = useStudio((s) => s.simEdits);
  const input = useProjectInput();
  const form = useSimForm();
  const settled = useDebounced(form, 250);
  const sim = useSimConfig(settled);
  const current = useSimConfig(form);
  const pairs = usePairs(sim);
  const exportPairs = useMutation({
    mutationFn: () => dataWorker().exportSimulated(input, current),
    onSuccess: (blob) => downloadBlob(blob, `simulated-pairs-seed${current.seed}.jsonl`),
  });
  const preview = useMemo(() => (pairs.data?.pairs ?? []).slice(0, PREVIEW).map((p) => ({ p, d: diffWords(p.chosen, p.rejected) })), [pairs.data]);

  const r = report.data;
  if (r && r.pairSource !== 'simulated') {
    return (
      <div className="card empty">
        <h2>Nothing to simulate</h2>
        <p>{r.pairSource === 'dataset' ? `This project's pairs come from the dataset itself (${r.summary.format}).` : r.loadError ?? `This project has no ASR examples (${r.summary.format}).`} Simulation turns transcripts (a LibriSpeech folder, the seed TSV) into chosen/rejected pairs.</p>
        <div className="row" style={{ justifyContent: 'center' }}>
          {r.pairSource === 'dataset' && <button className="primary" onClick={() => navigate('review')}>Review the pairs →</button>}
          <button className="secondary" onClick={() => navigate('data')}>Data page</button>
        </div>
      </div>
    );
  }

  const s = pairs.data?.summary ?? null;
  const stale = !pairs.isSuccess || pairs.isPlaceholderData || pairs.isFetching || settled !== form;
  const sections = [
    { id: 'run', title: 'Run' },
    { id: 'biasing', title: 'Biasing (contextual bias lists)' },
    { id: 'errors', title: 'Error simulation (simu_preference)' },
  ] as const;

  return (
    <>
      <div className="grid2">
        <div className="card">
          <div className="project-head">
            <h2>Settings</h2>
            <button className="secondary small" onClick={resetSim} disabled={Object.keys(edits).length === 0}>Reset to {r?.configFile ?? 'defaults'}</button>
          </div>
          <p className="lead">From {r?.configFile ? <code>{r.configFile}</code> : "the seed script's built-in config"}; edits apply at once to the preview.</p>
          {sections.map((sec) => (
            <div key={sec.id}>
              <div className="section-title row" style={{ justifyContent: 'space-between' }}>
                {sec.title}
                {sec.id === 'biasing' && (
                  <label className="check"><input type="checkbox" checked={form.biasing} onChange={(e) => setSimBiasing(e.target.checked)} data-testid="sim-biasing" /> on</label>
                )}
              </div>
              <div className="form-grid">
                {SIM_FIELDS.filter((f) => f.section === sec.id).map((f) => <Field key={f.key} f={f} form={form} />)}
              </div>
            </div>
          ))}
          {pairs.isError && <div className="form-error" data-testid="sim-error">{String(pairs.error).replace(/^Error: /, '')}</div>}
        </div>

        <div className="card" data-testid="sim-summary">
          <div className="project-head">
            <h2>Summary {s && <span className="muted" style={{ fontWeight: 400 }}>· {s.utterances} utterances, {s.referenceWords} words</span>}</h2>
            <button className="primary" onClick={() => exportPairs.mutate()} disabled={!s || exportPairs.isPending || pairs.isError} data-testid="export-pairs">
              {exportPairs.isPending ? 'Exporting…' : 'Export pairs (TRL JSONL)'}
            </button>
          </div>
          {exportPairs.isError && <p className="verdict bad">{String(exportPairs.error)}</p>}
          {s ? (
            <div className={stale ? 'stale' : ''}>
              <RatesChart summary={s} />
              <table className="metrics">
                <thead><tr><th /><th>configured</th><th>applied</th><th>measured</th></tr></thead>
                <tbody>
                  <tr><td>WER</td><td>{pct(s.configured.errorRate)}</td><td>–</td><td data-testid="measured-wer">{pct(s.measured.wer)}</td></tr>
                  <tr><td>substitutions</td><td>{pct(s.configured.substitutionRate)}</td><td>{pct(s.applied.substitutionRate)}</td><td>{pct(s.measured.substitutionRate)}</td></tr>
                  <tr><td>deletions</td><td>{pct(s.configured.deletionRate)}</td><td>{pct(s.applied.deletionRate)}</td><td>{pct(s.measured.deletionRate)}</td></tr>
                  <tr><td>insertions</td><td>{pct(s.configured.insertionRate)}</td><td>{pct(s.applied.insertionRate)}</td><td>{pct(s.measured.insertionRate)}</td></tr>
                </tbody>
              </table>
              <p className="muted" style={{ marginBottom: 0 }}>
                {s.bias.enabled
                  ? `Biasing: ${s.bias.lists} lists with ${s.bias.entries} entries (${s.bias.hits} hits, ${s.bias.distractors} distractors; hit fraction ${pct(s.bias.hitFraction)}), ${s.bias.rareWords} rare words.`
                  : 'Biasing off: every prompt is the plain ASR instruction.'}
                {s.identical > 0 && ` ${s.identical} pair(s) have rejected equal to chosen.`}
              </p>
            </div>
          ) : <p className="muted">{pairs.isError ? 'Fix the settings to see a summary.' : 'Simulating…'}</p>}
        </div>
      </div>

      <div className="card">
        <div className="project-head">
          <h2>Preview <span className="muted" style={{ fontWeight: 400 }}>· first {preview.length} of {pairs.data?.pairs.length ?? 0} pairs, seed {sim.seed}</span></h2>
          <div className="row"><DiffLegend /><button className="secondary small" onClick={() => navigate('review')}>Review all →</button></div>
        </div>
        <div className={`sim-pairs ${stale ? 'stale' : ''}`} data-testid="sim-preview" data-seed={pairs.isSuccess && !pairs.isPlaceholderData ? sim.seed : ''} data-state={stale ? 'stale' : 'fresh'}>
          {preview.map(({ p, d }) => (
            <div className="sim-pair" key={p.key} data-testid="sim-pair">
              <span className="id">{p.id}<br /><span className={`badge ${p.wer > 0.3 ? 'bad' : p.wer > 0 ? 'warn' : ''}`}>WER {pct(p.wer)}</span></span>
              <div>
                <div className="sim-line"><span className="line-tag">chosen</span><DiffText words={d.ref} side="chosen" /></div>
                <div className="sim-line"><span className="line-tag">rejected</span><DiffText words={d.hyp} side="rejected" /></div>
                {p.biasList.length > 0 && <div className="row chips"><span className="muted">bias list</span>{p.biasList.map((b) => <span key={b} className="badge">{b}</span>)}</div>}
              </div>
            </div>
          ))}
        </div>
      </div>
    </>
  );
}
