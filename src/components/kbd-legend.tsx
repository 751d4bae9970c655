// The on-screen list of a page's keyboard shortcuts.

/** Shortcuts as `[key, what it does]` pairs. */
export function KbdLegend({ keys }: { keys: [string, string][] }) {
  return (
    <div className="kbd-legend" data-testid="shortcuts">
      {keys.map(([k, what]) => <span key={k}><kbd>{k}</kbd> {what}</span>)}
    </div>
  );
}
