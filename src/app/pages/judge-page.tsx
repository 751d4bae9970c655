// Judge: blind A/B labeling. Each pair's sides are shuffled by a seeded coin (recorded in the
// label, never shown); keys 1/2 pick a side, T tie, B both bad, U undo. Labels persist in
// IndexedDB and export as TRL preference JSONL: the preferred side becomes `chosen`.
import { type RefObject, useMemo, useRef, useState } from 'react';
import { KbdLegend } from '../../components/kbd-legend';
import { ProgressBar } from '../../components/progress-bar';
import { useKeys } from '../../components/use-keys';
import { type WaveformHandle, WaveformDiff } from '../../components/waveform-diff';
import '../../components/studio.css';
import type { StudioPair } from '../../../workers/studio-api';
import { type JudgeLabel, type LabelExport, type Verdict, aIsChosenFor, activeMs, exportLabels, latestLabel, nextUnlabeled, sidesOf, tally } from '../labels/labels';
import { useJudge, useLabels } from '../labels/use-labels';
import { useStudio } from '../store';
import { NoPairs } from '../../components/no-pairs';
import { downloadBlob, useClip, usePairs, useProjectReport, useSimConfig, useSimForm } from './data-page.hooks';

const VERDICT_TEXT: Record<Verdict, string> = { a: 'A better', b: 'B better', tie: 'tie', 'both-bad': 'both bad' };

function Player({ pair, wave }: { pair: StudioPair; wave: RefObject<WaveformHandle | null> }) {
  const clip = useClip(pair.audio);
  if (!pair.audio) return null;
  if (clip.isPending) return <div className="wave muted">Decoding audio…</div>;
  if (clip.isError) return <div className="wave verdict bad">Could not decode {pair.audio}: {String(clip.error)}</div>;
  return <WaveformDiff ref={wave} clip={clip.data} height={72} />;
}

function Current({ pair, seed, index, total, give, wave }: {
  pair: StudioPair; seed: number; index: number; total: number; give: (v: Verdict) => void; wave: RefObject<WaveformHandle | null>;
}) {
  const sides = sidesOf(pair, aIsChosenFor(seed, pair.key));
  return (
    <div className="card" data-testid="judge-current" data-pair={pair.id}>
      <div className="project-head">
        <h2>Which transcript is better? <span className="muted" style={{ fontWeight: 400 }}>· pair {index + 1} of {total} · {pair.id}</span></h2>
      </div>
      {pair.prompt && <pre className="prompt" style={{ marginBottom: 12 }}>{pair.prompt}</pre>}
      <Player pair={pair} wave={wave} />
      <div className="judge-sides" style={{ marginTop: 12 }}>
        <div className="judge-side" data-testid="side-a"><h3><span className="tag">A</span></h3><p data-testid="text-a">{sides.a}</p></div>
        <div className="judge-side" data-testid="side-b"><h3><span className="tag">B</span></h3><p data-testid="text-b">{sides.b}</p></div>
      </div>
      <div className="judge-actions">
        <button className="primary" onClick={() => give('a')}><kbd>1</kbd> A is better</button>
        <button className="primary" onClick={() => give('b')}><kbd>2</kbd> B is better</button>
        <button className="secondary" onClick={() => give('tie')}><kbd>T</kbd> Tie</button>
        <button className="secondary" onClick={() => give('both-bad')}><kbd>B</kbd> Both bad</button>
      </div>
    </div>
  );
}

