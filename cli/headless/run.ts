// The headless runner behind `prefstudio train`: serve the built studio on loopback (model,
// dataset, adapter and checkpoint folders as read-only mounts; output_dir as the write target),
// open it in headless Chromium with WebGPU (a GPU through Vulkan, else SwiftShader), call the
// in-page hook that drives the studio's own training worker, and stream its progress and metrics
// to the terminal. Page errors, console errors and crashes end the run with a clear message.
// Ctrl-C asks the worker to stop after the current step and write a checkpoint; a second one quits.
import { basename, dirname } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TrainConfig } from '../../src/train/config';
import type { RuntimeInfo, TrainEvent, TrainJob, TrainJobResult } from '../../workers/api';
import { chromiumArgs, chromiumExecutable } from '../browser';
import { type CommandIo, CommandError } from '../flags';
import { buildMode, ensureBuilt, projectRoot } from './build';
import { ProgressPrinter, type Terminal, clock, metricsText, num } from './progress';
import { serve } from './server';

/** Everything the runner needs, checked by `prefstudio train` before it is called. */
export interface HeadlessPlan {
  config: TrainConfig;
  /** Absolute local folders and files. */
  modelDir: string;
  modelType: string;
  dataFile: string;
  /** Records the Node-side check read. */
  dataRecords: number;
  /** An evaluation file (evaluated every config.eval_steps). */
  evalFile?: string;
  evalRecords?: number;
  adapterDir?: string;
  resumeDir?: string;
  outputDir: string;
}

/** Knobs for tests and embedding: where output goes and which app is served. */
export interface RunOptions {
  /** The progress line's terminal (process.stdout by default). */
  terminal?: Terminal;
  /** Serve this folder instead of building/serving the project's dist/. */
  appDir?: string;
  /** Wait at most this long for the page and its worker to come up (ms). */
  startupTimeoutMs?: number;
}

const BINDING = '__prefstudioEvent';

/** The job the page hook gets: the config plus the URLs of the mounts. */
export function jobFor(plan: HeadlessPlan, origin: string, id: string): TrainJob {
  return {
    id,
    config: plan.config,
    model: `${origin}/mount/model`,
    data: { root: `${origin}/mount/data`, file: basename(plan.dataFile), rootPath: dirname(plan.dataFile) },
    ...(plan.evalFile ? { eval: { root: `${origin}/mount/eval`, file: basename(plan.evalFile), rootPath: dirname(plan.evalFile) } } : {}),
    ...(plan.adapterDir ? { adapter: `${origin}/mount/adapter` } : {}),
    ...(plan.resumeDir ? { resume: `${origin}/mount/resume` } : {}),
    output: `${origin}/output`,
  };
}

/** The read-only folders a plan serves, by mount name. */
export function mountsFor(plan: HeadlessPlan): Record<string, string> {
  return {
    model: plan.modelDir,
    data: dirname(plan.dataFile),
    ...(plan.evalFile ? { eval: dirname(plan.evalFile) } : {}),
    ...(plan.adapterDir ? { adapter: plan.adapterDir } : {}),
    ...(plan.resumeDir ? { resume: plan.resumeDir } : {}),
  };
}

/** The first useful line of an error that came through page.evaluate (`Error: ...` without Playwright's prefix or the stack). */
export function pageErrorText(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const first = raw.split('\n').find((l) => l.trim() !== '' && !/^\s+at /.test(l)) ?? raw;
  return first.replace(/^page\.evaluate:\s*/, '').replace(/^(Uncaught )?(\w*Error): /, '').trim();
}

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const stripAnsi = (s: string): string => s.replace(ANSI, '');

/**
 * How a console message counts: ORT's WASM log lines arrive as console.error whatever their
 * severity (`[W:onnxruntime:...]` is a warning), so only real errors end a run.
 */
