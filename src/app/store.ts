// UI state: one zustand store built from slices; worker results live in react-query instead.
import { create, type StateCreator } from 'zustand';
import type { PickedFile } from '../../workers/studio-api';
import type { SimForm, SimNumberField } from './pages/simulate-page.form';
import type { TrainForm, TrainNumberField, TrainTextField } from './pages/train-page.form';

export type Route = 'data' | 'simulate' | 'review' | 'judge' | 'engine' | 'train' | 'runs';

const ROUTES = ['data', 'simulate', 'review', 'judge', 'engine', 'train', 'runs'] as const;

interface NavSlice {
  route: Route;
  navigate: (r: Route) => void;
}

interface EngineSlice {
  engineSteps: number;
  setEngineSteps: (n: number) => void;
}

/** The project the studio works on: the built-in demo, or files the user picked or dropped. */
export type ProjectSource =
  | { kind: 'demo'; key: string; labelsKey: string; label: string }
  | { kind: 'files'; key: string; labelsKey: string; label: string; files: PickedFile[] };

/** The demo project (the studio starts on it). */
export const DEMO_SOURCE: ProjectSource = { kind: 'demo', key: 'demo', labelsKey: 'demo', label: 'Demo project' };

interface ProjectSlice {
  project: ProjectSource;
  /** Work on picked or dropped files (resets the simulation form and the review position). */
  openFiles: (files: PickedFile[], label: string) => void;
  /** Go back to the built-in demo. */
  openDemo: () => void;
}

interface SimSlice {
  /** Fields the user changed; the rest come from the project's dataset config. */
  simEdits: Partial<SimForm>;
  setSimField: (key: SimNumberField, value: number) => void;
  setSimBiasing: (on: boolean) => void;
  resetSim: () => void;
}

/** How the Review page orders pairs. */
export type ReviewSort = 'index' | 'wer-desc' | 'wer-asc';

interface ReviewSlice {
  reviewSort: ReviewSort;
  /** WER bounds in percent (null: no bound). */
  reviewMinWer: number | null;
  reviewMaxWer: number | null;
  /** Position in the sorted, filtered list. */
  reviewPos: number;
  setReviewSort: (s: ReviewSort) => void;
  setReviewMinWer: (pct: number | null) => void;
  setReviewMaxWer: (pct: number | null) => void;
  setReviewPos: (pos: number) => void;
  /** Move by `delta` within a list of `count` pairs (clamped). */
  stepReview: (delta: number, count: number) => void;
}

interface TrainSlice {
  /** Train form fields the user changed; the rest are the studio's demo defaults. */
  trainEdits: Partial<TrainForm>;
  setTrainNumber: (key: TrainNumberField, value: number) => void;
  setTrainText: <K extends TrainTextField>(key: K, value: TrainForm[K]) => void;
  setTrainPeft: (on: boolean) => void;
  resetTrain: () => void;
  /** The run the Runs page shows in detail. */
  selectedRun: string | null;
  selectRun: (id: string | null) => void;
}

export type StudioState = NavSlice & EngineSlice & ProjectSlice & SimSlice & ReviewSlice & TrainSlice;

const routeFromHash = (): Route => {
  const h = typeof location === 'undefined' ? '' : location.hash.replace(/^#\/?/, '');
  return ROUTES.find((r) => r === h) ?? 'data';
};

const navSlice: StateCreator<StudioState, [], [], NavSlice> = (set) => ({
  route: routeFromHash(),
  navigate: (route) => {
    if (typeof location !== 'undefined') location.hash = `/${route}`;
    set({ route });
  },
});

const engineSlice: StateCreator<StudioState, [], [], EngineSlice> = (set) => ({
  engineSteps: 30,
  setEngineSteps: (engineSteps) => set({ engineSteps: Math.max(1, Math.min(500, Math.round(engineSteps))) }),
});

let drops = 0;
const fresh = { simEdits: {}, reviewPos: 0 };

const projectSlice: StateCreator<StudioState, [], [], ProjectSlice> = (set) => ({
  project: DEMO_SOURCE,
  openFiles: (files, label) => {
    const size = files.reduce((s, f) => s + f.blob.size, 0);
    // The cache key is new per pick; labels stay with the same files picked again.
    const labelsKey = `files:${label}:${files.length}:${size}`;
    set({ project: { kind: 'files', key: `${labelsKey}#${++drops}`, labelsKey, label, files }, ...fresh });
  },
  openDemo: () => set({ project: DEMO_SOURCE, ...fresh }),
});

const simSlice: StateCreator<StudioState, [], [], SimSlice> = (set) => ({
  simEdits: {},
  setSimField: (key, value) => set((s) => ({ simEdits: { ...s.simEdits, [key]: value } })),
  setSimBiasing: (on) => set((s) => ({ simEdits: { ...s.simEdits, biasing: on } })),
  resetSim: () => set({ simEdits: {} }),
});

const reviewSlice: StateCreator<StudioState, [], [], ReviewSlice> = (set) => ({
  reviewSort: 'index',
  reviewMinWer: null,
  reviewMaxWer: null,
  reviewPos: 0,
  setReviewSort: (reviewSort) => set({ reviewSort, reviewPos: 0 }),
  setReviewMinWer: (reviewMinWer) => set({ reviewMinWer, reviewPos: 0 }),
  setReviewMaxWer: (reviewMaxWer) => set({ reviewMaxWer, reviewPos: 0 }),
  setReviewPos: (reviewPos) => set({ reviewPos: Math.max(0, reviewPos) }),
  stepReview: (delta, count) => set((s) => ({ reviewPos: Math.max(0, Math.min(count - 1, s.reviewPos + delta)) })),
});

const trainSlice: StateCreator<StudioState, [], [], TrainSlice> = (set) => ({
  trainEdits: {},
  setTrainNumber: (key, value) => set((s) => ({ trainEdits: { ...s.trainEdits, [key]: value } })),
  setTrainText: (key, value) => set((s) => ({ trainEdits: { ...s.trainEdits, [key]: value } })),
  setTrainPeft: (on) => set((s) => ({ trainEdits: { ...s.trainEdits, use_peft: on } })),
  resetTrain: () => set({ trainEdits: {} }),
  selectedRun: null,
  selectRun: (selectedRun) => set({ selectedRun }),
});

/** The studio's store. */
export const useStudio = create<StudioState>()((...a) => ({
  ...navSlice(...a), ...engineSlice(...a), ...projectSlice(...a), ...simSlice(...a), ...reviewSlice(...a), ...trainSlice(...a),
}));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => useStudio.setState({ route: routeFromHash() }));
}
