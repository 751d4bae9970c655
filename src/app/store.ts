// UI state: one zustand store built from slices; worker results live in react-query instead.
import { create, type StateCreator } from 'zustand';

export type Route = 'engine' | 'data' | 'train' | 'runs';

interface NavSlice {
  route: Route;
  navigate: (r: Route) => void;
}

interface EngineSlice {
  engineSteps: number;
  setEngineSteps: (n: number) => void;
}

export type StudioState = NavSlice & EngineSlice;

const routeFromHash = (): Route => {
  const h = typeof location === 'undefined' ? '' : location.hash.replace(/^#\/?/, '');
  return (['engine', 'data', 'train', 'runs'] as const).find((r) => r === h) ?? 'engine';
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

/** The studio's store. */
export const useStudio = create<StudioState>()((...a) => ({ ...navSlice(...a), ...engineSlice(...a) }));

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => useStudio.setState({ route: routeFromHash() }));
}