export function consoleKind(type: string, text: string): 'error' | 'warning' | 'log' {
  const ort = /\[([VIWEF]):onnxruntime:/.exec(stripAnsi(text));
  if (ort) return ort[1] === 'E' || ort[1] === 'F' ? 'error' : ort[1] === 'W' ? 'warning' : 'log';
  if (type === 'error') return 'error';
  return type === 'warning' ? 'warning' : 'log';
}

/** The adapter line for the start of a run. */
export function backendLine(device: TrainConfig['device'], info: RuntimeInfo): string {
  if (device === 'wasm') return `backend: WASM (CPU, ${info.wasmThreads} thread${info.wasmThreads === 1 ? '' : 's'}${info.crossOriginIsolated ? ', cross-origin isolated' : ''}), ORT ${info.ortVersion}`;
  return `backend: WebGPU on ${info.adapter ?? 'no adapter'}${info.shaderF16 ? ' (shader-f16)' : ''}, ORT ${info.ortVersion}`;
}

/** Where WebGPU runs: forced by PREFSTUDIO_WEBGPU_ADAPTER, else a GPU when the machine shows one (NVIDIA or DRI render node). */
export function webgpuAdapterChoice(env = process.env.PREFSTUDIO_WEBGPU_ADAPTER, hasGpu = gpuPresent()): 'vulkan' | 'swiftshader' | 'auto-gpu' {
  if (env === 'vulkan' || env === 'swiftshader') return env;
  return hasGpu ? 'auto-gpu' : 'swiftshader';
}

function gpuPresent(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try { return readdirSync('/dev/dri').some((n) => n.startsWith('renderD')); } catch { return false; }
}

/** A started studio page: its browser, the worker's runtime facts, and a race against page failures. */
interface Opened {
  browser: Browser;
  page: Page;
  info: RuntimeInfo;
  /** Settle with `p`, or reject with the first page error, console error or crash. */
  race: <T>(p: Promise<T>) => Promise<T>;
}

/** Launch Chromium, load the studio, wire failures and events, and ask the worker for its runtime. */
async function openStudio(origin: string, swiftshader: boolean, startup: number, printer: ProgressPrinter, onLaunch: (b: Browser) => void): Promise<Opened> {
  const executablePath = chromiumExecutable();
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath, args: chromiumArgs({ swiftshader }), headless: true, handleSIGINT: false });
  } catch (e) {
    throw new CommandError(`cannot start Chromium${executablePath ? ` (${executablePath})` : ''}: ${pageErrorText(e)}; set PREFSTUDIO_CHROMIUM to a Chromium or Chrome binary`);
  }
  onLaunch(browser);
  const page = await browser.newPage();
  // Anything that goes wrong in the page ends the run: the first failure wins.
  let fail: (msg: string) => void = () => {};
  const failed = new Promise<never>((_, reject) => { fail = (msg) => reject(new CommandError(msg)); });
  failed.catch(() => {});
  page.on('pageerror', (e) => fail(`page error: ${pageErrorText(e)}`));
  page.on('crash', () => fail('the browser page crashed (out of GPU or host memory?)'));
  const verbose = process.env.PREFSTUDIO_VERBOSE === '1';
  const seen = new Set<string>();
  page.on('console', (m) => {
    const kind = consoleKind(m.type(), m.text());
    const text = stripAnsi(m.text()).split('\n')[0];
    if (kind === 'error') fail(`browser console error: ${text}`);
    else if (verbose && kind !== 'log' && !seen.has(text)) { seen.add(text); printer.say(`browser: ${text}`); }
  });
  // (After a normal close this rejects a promise nobody waits on any more.)
  browser.on('disconnected', () => fail('Chromium exited unexpectedly'));
  await page.exposeFunction(BINDING, (e: TrainEvent) => {
    if (e.type === 'progress') printer.progress(e);
    else if (e.type === 'log' && 'eval_loss' in e.entry) printer.say(`eval at step ${e.entry.step}: ${evalText(e.entry)}`);
    else if (e.type === 'log') printer.log(e.entry);
    else printer.say(e.text);
  });
  const race = <T>(p: Promise<T>): Promise<T> => Promise.race([p, failed]);
  await race(page.goto(`${origin}/`, { timeout: startup }));
  await race(page.waitForFunction(() => window.prefstudioHeadless !== undefined, undefined, { timeout: startup }));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CommandError(`the training worker did not answer within ${Math.round(startup / 1000)} s (did the app build load? try PREFSTUDIO_BUILD=always)`)), startup);
  });
  const info = await Promise.race([race(page.evaluate(() => window.prefstudioHeadless!.runtimeInfo())), late]).finally(() => clearTimeout(timer));
  return { browser, page, info, race };
}

