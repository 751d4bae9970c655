// A progress bar with a rate-based ETA, used for every long job.
import { useEffect, useState } from 'react';
import { formatDuration } from './format';

/** The current time, re-read every `ms` while mounted (so elapsed and ETA move between updates). */
function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** Progress of `done` of `total` started at `startedAt` (ms since epoch). */
export function ProgressBar({ done, total, startedAt, label }: { done: number; total: number; startedAt: number | null; label?: string }) {
  const now = useNow();
  const frac = total > 0 ? Math.min(1, done / total) : 0;
  const elapsed = startedAt ? Math.max(0, now - startedAt) : 0;
  const eta = done > 0 && done < total ? (elapsed / done) * (total - done) : null;
  return (
    <div className="row" role="progressbar" aria-valuenow={done} aria-valuemax={total} aria-label={label ?? 'progress'}>
      <div className="progress"><div style={{ width: `${(frac * 100).toFixed(1)}%` }} /></div>
      <span className="muted" style={{ minWidth: 190, fontVariantNumeric: 'tabular-nums' }}>
        {done}/{total} · {formatDuration(elapsed)} elapsed{eta !== null ? ` · ETA ${formatDuration(eta)}` : ''}
      </span>
    </div>
  );
}
