// Page-level keyboard shortcuts: a map from `KeyboardEvent.key` to an action, ignored while the
// user types in a field or holds a modifier. Space is taken from focused buttons too (so it
// plays audio instead of pressing the last-clicked button). A key right after `g` belongs to
// the shell's `g <key>` page shortcuts, not to the page.
import { useEffect, useRef } from 'react';

/** Bind `keys` (e.g. `{ j: next, ' ': playPause }`) on the window while the component is mounted. */
export function useKeys(keys: Record<string, () => void>): void {
  const ref = useRef(keys);
  useEffect(() => { ref.current = keys; });
  useEffect(() => {
    const typing = (t: EventTarget | null) => t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t instanceof HTMLElement && t.isContentEditable);
    let afterG = false;
    const onDown = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      const prefixed = afterG;
      afterG = e.key === 'g';
      if (prefixed) return;
      const fn = ref.current[e.key];
      if (!fn) return;
      e.preventDefault();
      if (!e.repeat || e.key === 'j' || e.key === 'k') fn();
    };
    // A focused button is activated by space on keyup: cancel that when space is ours.
    const onUp = (e: KeyboardEvent) => { if (e.key === ' ' && ref.current[' '] && !typing(e.target)) e.preventDefault(); };
    window.addEventListener('keydown', onDown);
    window.addEventListener('keyup', onUp);
    return () => { window.removeEventListener('keydown', onDown); window.removeEventListener('keyup', onUp); };
  }, []);
}
