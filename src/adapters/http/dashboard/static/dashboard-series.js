// tickcast dashboard, the series picker (#series) kept live: series that appear after the page
// opened are listed, evicted ones leave, and the ⚠ of a firing series follows its alert state.
// It re-reads one page of GET /v1/series (the first 1,000 ids, sorted) every 15 s while the tab is
// visible — a bounded cost however many series the instance tracks (10,000 or more) — and backs
// off when reads fail (30 s, 60 s … 2 min, or the server's Retry-After, plus up to a quarter at
// random). The series on show stays in the list when it is not on the page: marked "not tracked
// now" when the page holds every series (evicted, or never seen), else left as it is (an id past
// the first page). With nothing on show the series the address names is opened (the page's first
// read of the list failed), else (no series yet) the first one to appear.
// dashboard.js renders its first read through render(); both read the API key from #api-key.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const PAGE = 1000;
  const MAX_BACKOFF_MS = 120000;
  const backoff = window.tickcastBackoff; // dashboard-backoff.js
  // everyMs: a test may set window.tickcastSeriesList = { everyMs } before the page's scripts run.
  const api = Object.assign({ everyMs: 15000 }, window.tickcastSeriesList, { render, refresh });
  window.tickcastSeriesList = api;
  let failures = 0;
  let timer = 0;

  const label = (s) => s.id + (s.anomalyState === 'firing' ? ' ⚠' : '');

  // Sets the options to `list` (a GET v1/series page) plus `keep` (the series to show) when it is
  // not listed, and selects `keep` (else the first). Rebuilds the options only when they changed.
  // Returns the id selected.
  function render(list, keep) {
    const sel = $('series');
    const rows = list.items.map((s) => [s.id, label(s)]);
    if (keep && !list.items.some((s) => s.id === keep)) rows.push([keep, keep + (list.total <= list.items.length ? ' (not tracked now)' : '')]);
    const same = sel.options.length === rows.length && rows.every(([id, text], i) => sel.options[i].value === id && sel.options[i].textContent === text);
    if (!same) {
      sel.textContent = '';
      for (const [id, text] of rows) {
        const o = document.createElement('option');
        o.value = id;
        o.textContent = text;
        sel.append(o);
      }
    }
    sel.value = keep || (rows.length ? rows[0][0] : '');
    sel.dataset.total = String(list.total);
    return sel.value;
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(refresh, backoff.jitter(ms));
  }

  async function refresh() {
    clearTimeout(timer);
    if (document.hidden) return schedule(api.everyMs); // no read while hidden; shown again: read at once (below)
    let wait = api.everyMs;
    try {
      const key = $('api-key').value.trim();
      const res = await fetch('v1/series?limit=' + PAGE, { headers: key ? { authorization: 'Bearer ' + key } : {} });
      if (!res.ok) {
        const retryAfter = Number(res.headers.get('retry-after'));
        throw Object.assign(new Error('HTTP ' + res.status), { retryAfter: retryAfter > 0 ? retryAfter : 0 });
      }
      const list = await res.json();
      const sel = $('series');
      const before = sel.value;
      // Nothing on show yet: the series the address names (the page's first read of the list
      // failed: until 6 Dec 2026 the first series opened in its place), else the first that appeared.
      const now = render(list, before || new URLSearchParams(location.search).get('series') || '');
      if (!before && now) sel.dispatchEvent(new Event('change'));
      failures = 0;
    } catch (e) {
      failures++;
      wait = backoff.delay(2 * api.everyMs, failures, MAX_BACKOFF_MS, (e.retryAfter || 0) * 1000);
    }
    schedule(wait);
  }

  document.addEventListener('visibilitychange', () => { if (!document.hidden && failures === 0) schedule(0); });
  schedule(api.everyMs);
})();
