// input.fields paths (since 7 Dec 2026): before, a configured name was one top-level key, so a device
// shadow's {"state":{"reported":{…}}} could not be read and "state.reported" named a key with a dot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyAsPath, parseFieldPath, readPath, whereBroken } from '../../../src/domain/field-path.ts';
import { showValue } from '../../../src/domain/show-value.ts';

test('a path is dotted keys; "\\." is a dot within a key and "\\\\" a backslash; "" the record itself', () => {
  assert.deepEqual(parseFieldPath('state.reported.temp'), ['state', 'reported', 'temp']);
  assert.deepEqual(parseFieldPath('timestamp'), ['timestamp']);
  assert.deepEqual(parseFieldPath(''), []);
  assert.deepEqual(parseFieldPath('sensor\\.1.temp'), ['sensor.1', 'temp']);
  assert.deepEqual(parseFieldPath('a\\\\.b'), ['a\\', 'b']);
  assert.deepEqual(parseFieldPath('@timestamp'), ['@timestamp']);
  for (const key of ['a.b', 'a\\b', 'x', '\\.', 'a..b']) assert.deepEqual(parseFieldPath(keyAsPath(key)), [key], key);
});

test('a malformed path is refused with what to write instead', () => {
  assert.deepEqual(parseFieldPath('state..temp'), { problem: '"state..temp" has an empty key (a "." at its start or end, or ".."): write keys separated by single dots, e.g. "state.reported"; a key holding a dot as "a\\.b"' });
  assert.ok('problem' in (parseFieldPath('.state') as object));
  assert.ok('problem' in (parseFieldPath('state.') as object));
  assert.deepEqual(parseFieldPath('a\\b'), { problem: '"a\\\\b" has "\\" before "b": in a path, "\\." is a dot within a key and "\\\\" a backslash; nothing else is escaped' });
  assert.deepEqual(parseFieldPath('a\\'), { problem: '"a\\\\" has "\\" at its end: in a path, "\\." is a dot within a key and "\\\\" a backslash; nothing else is escaped' });
});

test('readPath walks own members of objects only; whereBroken says where it stopped', () => {
  const rec = JSON.parse('{"state":{"reported":{"temp":21.5},"desired":"on","list":[1]},"n":null}') as Record<string, unknown>;
  assert.equal(readPath(rec, ['state', 'reported', 'temp']), 21.5);
  assert.equal(readPath(rec, ['state', 'desired', 'length']), undefined, 'a string is not stepped into');
  assert.equal(readPath(rec, ['state', 'list', '0']), undefined, 'nor an array');
  assert.equal(readPath(rec, ['state', 'constructor']), undefined, 'nor Object.prototype');
  assert.equal(readPath(rec, []), rec);
  const why = (p: string[]) => whereBroken(rec, p, showValue);
  assert.equal(why(['shadow', 'temp']), '; the record has no "shadow"');
  assert.equal(why(['state', 'reported', 'hum']), '; "state.reported" has no "hum"');
  assert.equal(why(['state', 'desired', 'x']), '; "state.desired" is "on", not an object');
  assert.equal(why(['state', 'list', '0']), '; "state.list" is an array ([1]): paths step through objects only');
  assert.equal(why(['n', 'x']), '; "n" is null, not an object');
  assert.equal(why(['temp']), '', 'a one-key path: the reason already says it is missing');
});
