// Review: the project's pairs one at a time, chosen against rejected with a word-level diff and,
// for audio pairs, the clip's waveform with a region per reference word coloured by its
// alignment status (insertions as markers). Sort and filter by WER; j/k step, space plays.
import { type RefObject, useCallback, useMemo, useRef, useState } from 'react';
import { KbdLegend } from '../../components/kbd-legend';
import { DiffLegend, PairCard } from '../../components/pair-card';
import { useKeys } from '../../components/use-keys';
import { type WaveformHandle, WaveformDiff } from '../../components/waveform-diff';
import { type WordDiff, diffWords } from '../../components/word-diff';
import '../../components/studio.css';
import type { StudioPair } from '../../../workers/studio-api';
import { useStudio, type ReviewSort } from '../store';
import { useClip, usePairs, useProjectReport, useSimConfig, useSimForm } from './data-page.hooks';
import { NoPairs } from '../../components/no-pairs';
import { reviewList } from './review-page.list';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** Rows of the pair list drawn at once, around the current pair (datasets can hold thousands). */
const WINDOW = 200;
const bound = (v: string): number | null => (v.trim() === '' || !Number.isFinite(Number(v)) ? null : Number(v));

function Audio({ pair, diff, wave, onWord }: { pair: StudioPair; diff: WordDiff; wave: RefObject<WaveformHandle | null>; onWord: (i: number) => void }) {
  const clip = useClip(pair.audio);
  if (clip.isPending) return <div className="wave muted">Decoding {pair.audio}…</div>;
  if (clip.isError) return <div className="wave verdict bad">Could not decode {pair.audio}: {String(clip.error)}</div>;
  return <WaveformDiff ref={wave} clip={clip.data} words={diff.ref} insertions={diff.insertions} onWord={onWord} />;
}

function Detail({ pair, wave }: { pair: StudioPair; wave: RefObject<WaveformHandle | null> }) {
  const diff = useMemo(() => diffWords(pair.chosen, pair.rejected), [pair]);
  const [active, setActive] = useState<number | null>(null);
  const playWord = useCallback((i: number) => { setActive(i); wave.current?.playWord(i); }, [wave]);
  return (
    <div className="card" data-testid="review-detail" data-pair={pair.id}>
      <div className="project-head">
        <h2>{pair.id} <span className={`badge ${pair.wer > 0.3 ? 'bad' : pair.wer > 0 ? 'warn' : ''}`}>WER {pct(pair.wer)}</span></h2>
        <DiffLegend />
      </div>
      <PairCard prompt={pair.prompt} biasList={pair.biasList} diff={diff} onRefWord={pair.audio ? playWord : undefined} activeWord={active} />
      <div style={{ marginTop: 12 }}>
        {pair.audio
          ? <Audio pair={pair} diff={diff} wave={wave} onWord={setActive} />
          : <p className="muted">No audio for this pair{pair.audio === null ? ' (none given, or the file is not in the project)' : ''}.</p>}
      </div>
    </div>
  );
}

/** The Review page. */
export function ReviewPage() {
  const report = useProjectReport();
  const form = useSimForm();
  const sim = useSimConfig(form);
  const pairs = usePairs(sim);
  const sort = useStudio((s) => s.reviewSort);
  const minWer = useStudio((s) => s.reviewMinWer);
  const maxWer = useStudio((s) => s.reviewMaxWer);
  const pos = useStudio((s) => s.reviewPos);
  const setSort = useStudio((s) => s.setReviewSort);
  const setMin = useStudio((s) => s.setReviewMinWer);
  const setMax = useStudio((s) => s.setReviewMaxWer);
  const setPos = useStudio((s) => s.setReviewPos);
  const step = useStudio((s) => s.stepReview);
  const navigate = useStudio((s) => s.navigate);
  const wave = useRef<WaveformHandle | null>(null);

  const list = useMemo(() => reviewList(pairs.data?.pairs ?? [], sort, minWer, maxWer), [pairs.data, sort, minWer, maxWer]);
  const at = Math.min(pos, Math.max(0, list.length - 1));
  const pair = list[at] ?? null;
  const from = Math.max(0, Math.min(at - WINDOW / 2, list.length - WINDOW));
  useKeys({ j: () => step(1, list.length), k: () => step(-1, list.length), ' ': () => wave.current?.playPause() });

  if (report.data && report.data.pairSource === 'none') return <NoPairs verb="review" report={report.data} onData={() => navigate('data')} />;

  return (
    <>
      <div className="card">
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <div className="row">
            <label className="field">Sort
              <select value={sort} onChange={(e) => setSort(e.target.value as ReviewSort)} data-testid="review-sort">
                <option value="index">dataset order</option>
                <option value="wer-desc">WER, highest first</option>
                <option value="wer-asc">WER, lowest first</option>
              </select>
            </label>
            <label className="field">WER at least (%)<input type="number" min={0} step={5} value={minWer ?? ''} onChange={(e) => setMin(bound(e.target.value))} data-testid="review-min-wer" /></label>
            <label className="field">WER at most (%)<input type="number" min={0} step={5} value={maxWer ?? ''} onChange={(e) => setMax(bound(e.target.value))} data-testid="review-max-wer" /></label>
            <span className="muted" data-testid="review-count">{list.length ? `pair ${at + 1} of ${list.length}` : 'no pairs'}{pairs.data && list.length !== pairs.data.pairs.length ? ` (${pairs.data.pairs.length} in all)` : ''}</span>
          </div>
          <div className="row">
            <button className="secondary small" onClick={() => step(-1, list.length)} disabled={at === 0}>← prev</button>
            <button className="secondary small" onClick={() => step(1, list.length)} disabled={at >= list.length - 1}>next →</button>
          </div>
        </div>
        <div style={{ marginTop: 10 }}>
          <KbdLegend keys={[['j', 'next pair'], ['k', 'previous pair'], ['space', 'play / pause'], ['click a word', 'play it']]} />
        </div>
      </div>

      {pairs.isPending && <div className="card muted">Loading pairs…</div>}
      {pairs.isError && <div className="card verdict bad">{String(pairs.error)}</div>}

      {pairs.data && (
        <div className="review">
          <div className="card" style={{ padding: 0, overflow: 'hidden' }}>
            <div className="table-wrap" style={{ border: 0, maxHeight: 620 }}>
              <table className="records" data-testid="review-list">
                <thead><tr><th>#</th><th>pair</th><th>WER</th></tr></thead>
                <tbody>
                  {list.slice(from, from + WINDOW).map((p, k) => (
                    <tr key={p.key} className={`click ${from + k === at ? 'sel' : ''}`} onClick={() => setPos(from + k)} data-wer={p.wer}>
                      <td className="src">{p.index + 1}</td>
                      <td>{p.id}</td>
                      <td className="wer">{pct(p.wer)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          {pair ? <Detail key={pair.key} pair={pair} wave={wave} /> : <div className="card empty">No pair matches the WER filter.</div>}
        </div>
      )}
    </>
  );
}
