// tickcast dashboard, alerting panels (issue 16): band quality of the selected series and the
// worst-calibrated series, alert feedback buttons on the selected series' alerts, grouped
// incidents, and the series-state snapshot (restart in seconds). Polls the REST API every 5 s while
// the tab is visible, backing off while reads fail (10 s, 20 s … 2 min, or the server's Retry-After,
// plus up to a quarter at random), as the series list does (dashboard-series.js); reads the selected
// series from #series and the API key from #api-key (the same inputs as dashboard.js). Plain browser
// JS, DOM built with textContent.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const MAX_BACKOFF_MS = 120000;
  const backoff = window.tickcastBackoff; // dashboard-backoff.js
  // everyMs: a test may set window.tickcastAlertPanels = { everyMs } before the page's scripts run.
  const api = Object.assign({ everyMs: 5000 }, window.tickcastAlertPanels, { refresh });
  window.tickcastAlertPanels = api;
  let failures = 0;
  let timer = 0;
  const MEMBERS_SHOWN = 10;
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  const pct = (x) => (typeof x === 'number' ? (x * 100).toFixed(1) + ' %' : '–');
  const num = (x, d) => (typeof x === 'number' ? x.toFixed(d === undefined ? 3 : d) : '–');
  const time = (t) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);

  function headers(json) {
    const h = json ? { 'content-type': 'application/json' } : {};
    const key = $('api-key').value.trim();
    if (key) h.authorization = 'Bearer ' + key;
    return h;
  }
  // The body; null on a 404 (the part is off on this instance, or the series is unknown); and
  // {failed: why, retryAfter: s} on any other failure (no key, a refused key, a busy server, no
  // network), which the panels show as such rather than as "off".
  async function get(url) {
    let res;
    try { res = await fetch(url, { headers: headers(false) }); } catch (e) { return { failed: 'service unreachable (' + String(e.message || e) + ')', retryAfter: 0 }; }
    if (res.status === 404) return null;
    const body = await res.json().catch(() => null);
    if (res.ok && body) return body;
    const retryAfter = Number(res.headers.get('retry-after'));
    return { failed: (body && body.error && body.error.message) || 'HTTP ' + res.status, retryAfter: retryAfter > 0 ? retryAfter : 0 };
  }
  let retryNote = ''; // while reads fail: when the panels read again
  const failed = (x) => (x && typeof x.failed === 'string' ? 'unavailable: ' + x.failed + retryNote : '');

  function renderBand(detail, overview) {
    const box = $('band-quality');
    box.textContent = '';
    if (failed(detail) || failed(overview)) { box.dataset.coverage = ''; box.append(el('p', failed(detail) || failed(overview))); return; }
    const bq = detail && detail.bandQuality;
    box.dataset.coverage = bq ? String(bq.coverage) : '';
    if (bq) {
      const off = Math.abs(bq.coverage - bq.nominal);
      const row = el('p', '', off > 0.2 ? 'bad' : off > 0.1 ? 'warn' : 'ok');
      row.textContent = 'p10–p90 coverage ' + pct(bq.coverage) + ' (nominal ' + pct(bq.nominal) + ', over the last ' + bq.ticks + ' ticks) · below ' + pct(bq.below) +
        ' · above ' + pct(bq.above) + ' · pinball ' + num(bq.pinball) + ' · scaled ' + num(bq.scaledPinball, 2);
      box.append(row);
    } else box.append(el('p', 'no realised forecasts for this series yet'));
    if (overview && overview.worst && overview.worst.length) {
      box.append(el('p', overview.series + ' series judged, mean coverage ' + pct(overview.meanCoverage) + '; farthest from nominal:'));
      const ul = el('ul');
      for (const w of overview.worst) ul.append(el('li', w.series + '  coverage ' + pct(w.coverage) + '  scaled pinball ' + num(w.scaledPinball, 2)));
      box.append(ul);
    }
  }

  function renderFeedback(series, detail, alerts) {
    const box = $('feedback-state');
    const fb = detail && detail.feedback;
    box.dataset.bar = fb ? String(fb.bar) : '';
    box.textContent = !series ? '' : failed(detail) ? failed(detail) : fb
      ? 'alert bar now ' + num(fb.bar, 2) + (fb.suppressedUntil ? ' · maintenance until ' + time(fb.suppressedUntil) : '') +
        ' · feedback: ' + fb.counts.false_positive + ' false positive, ' + fb.counts.confirmed + ' confirmed, ' + fb.counts.expected + ' maintenance'
      : 'no feedback on this series';
    const ul = $('feedback-list');
    ul.textContent = '';
    // Newest first. A multivariate series alerts per feature, so each row names its feature (two
    // can fire on one tick), and says when a later record resolved it: feedback still applies.
    const list = Array.isArray(alerts) ? alerts : [];
    list.forEach((a, i) => {
      if (a.state !== 'firing' || !a.id) return;
      const over = list.slice(0, i).some((r) => r.state === 'resolved' && (r.feature || '') === (a.feature || '') && r.ts >= a.ts);
      const li = el('li', time(a.ts) + '  ' + (a.feature ? '[' + a.feature + ']  ' : '') + a.severity + '  score ' + num(a.score, 2) + (over ? '  resolved' : '') + '  ');
      li.dataset.state = over ? 'resolved' : 'firing';
      li.dataset.alertId = a.id;
      for (const [verdict, label] of [['false_positive', 'false positive'], ['confirmed', 'confirm'], ['expected', 'maintenance 2 h'], ['clear', 'clear']]) {
        const b = el('button', label);
        b.type = 'button';
        b.dataset.verdict = verdict;
        b.addEventListener('click', () => send(a.id, verdict));
        li.append(b);
      }
      ul.append(li);
    });
  }

  // A verdict the server did not get (no network, the service restarting) says so: until 6 Dec
  // 2026 the failed fetch was an unhandled rejection and the panel stayed silent.
  async function send(id, verdict) {
    let res;
    try {
      res = await fetch('v1/anomalies/' + encodeURIComponent(id) + '/feedback', { method: 'POST', headers: headers(true), body: JSON.stringify({ verdict }) });
    } catch (e) {
      $('feedback-status').textContent = verdict + ' not recorded: service unreachable (' + String(e.message || e) + ') — try again';
      $('feedback-status').dataset.ok = 'false';
      return;
    }
    const body = await res.json().catch(() => ({}));
    $('feedback-status').textContent = res.ok
      ? verdict + ' recorded for ' + body.series + ' (bar now ' + num(body.effect && body.effect.bar, 2) + ')'
      : (body.error ? body.error.message + (body.error.hint ? ' — ' + body.error.hint : '') : 'HTTP ' + res.status);
    $('feedback-status').dataset.ok = String(res.ok);
    refresh();
  }

  function renderIncidents(list) {
    const ul = $('incident-list');
    ul.textContent = '';
    const items = (list && list.items) || [];
    ul.dataset.count = String(items.length);
    if (!list || failed(list)) { ul.append(el('li', failed(list) || 'incident grouping is off')); return; }
    if (!items.length) ul.append(el('li', 'no incidents'));
    for (const i of items) {
      const li = el('li', time(i.firstTs) + '–' + time(i.lastTs).slice(11) + '  ' + i.state + '  ' + i.severity + '  ' + i.group + ' (' + i.groupBy + ')  ' +
        i.count + ' alerts on ' + i.series.length + ' series: ', i.state === 'open' ? 'open' : '');
      li.dataset.incidentId = i.id;
      // Each member series opens in the chart; the first MEMBERS_SHOWN, then how many more (an
      // incident can span thousands: until 6 Dec 2026 all were joined into one line, as plain text).
      for (const id of i.series.slice(0, MEMBERS_SHOWN)) {
        const b = el('button', id, 'series-link');
        b.type = 'button';
        b.dataset.series = id;
        b.addEventListener('click', () => openSeries(id));
        li.append(b);
      }
      if (i.series.length > MEMBERS_SHOWN) li.append(el('span', ' +' + (i.series.length - MEMBERS_SHOWN) + ' more'));
      ul.append(li);
    }
  }

  // Show `id` in the chart as picking it from the list does (dashboard.js: the address, the load),
  // adding it to the list when the list lacks it (past the list's first page).
  function openSeries(id) {
    const sel = $('series');
    if (!Array.from(sel.options).some((o) => o.value === id)) {
      const o = el('option', id);
      o.value = id;
      sel.append(o);
    }
    sel.value = id;
    sel.dispatchEvent(new Event('change'));
  }

  function renderSnapshot(st) {
    const p = $('snapshot-state');
    if (!st || failed(st)) { p.textContent = failed(st) || 'snapshots off (embedded mode or no directory)'; p.dataset.ageS = ''; return; }
    const age = st.last ? Math.round((Date.now() - st.last.atMs) / 1000) : null;
    p.dataset.ageS = age === null ? '' : String(age);
    const last = st.last
      ? 'last ' + age + ' s ago: ' + st.last.series + ' series, ' + (st.last.bytes / 1048576).toFixed(1) + ' MiB, intake held ' + st.last.captureMs + ' ms'
      : 'none written yet';
    const start = st.start.loaded
      ? 'start: ' + st.start.series + ' series restored in ' + (st.start.loadMs + st.start.restoreMs) + ' ms, ' + st.replayed.full + ' tail records replayed'
      : 'start: ' + (st.start.reason || 'no snapshot') + ', ' + st.replayed.window + ' records replayed';
    p.textContent = last + (st.failures ? ' · ' + st.failures + ' failed' : '') + ' · ' + start;
    p.className = st.failures ? 'open' : '';
  }

  // How long until the next read: everyMs, or while reads fail everyMs × 2^failures up to 2 min,
  // never sooner than the longest Retry-After a failed read carried.
  function nextWait(reads) {
    const bad = reads.filter((x) => x && typeof x.failed === 'string');
    if (!bad.length) { failures = 0; return api.everyMs; }
    failures++;
    return backoff.delay(2 * api.everyMs, failures, MAX_BACKOFF_MS, Math.max(...bad.map((x) => x.retryAfter * 1000)));
  }
  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }
  // No reads while the tab is hidden (five per tab every 5 s, band quality's over every series,
  // for pages left open in the background), one at once when it is shown again.
  function poll() {
    if (document.hidden) schedule(api.everyMs);
    else refresh();
  }

  let busy = false;
  async function refresh() {
    if (busy) return;
    busy = true;
    clearTimeout(timer);
    let wait = api.everyMs;
    try {
      const series = $('series').value;
      const enc = encodeURIComponent(series);
      const [detail, alerts, overview, incidents, snapshot] = await Promise.all([
        series ? get('v1/series/' + enc) : null,
        series ? get('v1/anomalies?series=' + enc + '&limit=20') : null,
        get('v1/band-quality?limit=5'),
        get('v1/incidents?limit=10'),
        get('v1/snapshots'),
      ]);
      wait = backoff.jitter(nextWait([detail, alerts, overview, incidents, snapshot]));
      retryNote = failures ? ' — retrying in ' + Math.round(wait / 1000) + ' s' : '';
      renderBand(detail, overview);
      renderFeedback(series, detail, alerts && alerts.items);
      renderIncidents(incidents);
      renderSnapshot(snapshot);
    } catch (e) {
      $('feedback-status').textContent = String(e.message || e);
    } finally {
      busy = false;
      schedule(wait);
    }
  }
  $('series').addEventListener('change', refresh);
  // Another key may be what the failing reads needed: read at once.
  $('api-key').addEventListener('change', refresh);
  // Shown again: read at once, unless backing off (the scheduled read comes when it is due).
  document.addEventListener('visibilitychange', () => { if (!document.hidden && failures === 0) refresh(); });
  refresh();
})();
