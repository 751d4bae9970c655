// POSIX-style path handling for paths found inside dataset records (audio and image references).
// Pure string logic: the same rules hold for a Node folder and a folder picked in the browser.

/** A path problem, worded for a record error (`../x escapes the dataset root`). */
export class PathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathError';
  }
}

/** True for `/x`, `C:\x`, `C:/x` and `\\server\share` (absolute on some platform). */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/**
 * Normalize a relative path: backslashes to `/`, drop `.` and empty segments, fold `..`.
 * Throws a PathError when `..` would climb above the start (the path escapes its root).
 */
export function normalizeRelative(p: string): string {
  if (p.includes('\0')) throw new PathError(`path ${JSON.stringify(p)} contains a NUL byte`);
  const out: string[] = [];
  for (const seg of p.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw new PathError(`path ${JSON.stringify(p)} escapes the dataset root`);
      out.pop();
    } else out.push(seg);
  }
  return out.join('/');
}

/** Join relative segments and normalize (`joinPath('a/b', '../c')` = `a/c`). */
export function joinPath(...parts: string[]): string {
  return normalizeRelative(parts.filter((p) => p !== '').join('/'));
}

/** The directory part of a relative path (`''` for a top-level name). */
export function dirName(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** The last segment of a path. */
export function baseName(p: string): string {
  const q = p.replace(/\\/g, '/');
  return q.slice(q.lastIndexOf('/') + 1);
}

/** Replace a leading directory `from` by `to` (the seed's `update_dir`); other paths pass unchanged. */
export function remapPrefix(p: string, from: string, to: string): string {
  const src = from.replace(/\/+$/, '') + '/';
  if (!p.startsWith(src)) return p;
  const dst = to.replace(/\/+$/, '');
  return dst === '' ? p.slice(src.length) : `${dst}/${p.slice(src.length)}`;
}

/**
 * Resolve a record's path inside a dataset root. Relative paths are taken from `baseDir` (a
 * folder inside the root, e.g. the one holding the JSONL file); an absolute path is accepted
 * only when `rootAbs` is known and the path lies under it. Returns the path relative to the
 * root; throws a PathError for anything that leaves the root (`../../etc/passwd`).
 */
export function resolveInRoot(p: string, baseDir = '', rootAbs?: string): string {
  if (p === '') throw new PathError('empty path');
  if (isAbsolutePath(p)) {
    const abs = p.replace(/\\/g, '/');
    const root = rootAbs?.replace(/\\/g, '/').replace(/\/+$/, '');
    if (root === undefined || root === '') throw new PathError(`absolute path ${JSON.stringify(p)} cannot be resolved inside the dataset root (use a path relative to the root, or a prefix remap)`);
    if (abs !== root && !abs.startsWith(root + '/')) throw new PathError(`absolute path ${JSON.stringify(p)} is outside the dataset root ${root}`);
    // NOTE: normalize after cutting the root so `root/../x` is still caught.
    return normalizeRelative(abs.slice(root.length));
  }
  try {
    return normalizeRelative(baseDir === '' ? p : `${baseDir}/${p}`);
  } catch {
    throw new PathError(`path ${JSON.stringify(p)} escapes the dataset root`);
  }
}
