import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, formatSeconds } from '../../../src/cli/progress.ts';
import { captureIo } from './capture.ts';

describe('progress output', () => {
  it('not a terminal: plain lines at most every logEveryMs, plus the final state once', () => {
    let t = 0;
    const io = captureIo({ tty: false, now: () => t });
    const bar = new ProgressBar(io, 'train', 100, { logEveryMs: 5000, unit: 'batches' });
    bar.update(1, { loss: 0.9 }); // first update prints
    t = 1000;
    bar.update(10, { loss: 0.5 }); // too soon
    t = 6000;
    bar.update(60, { loss: 0.25 });
    t = 8000;
    bar.update(100, { loss: 0.2 });
    bar.finish();
    const lines = io.err().trim().split('\n');
    assert.deepEqual(lines, [
      'train: 1/100 batches (1%) loss 0.9000 elapsed 0s eta 0s',
      'train: 60/100 batches (60%) loss 0.2500 elapsed 6s eta 4s',
      'train: 100/100 batches (100%) loss 0.2000 elapsed 8s',
    ]);
    assert.ok(!io.err().includes('\r'));
  });

  it('terminal: one bar redrawn in place with carriage returns, log lines above it', () => {
    let t = 0;
    const io = captureIo({ tty: true, now: () => t });
    const bar = new ProgressBar(io, 'backtest', 4);
    bar.update(2, { mse: 0.5 });
    t = 500;
    bar.log('epoch 1 done');
    t = 1000;
    bar.update(4);
    bar.finish();
    const err = io.err();
    assert.ok(err.startsWith('\r\x1b[Kbacktest [############............] 50% 2/4 mse 0.5000'));
    assert.ok(err.includes('\r\x1b[Kepoch 1 done\n'));
    assert.ok(err.includes('[########################] 100% 4/4'));
    assert.ok(err.endsWith('\n'));
  });

  it('formats durations', () => {
    assert.equal(formatSeconds(42.4), '42s');
    assert.equal(formatSeconds(125), '2m05s');
    assert.equal(formatSeconds(7260), '2h01m');
  });
});
