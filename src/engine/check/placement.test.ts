import { describe, expect, it } from 'vitest';
import { parsePlacements } from '../session';

// Lines as ORT 1.30's WebGPU build prints them in Chromium (captured from a LogSoftmax probe and a
// mixed graph), including the prefix and a multi-line console chunk.
const prefix = '2026-12-01 20:36:40.549430 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]';

describe('parsePlacements', () => {
  it('reads an all-on-one-EP group and the missing-kernel reason', () => {
    const log = [
      '2026-12-01 20:36:40.538400 [I:onnxruntime:, webgpu_execution_provider.cc:665 GetCapability] webgpu kernel not found in registries for Op type: LogSoftmax node name: LogSoftmax_0',
      `${prefix} Node placements`,
      `${prefix}  All nodes placed on [CPUExecutionProvider]. Number of nodes: 1`,
    ];
    expect(parsePlacements(log)).toEqual([
      { ep: 'CPUExecutionProvider', nodes: ['all 1 nodes', 'LogSoftmax (LogSoftmax_0): no WebGPU kernel'] },
    ]);
  });

  it('reads split groups with one node per line', () => {
    const log = [
      `${prefix} Node placements\n${prefix}  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 2\n${prefix}   MatMul (MatMul_3)\n${prefix}   Add (Add_4)`,
      `${prefix}  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 1\n${prefix}   Shape (Shape_7)`,
      '2026-12-01 [I:onnxruntime:, inference_session.cc:2019 Initialize] Session successfully initialized.',
    ];
    expect(parsePlacements(log)).toEqual([
      { ep: 'WebGpuExecutionProvider', nodes: ['MatMul (MatMul_3)', 'Add (Add_4)'] },
      { ep: 'CPUExecutionProvider', nodes: ['Shape (Shape_7)'] },
    ]);
  });
});