/** The Judge page. */
export function JudgePage() {
  const project = useStudio((s) => s.project);
  const navigate = useStudio((s) => s.navigate);
  const report = useProjectReport();
  const form = useSimForm();
  const sim = useSimConfig(form);
  const pairs = usePairs(sim);
  const labels = useLabels(project.labelsKey);
  const list = useMemo(() => pairs.data?.pairs ?? [], [pairs.data]);
  const { give, undo, error } = useJudge(project.labelsKey, list, form.seed);
  const wave = useRef<WaveformHandle | null>(null);
  const [exported, setExported] = useState<LabelExport | null>(null);
  useKeys({
    '1': () => give('a'), '2': () => give('b'), t: () => give('tie'), T: () => give('tie'),
    b: () => give('both-bad'), B: () => give('both-bad'), u: undo, U: undo, ' ': () => wave.current?.playPause(),
  });

  const all: JudgeLabel[] = useMemo(() => labels.data ?? [], [labels.data]);
  const keys = useMemo(() => new Set(list.map((p) => p.key)), [list]);
  const here = useMemo(() => all.filter((l) => keys.has(l.pairKey)), [all, keys]);
  const next = labels.data ? nextUnlabeled(list, all) : -1;
  const counts = tally(here);
  const last = latestLabel(all);
  const recent = useMemo(() => [...all].sort((x, y) => y.at - x.at).slice(0, 5), [all]);
  const onExport = () => {
    const e = exportLabels(all);
    setExported(e);
    downloadBlob(new Blob([e.jsonl], { type: 'application/x-ndjson' }), `judged-pairs-${project.labelsKey.replace(/[^\w.-]+/g, '_')}.jsonl`);
  };

  if (report.data && report.data.pairSource === 'none') return <NoPairs verb="judge" report={report.data} onData={() => navigate('data')} />;

  return (
    <>
      <div className="card" data-testid="judge-progress" data-labeled={here.length} data-total={list.length}>
        <div className="project-head">
          <h2>Blind A/B judging</h2>
          <div className="row">
            <button className="secondary small" onClick={undo} disabled={!last}>Undo (U)</button>
            <button className="primary" onClick={onExport} disabled={all.length === 0} data-testid="export-labels">Export labels (TRL JSONL)</button>
          </div>
        </div>
        <p className="lead">The two transcripts of each pair are shown in a random order (seed {form.seed}); which one the dataset calls chosen stays hidden. Your pick becomes <code>chosen</code> in the export; ties and both-bad are counted but not exported.</p>
        <ProgressBar done={here.length} total={list.length} startedAt={last ? last.at - activeMs(all) : null} label="pairs judged" />
        <div className="row" style={{ marginTop: 10 }} data-testid="tally">
          <span className="badge">A better · {counts.a}</span>
          <span className="badge">B better · {counts.b}</span>
          <span className="badge">tie · {counts.tie}</span>
          <span className="badge">both bad · {counts['both-bad']}</span>
          {all.length > here.length && <span className="muted">+{all.length - here.length} label(s) on pairs of other settings (exported too)</span>}
        </div>
        {exported && (
          <p className="note" data-testid="export-report">
            Exported {exported.pairs} pair{exported.pairs === 1 ? '' : 's'}; {exported.ties} tie{exported.ties === 1 ? '' : 's'} and {exported.bothBad} both-bad not exported.
            {exported.pairs > 0 && ` You kept the dataset's chosen side in ${exported.agreed} of ${exported.pairs}.`}
          </p>
        )}
        {error && <p className="verdict bad">Could not save the label: {String(error)}</p>}
        <div style={{ marginTop: 10 }}>
          <KbdLegend keys={[['1', 'A is better'], ['2', 'B is better'], ['T', 'tie'], ['B', 'both bad'], ['U', 'undo'], ['space', 'play / pause']]} />
        </div>
      </div>

      {(pairs.isPending || labels.isPending) && <div className="card muted">Loading pairs and labels…</div>}
      {pairs.isError && <div className="card verdict bad">{String(pairs.error)}</div>}
      {labels.isError && <div className="card verdict bad">Could not read saved labels: {String(labels.error)}</div>}
      {labels.data && pairs.data && (next >= 0
        ? <Current key={list[next].key} pair={list[next]} seed={form.seed} index={next} total={list.length} give={give} wave={wave} />
        : <div className="card empty" data-testid="judge-done"><h2>All {list.length} pairs judged</h2><p>Export the labels, or undo (U) to change the last one.</p></div>)}

      {recent.length > 0 && (
        <div className="card">
          <h2>Latest labels</h2>
          <ol className="recent" data-testid="recent">
            {recent.map((l) => <li key={l.id}>{l.pairId}: {VERDICT_TEXT[l.verdict]}</li>)}
          </ol>
        </div>
      )}
    </>
  );
}