/** Serve, launch, train, report; resolves to the exit code (0 done, 130 stopped by Ctrl-C). */
export async function runHeadless(plan: HeadlessPlan, io: CommandIo, opts: RunOptions = {}): Promise<number> {
  const term: Terminal = opts.terminal ?? { isTTY: !!process.stdout.isTTY, columns: process.stdout.columns, write: (t) => { process.stdout.write(t); } };
  const printer = new ProgressPrinter(term);
  let appDir: string;
  try {
    appDir = opts.appDir ?? await ensureBuilt(projectRoot, buildMode(), (l) => io.err(l));
  } catch (e) {
    throw new CommandError(e instanceof Error ? e.message : String(e));
  }
  const server = await serve({ appDir, mounts: mountsFor(plan), outputDir: plan.outputDir });
  let browser: Browser | null = null as Browser | null;
  let stopRequested = false;
  // Until the job runs there is nothing to checkpoint: Ctrl-C closes the browser and quits.
  let stop: (() => void) | null = null;
  let interrupted = false;
  const onSigint = () => {
    if (stop && !stopRequested) {
      stopRequested = true;
      printer.say('stopping after the current step (a checkpoint is written); Ctrl-C again to quit now');
      stop();
      return;
    }
    interrupted = true;
    printer.finish();
    io.err(stop ? 'prefstudio train: interrupted again, quitting without waiting' : 'prefstudio train: interrupted');
    const quit = () => process.exit(130);
    void (browser?.close() ?? Promise.resolve()).then(quit, quit);
  };
  process.on('SIGINT', onSigint);
  try {
    const startup = opts.startupTimeoutMs ?? 120_000;
    const open = (swiftshader: boolean): Promise<Opened> => openStudio(server.origin, swiftshader, startup, printer, (b) => { browser = b; });
    // A GPU through Vulkan when the machine has one (or PREFSTUDIO_WEBGPU_ADAPTER=vulkan), else SwiftShader;
    // when Vulkan gives no WebGPU adapter, start again on SwiftShader rather than fail.
    const choice = webgpuAdapterChoice();
    let opened = await open(choice === 'swiftshader');
    if (plan.config.device === 'webgpu' && !opened.info.webgpu && choice === 'auto-gpu') {
      printer.say('no WebGPU adapter through Vulkan; using SwiftShader (WebGPU on the CPU)');
      await opened.browser.close().catch(() => {});
      opened = await open(true);
    }
    const { page, info, race } = opened;
    if (plan.config.device === 'webgpu' && !info.webgpu) {
      throw new CommandError('WebGPU is not available in this Chromium (no adapter); check the GPU driver or PREFSTUDIO_WEBGPU_ADAPTER, or use --device wasm');
    }
    io.out(`prefstudio train: ${plan.config.trainer} on ${plan.modelDir} (${plan.modelType}), ${plan.dataRecords} records from ${plan.dataFile}${plan.evalFile ? `, eval ${plan.evalRecords} records from ${plan.evalFile}` : ''}`);
    io.out(backendLine(plan.config.device, info));

    const jobId = `train-${process.pid}-${Date.now()}`;
    stop = () => { page.evaluate((id) => window.prefstudioHeadless!.stop(id), jobId).catch(() => {}); };
    const job = jobFor(plan, server.origin, jobId);
    let result: TrainJobResult;
    try {
      result = await race(page.evaluate(({ job, binding }) => window.prefstudioHeadless!.train(job, binding), { job, binding: BINDING }));
    } catch (e) {
      printer.finish();
      if (e instanceof CommandError) throw e;
      throw new CommandError(`training failed: ${pageErrorText(e)}`);
    }
    printer.finish();
    report(io, plan, result, printer);
    return stopRequested ? 130 : 0;
  } catch (e) {
    // Closing the browser on Ctrl-C fails whatever was in flight: that is not an error to report.
    if (interrupted) return 130;
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await browser?.close().catch(() => {});
    await server.close();
  }
}

/** `eval_loss 0.69  eval_rewards/accuracies 0.5 ...`: the eval entry's metrics without timings. */
export function evalText(entry: Record<string, number>): string {
  return Object.entries(entry)
    .filter(([k]) => k.startsWith('eval_') && !/_(runtime|per_second)$/.test(k))
    .map(([k, v]) => `${k} ${num(v)}`).join('  ');
}

function report(io: CommandIo, plan: HeadlessPlan, r: TrainJobResult, printer: ProgressPrinter): void {
  const steps = r.summary.globalStep;
  const times = printer.stepTimes;
  const mean = times.length ? times.reduce((a, b) => a + b, 0) / times.length : NaN;
  const first = Number.isFinite(printer.firstStepSeconds) ? ` (first step ${num(printer.firstStepSeconds)} s, with session setup)` : '';
  io.out(`done: ${steps} step${steps === 1 ? '' : 's'} in ${clock(r.wallMs / 1000)} on ${r.backend}${Number.isFinite(mean) ? `, ${num(mean)} s/step${first}` : first}${r.summary.stopped ? ' (stopped early; checkpoint written)' : ''}`);
  const last = printer.latest();
  if (last) io.out(`last metrics: ${metricsText(last)}`);
  const top = r.summary.files.filter((f) => !f.includes('/'));
  io.out(`wrote ${plan.outputDir}: ${top.join(', ')}${r.summary.files.length > top.length ? ', checkpoint-N/' : ''}`);
}
