// A drop zone for dataset files and folders, with "choose files" and "choose folder" pickers.
// Every file comes out with its path inside what was picked, so a dropped LibriSpeech folder
// keeps its speaker/chapter layout (the data layer's fileListTree reads those paths).
import { useRef, useState, type DragEvent } from 'react';
import type { PickedFile } from '../../workers/studio-api';

// The parts of the File and Directory Entries API a drop gives (Chromium, Firefox, Safari).
interface Entry { isFile: boolean; isDirectory: boolean; name: string; fullPath: string }
interface FileEntry extends Entry { file(ok: (f: File) => void, err: (e: unknown) => void): void }
interface DirEntry extends Entry { createReader(): { readEntries(ok: (es: Entry[]) => void, err: (e: unknown) => void): void } }

async function entryFiles(e: Entry): Promise<PickedFile[]> {
  const path = e.fullPath.replace(/^\/+/, '') || e.name;
  if (e.isFile) {
    const file = await new Promise<File>((ok, err) => (e as FileEntry).file(ok, err));
    return [{ path, blob: file }];
  }
  if (!e.isDirectory) return [];
  const reader = (e as DirEntry).createReader();
  const out: PickedFile[] = [];
  // readEntries returns at most ~100 entries per call: call until it returns none.
  for (;;) {
    const batch = await new Promise<Entry[]>((ok, err) => reader.readEntries(ok, err));
    if (batch.length === 0) break;
    for (const child of batch) out.push(...(await entryFiles(child)));
  }
  return out;
}

/** A name for what was picked: the folder, the file, or a count. */
function labelOf(files: PickedFile[]): string {
  const tops = new Set(files.map((f) => f.path.split('/')[0]));
  if (tops.size === 1) return [...tops][0];
  return `${files.length} files`;
}

function fromInput(list: FileList | null): PickedFile[] {
  return [...(list ?? [])].map((f) => ({ path: f.webkitRelativePath || f.name, blob: f }));
}

/** Drop files or folders here, or pick them; `onFiles` gets them with their relative paths. */
export function FileDrop({ onFiles, busy }: { onFiles: (files: PickedFile[], label: string) => void; busy?: boolean }) {
  const [over, setOver] = useState(false);
  const files = useRef<HTMLInputElement>(null);
  const folder = useRef<HTMLInputElement>(null);
  const deliver = (picked: PickedFile[]) => { if (picked.length) onFiles(picked, labelOf(picked)); };

  const onDrop = async (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    const entries = [...e.dataTransfer.items]
      .map((i) => (i.webkitGetAsEntry?.() ?? null) as Entry | null)
      .filter((x): x is Entry => x !== null);
    if (entries.length) deliver((await Promise.all(entries.map(entryFiles))).flat());
    else deliver(fromInput(e.dataTransfer.files));
  };

  return (
    <div
      className={`drop ${over ? 'over' : ''}`}
      data-testid="file-drop"
      onDragOver={(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => void onDrop(e)}
    >
      <div className="drop-title">Drop dataset files or a folder here</div>
      <div className="muted">LibriSpeech folder (<code>*.trans.txt</code> + FLAC), TSV, JSON/JSONL (TRL preference, prompt-only, ADPO, ASR pairs), optionally with a dataset config JSON</div>
      <div className="row" style={{ justifyContent: 'center', marginTop: 10 }}>
        <button className="secondary" disabled={busy} onClick={() => files.current?.click()}>Choose files…</button>
        <button className="secondary" disabled={busy} onClick={() => folder.current?.click()}>Choose folder…</button>
      </div>
      <input ref={files} type="file" multiple hidden data-testid="pick-files" onChange={(e) => { deliver(fromInput(e.target.files)); e.target.value = ''; }} />
      <input
        ref={folder} type="file" hidden data-testid="pick-folder"
        {...{ webkitdirectory: '', directory: '' }}
        onChange={(e) => { deliver(fromInput(e.target.files)); e.target.value = ''; }}
      />
    </div>
  );
}
