// A preference pair side by side, chosen (the reference) against rejected, with a word-level diff:
// substitutions amber, deletions red (struck through on the chosen side), insertions blue.
import type { DiffWord, WordDiff } from './word-diff';

const TITLES: Record<DiffWord['status'], string> = { equal: 'match', substitute: 'substituted', delete: 'deleted in rejected', insert: 'inserted in rejected' };

/** One side's words, coloured by alignment status; reference words can be clicked (to play them). */
export function DiffText({ words, side, onWord, active }: { words: DiffWord[]; side: 'chosen' | 'rejected'; onWord?: (i: number) => void; active?: number | null }) {
  return (
    <p className="diff-text" data-testid={`diff-${side}`}>
      {words.map((w, i) => {
        const title = w.other ? `${TITLES[w.status]}: ${side === 'chosen' ? `${w.word} → ${w.other}` : `${w.other} → ${w.word}`}` : TITLES[w.status];
        const cls = `w w-${w.status}${active === i ? ' w-active' : ''}${onWord ? ' w-click' : ''}`;
        return (
          <span key={i}>
            {onWord
              ? <button type="button" className={cls} data-status={w.status} title={`${title} · click to play`} onClick={() => onWord(i)}>{w.word}</button>
              : <span className={cls} data-status={w.status} title={title}>{w.word}</span>}
            {' '}
          </span>
        );
      })}
      {words.length === 0 && <span className="muted">(empty)</span>}
    </p>
  );
}

/** The colour key of the diff. */
export function DiffLegend() {
  return (
    <div className="legend">
      <span><i className="sw sw-equal" />match</span>
      <span><i className="sw sw-substitute" />substitution</span>
      <span><i className="sw sw-delete" />deletion</span>
      <span><i className="sw sw-insert" />insertion</span>
    </div>
  );
}

/** The pair's prompt (with its bias list) and both sides with the diff. */
export function PairCard({ prompt, biasList, diff, onRefWord, activeWord }: {
  prompt: string;
  biasList: string[];
  diff: WordDiff;
  onRefWord?: (i: number) => void;
  activeWord?: number | null;
}) {
  return (
    <div className="pair" data-testid="pair-card">
      {prompt && <pre className="prompt" title="prompt">{prompt}</pre>}
      {biasList.length > 0 && (
        <div className="row chips"><span className="muted">bias list</span>{biasList.map((b) => <span key={b} className="badge">{b}</span>)}</div>
      )}
      <div className="sides">
        <div className="side">
          <div className="side-head"><span className="badge good">chosen</span><span className="muted">reference</span></div>
          <DiffText words={diff.ref} side="chosen" onWord={onRefWord} active={activeWord} />
        </div>
        <div className="side">
          <div className="side-head">
            <span className="badge bad">rejected</span>
            <span className="muted">{diff.substitutions} S · {diff.deletions} D · {diff.inserted} I · WER {(diff.wer * 100).toFixed(1)}%</span>
          </div>
          <DiffText words={diff.hyp} side="rejected" />
        </div>
      </div>
    </div>
  );
}
