/**
 * A fine-tune call with no trainer running rejects with TC_FINETUNE_TRAINER_DOWN (retriable): the
 * fine-tune loop logs the code and the round's reason carries the message. Until 7 Dec 2026 it was
 * a plain Error without a code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainerHost, type TrainerHostOptions } from '../../../src/model/finetune/trainer-host.ts';
import { isTickcastError } from '../../../src/errors/index.ts';

test('a call before the trainer runs rejects with TC_FINETUNE_TRAINER_DOWN, retriable', async () => {
  const host = new TrainerHost({} as TrainerHostOptions);
  await assert.rejects(host.tensors(), (err: unknown) => {
    assert.ok(isTickcastError(err), String(err));
    assert.equal(err.code, 'TC_FINETUNE_TRAINER_DOWN');
    assert.equal(err.retriable, true);
    assert.match(err.message, /the fine-tune trainer is not running/);
    return true;
  });
});
