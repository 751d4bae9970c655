// Data: the project the studio works on (the built-in demo, or dropped files and folders) and
// its validation report: detected format, counts, skip reasons, the first errors as
// `file:line: field: message`, warnings, the first records, and TRL JSONL export.
import { useMutation } from '@tanstack/react-query';
import { formatRecordError, type RecordError } from '../../data';
import { FileDrop } from '../../components/file-drop';
import '../../components/studio.css';
import { useStudio } from '../store';
import { dataWorker, downloadBlob, useLoadProgress, useProjectInput, useProjectReport } from './data-page.hooks';

const FORMAT_NAMES: Record<string, string> = {
  openasr: 'LibriSpeech tree (openasr)', tsv: 'seed TSV', 'asr-preference': 'ASR preference JSON(L)', preference: 'TRL preference',
  prompt: 'TRL prompt-only', adpo: 'ADPO image pairs', rows: 'rows', templated: 'templated prompts',
};
const MAX_SHOWN_ERRORS = 20;

function ErrorLine({ e }: { e: RecordError }) {
  const loc = `${e.file}${e.line > 0 ? `:${e.line}` : ''}`;
  return (
    <li title={formatRecordError(e)}>
      <span className="loc">{loc}</span>: <span className="fld">{e.field}</span>: {e.message}
    </li>
  );
}

function Stat({ n, label, tone, testId }: { n: number; label: string; tone?: 'good' | 'bad'; testId: string }) {
  return <div className={`stat ${tone ?? ''}`} data-testid={testId}><b>{n.toLocaleString('en')}</b><span>{label}</span></div>;
}

