// The built app the headless runner serves. `prefstudio train` builds it itself when `dist/` is
// missing or older than the sources (a `vite build`, about a minute), so a fresh checkout just
// works; PREFSTUDIO_BUILD=never serves `dist/` as it is (tests that have just built it, read-only
// installs), PREFSTUDIO_BUILD=always rebuilds every time. PREFSTUDIO_APP_DIR=<folder> serves
// another build as it is (never rebuilt).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (where package.json and dist/ are). */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** What goes into the bundle: a change to any of these makes `dist/` stale. */
const INPUTS = ['src', 'workers', 'public', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json'];

function newestMtime(path: string): number {
  let st;
  try { st = statSync(path); } catch { return 0; }
  if (!st.isDirectory()) return st.mtimeMs;
  // Files only: a folder's own mtime moves when a test file is added next to the code.
  let newest = 0;
  for (const e of readdirSync(path, { withFileTypes: true })) {
    // Tests never enter the bundle.
    if (e.isFile() && /\.test\.tsx?$/.test(e.name)) continue;
    newest = Math.max(newest, newestMtime(join(path, e.name)));
  }
  return newest;
}

/** Why `dist/` must be (re)built, or null when it is up to date. */
export function staleReason(root: string, appDir = join(root, 'dist')): string | null {
  const index = join(appDir, 'index.html');
  if (!existsSync(index)) return `${appDir} has no build`;
  const built = statSync(index).mtimeMs;
  for (const input of INPUTS) {
    if (newestMtime(join(root, input)) > built) return `${input} changed since ${appDir} was built`;
  }
  return null;
}

/** How to treat `dist/`: build when stale (default), never build, or always build. */
export type BuildMode = 'auto' | 'never' | 'always';

/** The mode from PREFSTUDIO_BUILD (auto by default); an unknown value is an error. */
export function buildMode(env: string | undefined = process.env.PREFSTUDIO_BUILD): BuildMode {
  if (env === undefined || env === '' || env === 'auto') return 'auto';
  if (env === 'never' || env === 'always') return env;
  throw new Error(`PREFSTUDIO_BUILD=${env}: expected auto, never or always`);
}

/** Make sure `dist/` is there and fresh (per `mode`); `say` gets one line before a build starts. */
export async function ensureBuilt(root: string, mode: BuildMode, say: (line: string) => void, appDirEnv: string | undefined = process.env.PREFSTUDIO_APP_DIR): Promise<string> {
  if (appDirEnv) {
    if (!existsSync(join(appDirEnv, 'index.html'))) throw new Error(`PREFSTUDIO_APP_DIR=${appDirEnv}: no index.html there (a vite build output folder)`);
    return appDirEnv;
  }
  const appDir = join(root, 'dist');
  const reason = mode === 'always' ? 'PREFSTUDIO_BUILD=always' : staleReason(root, appDir);
  if (reason === null) return appDir;
  if (mode === 'never') {
    if (!existsSync(join(appDir, 'index.html'))) throw new Error(`${appDir} has no build: run \`npm run build\` (or unset PREFSTUDIO_BUILD=never)`);
    say(`note: ${reason}; serving it anyway (PREFSTUDIO_BUILD=never)`);
    return appDir;
  }
  say(`building the studio (${reason}): vite build …`);
  // Another `vite build` of this project holds vite's lock: wait for it, then build only if still stale.
  for (let attempt = 0; ; attempt++) {
    const r = await viteBuild(root);
    if (r.code === 0) return appDir;
    if (!/Found another Vite build process/.test(r.output) || attempt >= 60) {
      throw new Error(`vite build failed (exit ${r.code}):\n${r.output.trim().split('\n').slice(-20).join('\n')}`);
    }
    if (attempt === 0) say('another vite build of this project is running; waiting for it …');
    await new Promise((ok) => setTimeout(ok, 3000));
    if (staleReason(root, appDir) === null) return appDir;
  }
}

async function viteBuild(root: string): Promise<{ code: number; output: string }> {
  const vite = join(root, 'node_modules', '.bin', 'vite');
  const out: string[] = [];
  const code = await new Promise<number>((ok, fail) => {
    const p = spawn(vite, ['build', '--logLevel', 'warn'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (c: Buffer) => out.push(c.toString()));
    p.stderr.on('data', (c: Buffer) => out.push(c.toString()));
    p.on('error', fail);
    p.on('close', (c) => ok(c ?? 1));
  });
  return { code, output: out.join('') };
}
