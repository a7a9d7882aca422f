import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultWorkers, detectGpuSlots, gpuSlots, parseNvidiaSmiIndexes } from '../../../src/core/queue/gpuSlots.ts';

describe('core/queue: GPU slots and default workers', () => {
  it('reads CUDA_VISIBLE_DEVICES as CUDA does', () => {
    assert.deepEqual(gpuSlots({ CUDA_VISIBLE_DEVICES: '0,1' }), ['0', '1']);
    assert.deepEqual(gpuSlots({ CUDA_VISIBLE_DEVICES: ' 2 , 3 ' }, ['0']), ['2', '3'], 'the variable wins over detection');
    assert.deepEqual(gpuSlots({ CUDA_VISIBLE_DEVICES: '' }, ['0', '1']), []);
    assert.deepEqual(gpuSlots({ CUDA_VISIBLE_DEVICES: '-1' }, ['0']), []);
    assert.deepEqual(gpuSlots({ CUDA_VISIBLE_DEVICES: '0,-1,1' }), ['0'], 'stops at the first invalid id');
    assert.deepEqual(gpuSlots({ CUDA_VISIBLE_DEVICES: 'GPU-8f6e1a2b,GPU-1c2d' }), ['GPU-8f6e1a2b', 'GPU-1c2d']);
    assert.deepEqual(gpuSlots({ CUDA_VISIBLE_DEVICES: '1,1' }), ['1']);
  });

  it('uses the detected GPUs when the variable is unset, and none by default', () => {
    assert.deepEqual(gpuSlots({}, ['0', '1', '']), ['0', '1']);
    assert.deepEqual(gpuSlots({}), []);
    assert.deepEqual(parseNvidiaSmiIndexes('0\n1\r\n\nNo devices were found\n'), ['0', '1']);
  });

  it('runs the cores minus one by default, at least one', () => {
    assert.equal(defaultWorkers(8), 7);
    assert.equal(defaultWorkers(2), 1);
    assert.equal(defaultWorkers(1), 1);
    assert.equal(defaultWorkers(0), 1);
    assert.equal(defaultWorkers(Number.NaN), 1);
  });

  it('detects GPUs with nvidia-smi when CUDA_VISIBLE_DEVICES is unset, and none without it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'labbook-gpus-'));
    try {
      // A real executable named nvidia-smi on PATH, printing what the real one prints for two GPUs.
      const smi = path.join(dir, 'nvidia-smi');
      writeFileSync(smi, '#!/bin/sh\nprintf "0\\n1\\n"\n');
      chmodSync(smi, 0o755);
      assert.deepEqual(await detectGpuSlots({ PATH: dir }), ['0', '1']);
      assert.deepEqual(await detectGpuSlots({ PATH: dir, CUDA_VISIBLE_DEVICES: '1' }), ['1'], 'the variable wins');
      assert.deepEqual(await detectGpuSlots({ PATH: path.join(dir, 'none') }), [], 'no nvidia-smi: no GPU');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