/** The Data page. */
export function DataPage() {
  const project = useStudio((s) => s.project);
  const openFiles = useStudio((s) => s.openFiles);
  const openDemo = useStudio((s) => s.openDemo);
  const navigate = useStudio((s) => s.navigate);
  const input = useProjectInput();
  const report = useProjectReport();
  const progress = useLoadProgress();
  const exportRecords = useMutation({
    mutationFn: () => dataWorker().exportRecords(input),
    onSuccess: (blob) => downloadBlob(blob, `${project.label.replace(/\.(jsonl?|tsv)$/i, '')}.trl.jsonl`),
  });

  const r = report.data;
  const s = r?.summary;
  const reasons = s ? Object.entries(s.skippedByReason).filter(([, n]) => (n ?? 0) > 0) : [];
  const unshown = s ? s.skipped - (s.skippedByReason.filtered ?? 0) - s.errors.length : 0;

  return (
    <>
      <div className="card">
        <div className="project-head">
          <div>
            <h2 data-testid="project-label">{r?.label ?? project.label}</h2>
            <div className="project-meta">
              <span className={`badge ${project.kind === 'demo' ? 'good' : ''}`}>{project.kind === 'demo' ? 'built-in demo' : 'your files'}</span>
              {s && s.format !== 'unknown' && <span className="badge" data-testid="format">{FORMAT_NAMES[s.format] ?? s.format}</span>}
              {r && <span className="muted">{r.files} file{r.files === 1 ? '' : 's'}{r.sources.length > 0 && s?.format !== 'openasr' ? ` · read ${r.sources.join(', ')}` : ''}</span>}
            </div>
          </div>
          <div className="row">
            {project.kind !== 'demo' && <button className="secondary" onClick={openDemo}>Back to the demo project</button>}
            {r?.pairSource === 'simulated' && <button className="primary" onClick={() => navigate('simulate')}>Simulate pairs →</button>}
            {r?.pairSource === 'dataset' && <button className="primary" onClick={() => navigate('review')}>Review pairs →</button>}
          </div>
        </div>
        <div style={{ marginTop: 14 }}>
          <FileDrop onFiles={openFiles} busy={report.isFetching} />
        </div>
      </div>

      {report.isPending && (
        <div className="card" data-testid="loading">
          <h2>Reading {project.label}…</h2>
          <p className="muted">{progress ? `${progress.read.toLocaleString('en')} records read · ${progress.kept.toLocaleString('en')} kept · ${progress.skipped.toLocaleString('en')} skipped` : 'Starting the data worker…'}</p>
        </div>
      )}
      {report.isError && <div className="card"><p className="verdict bad">Could not read the project: {String(report.error)}</p></div>}

      {r && s && (
        <div className="card" data-testid="validation">
          <h2>Validation</h2>
          {r.loadError && <p className="verdict bad" data-testid="load-error">{r.loadError}</p>}
          <div className="stats">
            <Stat n={s.read} label="records read" testId="count-read" />
            <Stat n={s.kept} label="kept" tone="good" testId="count-kept" />
            <Stat n={s.skipped} label="skipped" tone={s.skipped ? 'bad' : undefined} testId="count-skipped" />
            <Stat n={s.warnings.reduce((n, w) => n + w.count, 0)} label="warnings" testId="count-warnings" />
          </div>
          {reasons.length > 0 && (
            <div className="reasons" data-testid="skip-reasons">
              <span className="muted">skipped by reason:</span>
              {reasons.map(([k, n]) => <span key={k} className="badge bad" data-reason={k}>{k} · {n}</span>)}
              {Object.entries(s.filteredBy).map(([k, n]) => <span key={k} className="badge">filtered by {k} · {n}</span>)}
            </div>
          )}
          {s.errors.length > 0 && (
            <>
              <div className="section-title">First errors</div>
              <ol className="errors" data-testid="errors">
                {s.errors.slice(0, MAX_SHOWN_ERRORS).map((e, i) => <ErrorLine key={i} e={e} />)}
              </ol>
              {(s.errors.length > MAX_SHOWN_ERRORS || unshown > 0) && (
                <p className="muted">…and {s.errors.length - Math.min(MAX_SHOWN_ERRORS, s.errors.length) + Math.max(0, unshown)} more</p>
              )}
            </>
          )}
          {s.errors.length === 0 && !r.loadError && s.read > 0 && <p className="verdict good" data-testid="all-good">Every record is valid.</p>}
          {(s.warnings.length > 0 || r.configWarnings.length > 0) && (
            <>
              <div className="section-title">Warnings</div>
              <ul className="warnings" data-testid="warnings">
                {s.warnings.map((w) => <li key={w.key}>{w.message}{w.count > 1 ? ` (${w.count} times)` : ''}</li>)}
                {r.configWarnings.map((w) => <li key={w}>{w}</li>)}
              </ul>
            </>
          )}
          <div className="section-title">Dataset config</div>
          {r.configFile
            ? r.configError
              ? <ol className="errors">{r.configError.split('\n').map((l) => <li key={l}>{l}</li>)}</ol>
              : <p style={{ margin: 0 }} data-testid="config"><code>{r.configFile}</code> · {[r.config?.biasing && 'biasing', r.config?.simu_preference && 'simu_preference', r.config?.split && `split ${r.config.split}`, r.config?.num_egs && `num_egs ${r.config.num_egs}`].filter(Boolean).join(' · ')}</p>
            : <p className="muted" style={{ margin: 0 }}>None in the project: the Simulate page starts from the seed script's built-in settings.</p>}
          {r.notes.map((n) => <p key={n} className="note">{n}</p>)}
        </div>
      )}

      {r && r.rows.length > 0 && (
        <div className="card">
          <div className="project-head">
            <h2>First records <span className="muted" style={{ fontWeight: 400 }}>({r.rows.length} of {s?.kept.toLocaleString('en')})</span></h2>
            <div className="row">
              {r.exportable
                ? <button className="secondary" onClick={() => exportRecords.mutate()} disabled={exportRecords.isPending} data-testid="export-records">{exportRecords.isPending ? 'Exporting…' : 'Export TRL JSONL'}</button>
                : <span className="muted" title="LibriSpeech and TSV examples are transcripts: simulate chosen/rejected pairs first">ASR examples have no chosen/rejected yet; the Simulate page exports pairs</span>}
            </div>
          </div>
          {exportRecords.isError && <p className="verdict bad">{String(exportRecords.error)}</p>}
          <div className="table-wrap">
            <table className="records" data-testid="records">
              <thead><tr><th>source</th>{r.columns.map((c) => <th key={c}>{c}</th>)}</tr></thead>
              <tbody>
                {r.rows.map((row, i) => (
                  <tr key={i}>
                    <td className="src" title={row.src}>{row.src.slice(row.src.lastIndexOf('/') + 1)}</td>
                    {r.columns.map((c) => <td key={c} title={row.cells[c]} className={c === 'id' || c === 'speaker' || c === 'duration' ? 'nowrap' : ''}>{row.cells[c]}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </>
  );
}
