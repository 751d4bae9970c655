// A clip's waveform (wavesurfer.js) with one region per reference word, coloured by its
// alignment status against the rejected text, and insertions as markers between words. Word
// times are estimated (see waveform-data.ts): the caption says so. Click a word to play it.
// Without `words` it is a plain player (the Judge page must not reveal the alignment).
import { useEffect, useImperativeHandle, useMemo, useRef, useState, type Ref } from 'react';
import WaveSurfer from 'wavesurfer.js';
import RegionsPlugin from 'wavesurfer.js/dist/plugins/regions.esm.js';
import TimelinePlugin from 'wavesurfer.js/dist/plugins/timeline.esm.js';
import type { DiffWord, Insertion } from './word-diff';
import { type Span, encodeWav, estimateWordTimes, gapTime, peaksOf, voicedSpan } from './waveform-data';

/** What a page can do with the player (keyboard shortcuts). */
export interface WaveformHandle {
  playPause(): void;
  playWord(i: number): void;
}

/** A decoded mono clip. */
export interface ClipData {
  samples: Float32Array;
  sampleRate: number;
}

type Regions = ReturnType<typeof RegionsPlugin.create>;

const FILL: Record<DiffWord['status'], string> = {
  equal: 'rgba(18, 183, 106, 0.16)',
  substitute: 'rgba(247, 144, 9, 0.34)',
  delete: 'rgba(240, 68, 56, 0.32)',
  insert: 'rgba(46, 144, 250, 0.3)',
};
const INK: Record<DiffWord['status'], string> = { equal: '#067647', substitute: '#b54708', delete: '#b42318', insert: '#175cd3' };

function label(text: string, color: string, kind: 'word' | 'deleted' | 'marker'): HTMLElement {
  const el = document.createElement('span');
  el.textContent = text;
  const font = `font: 600 11px Inter, system-ui, sans-serif; color: ${color}; white-space: nowrap;`;
  // A marker has no width: its label hangs off it, low down so word labels stay readable.
  el.style.cssText = kind === 'marker'
    ? `${font} position: absolute; left: 3px; bottom: 20px; background: #d1e9ff; border-radius: 3px; padding: 1px 4px;`
    : `${font} padding: 2px 3px; display: block; overflow: hidden; text-overflow: ellipsis;${kind === 'deleted' ? ' text-decoration: line-through;' : ''}`;
  return el;
}

/** The waveform with word regions; `onWord` tells which word a click played. */
export function WaveformDiff({ clip, words, insertions, onWord, ref, height = 110 }: {
  clip: ClipData;
  words?: DiffWord[];
  insertions?: Insertion[];
  onWord?: (i: number) => void;
  ref?: Ref<WaveformHandle>;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const ws = useRef<WaveSurfer | null>(null);
  const regions = useRef<Regions | null>(null);
  const [ready, setReady] = useState(false);
  const [playing, setPlaying] = useState(false);
  const span: Span = useMemo(() => voicedSpan(clip.samples, clip.sampleRate), [clip]);
  const times = useMemo(() => (words ? estimateWordTimes(words.map((w) => w.word), span) : []), [words, span]);
  const duration = clip.samples.length / clip.sampleRate;

  useEffect(() => {
    if (!box.current) return;
    const r = RegionsPlugin.create();
    const w = WaveSurfer.create({
      container: box.current, height, waveColor: '#98a2b3', progressColor: '#4f46e5', cursorColor: '#312e81',
      barWidth: 2, barGap: 1, barRadius: 2, normalize: true, dragToSeek: true,
      plugins: [r, TimelinePlugin.create({ height: 16, timeInterval: 0.1, primaryLabelInterval: 1, secondaryLabelInterval: 0.5, style: 'font-size: 10px; color: #667085' })],
    });
    ws.current = w;
    regions.current = r;
    w.on('ready', () => setReady(true));
    w.on('play', () => setPlaying(true));
    w.on('pause', () => setPlaying(false));
    w.on('finish', () => setPlaying(false));
    const wav = new Blob([encodeWav(clip.samples, clip.sampleRate) as BlobPart], { type: 'audio/wav' });
    w.loadBlob(wav, [peaksOf(clip.samples, 1600)], clip.samples.length / clip.sampleRate).catch(() => undefined);
    return () => {
      setReady(false);
      setPlaying(false);
      ws.current = null;
      regions.current = null;
      w.destroy();
    };
  }, [clip, height]);

  useEffect(() => {
    const r = regions.current;
    if (!ready || !r || !words) return;
    r.clearRegions();
    words.forEach((word, i) => {
      r.addRegion({
        id: `word-${i}-${word.status}`, start: times[i].start, end: times[i].end, color: FILL[word.status],
        drag: false, resize: false, content: label(word.word, INK[word.status], word.status === 'delete' ? 'deleted' : 'word'),
      });
    });
    (insertions ?? []).forEach((ins, k) => {
      r.addRegion({ id: `ins-${k}`, start: gapTime(times, ins.gap, span), color: '#2e90fa', drag: false, resize: false, content: label(`+${ins.words.join(' ')}`, INK.insert, 'marker') });
    });
    const off = r.on('region-clicked', (region, e) => {
      e.stopPropagation();
      region.play(true);
      const m = /^word-(\d+)-/.exec(region.id);
      if (m) onWord?.(Number(m[1]));
    });
    return () => { off(); r.clearRegions(); };
  }, [ready, words, insertions, times, span, onWord]);

  useImperativeHandle(ref, () => ({
    playPause: () => { void ws.current?.playPause(); },
    playWord: (i) => {
      const t = times[i];
      if (t && ws.current) void ws.current.play(t.start, t.end);
    },
  }), [times]);

  return (
    <div className="wave" data-testid="waveform" data-ready={ready} data-playing={playing} data-regions={words ? words.length : 0} data-markers={insertions?.length ?? 0}>
      <div className="row" style={{ marginBottom: 6 }}>
        <button className="secondary small" onClick={() => void ws.current?.playPause()} disabled={!ready} data-testid="play">
          {playing ? '❚❚ Pause' : '▶ Play'}
        </button>
        <span className="muted">{duration.toFixed(2)} s · 16 kHz</span>
        {words && (
          <span className="badge warn" title="No forced aligner yet: words are spread over the voiced part of the clip in proportion to their length">
            word timing estimated · voiced {span.start.toFixed(2)}–{span.end.toFixed(2)} s
          </span>
        )}
      </div>
      <div ref={box} />
    </div>
  );
}
