import { describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../../src/train/config';
import { type HeadlessPlan, backendLine, consoleKind, evalText, jobFor, mountsFor, pageErrorText, webgpuAdapterChoice } from './run';

const plan: HeadlessPlan = {
  config: parseTrainConfig({ model_name_or_path: '/m', dataset_name: '/data/set/train.jsonl', output_dir: '/out' }),
  modelDir: '/m', modelType: 'llama', dataFile: '/data/set/train.jsonl', dataRecords: 4,
  evalFile: '/data/eval/dev.jsonl', evalRecords: 2, resumeDir: '/out/checkpoint-4', outputDir: '/out',
};

describe('headless runner pieces', () => {
  it('mounts the model, the dataset folder (so audio paths resolve under it), eval and resume folders; output is separate', () => {
    expect(mountsFor(plan)).toEqual({ model: '/m', data: '/data/set', eval: '/data/eval', resume: '/out/checkpoint-4' });
    const job = jobFor(plan, 'http://127.0.0.1:9', 'j1');
    expect(job).toMatchObject({
      id: 'j1', model: 'http://127.0.0.1:9/mount/model', output: 'http://127.0.0.1:9/output', resume: 'http://127.0.0.1:9/mount/resume',
      data: { root: 'http://127.0.0.1:9/mount/data', file: 'train.jsonl', rootPath: '/data/set' },
      eval: { root: 'http://127.0.0.1:9/mount/eval', file: 'dev.jsonl' },
    });
    expect('adapter' in job).toBe(false);
    expect(job.config).toBe(plan.config);
  });

  it('ORT log lines arrive as console errors but only E/F severities end a run', () => {
    const esc = String.fromCharCode(27);
    expect(consoleKind('error', `${esc}[0;93m2026-12-01 [W:onnxruntime:, session_state.cc:1397 VerifyEachNodeIsAssignedToAnEp] Some nodes...${esc}[m`)).toBe('warning');
    expect(consoleKind('error', '[E:onnxruntime:, inference_session.cc] Exception during initialization')).toBe('error');
    expect(consoleKind('error', '[I:onnxruntime:, x] info')).toBe('log');
    expect(consoleKind('error', 'Uncaught TypeError: x is undefined')).toBe('error');
    expect([consoleKind('warning', 'w'), consoleKind('log', 'l')]).toEqual(['warning', 'log']);
  });

  it('errors from page.evaluate become their first useful line', () => {
    expect(pageErrorText(new Error('page.evaluate: Error: model.safetensors: header is cut short\n    at x (y.js:1:2)'))).toBe('model.safetensors: header is cut short');
    expect(pageErrorText('TypeError: boom')).toBe('boom');
  });

  it('eval and backend lines', () => {
    expect(evalText({ eval_loss: 0.5, 'eval_rewards/accuracies': 1, eval_runtime: 3, eval_samples_per_second: 2, epoch: 1, step: 3 })).toBe('eval_loss 0.5  eval_rewards/accuracies 1');
    const info = { webgpu: true, adapter: 'google swiftshader', shaderF16: true, maxStorageBufferBindingSize: 1, crossOriginIsolated: true, wasmThreads: 2, ortVersion: '1.30.0' };
    expect(backendLine('webgpu', info)).toBe('backend: WebGPU on google swiftshader (shader-f16), ORT 1.30.0');
    expect(backendLine('wasm', info)).toBe('backend: WASM (CPU, 2 threads, cross-origin isolated), ORT 1.30.0');
  });
});

describe('WebGPU adapter choice', () => {
  it('the env var decides; else a GPU device node means try Vulkan first, none means SwiftShader', () => {
    expect(webgpuAdapterChoice('vulkan', false)).toBe('vulkan');
    expect(webgpuAdapterChoice('swiftshader', true)).toBe('swiftshader');
    expect(webgpuAdapterChoice(undefined, true)).toBe('auto-gpu');
    expect(webgpuAdapterChoice(undefined, false)).toBe('swiftshader');
  });
});
