// Stand-in for k6's 'k6' module: every named check is recorded with its outcome.
export function check(value, sets) {
  let all = true;
  for (const [name, fn] of Object.entries(sets)) {
    const ok = Boolean(fn(value));
    globalThis.__k6.checks.push({ name, ok });
    all &&= ok;
  }
  return all;
}
export function sleep() {}
