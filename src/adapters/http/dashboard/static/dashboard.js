// tickcast live dashboard: one series, actual vs forecast p50 with the p10–p90 band and anomaly
// markers, updated from server-sent events (GET /v1/events?series=). Plain browser JS, no build
// step; uPlot is served from this server (node_modules/uplot), never from a CDN. Every URL is
// relative to the page, so the dashboard also works behind a proxy that serves it under a path
// prefix (https://host/tickcast/ → this server's /).
/* global uPlot */
(function () {
  'use strict';
  const MAX_POINTS = 600;
  const MAX_LISTED = 200; // anomaly list entries kept (the newest): a page left open does not grow without bound
  const SERIES_LISTED = 1000; // one page of GET /v1/series; others are opened with ?series=ID
  const $ = (id) => document.getElementById(id);
  // feature: the one picked (#feature, the address's ?feature=); drawn: the one drawn; targets: the model's.
  // carried: ticks of the drawn feature that came without it (ts → the value carried forward); runs:
  // per feature, how many of the latest ticks lacked it (window.carried, then counted from live ticks).
  const state = { series: '', feature: new URLSearchParams(location.search).get('feature') || '', drawn: '', targets: [], actual: new Map(), carried: new Map(), runs: {}, band: new Map(), future: [], anomalies: new Map(), model: '', plot: null, stream: null, redraw: 0 };
  window.tickcastDashboard = state;

  function headers() {
    const key = $('api-key').value.trim();
    return key ? { authorization: 'Bearer ' + key } : {};
  }
  // A fetch the network failed (the service down or restarting, no route to it) rejects with the
  // browser's bare "Failed to fetch" / "NetworkError …": said as what it means for the user.
  async function reach(url, init) {
    try {
      return await fetch(url, init);
    } catch (e) {
      if (init.signal && init.signal.aborted) throw e;
      throw Object.assign(new Error('service unreachable (' + String(e.message || e) + ')'), { unreachable: true });
    }
  }
  // 503 (shedding/draining) and 429 carry Retry-After: wait and try again a few times.
  async function getJson(url, attempts) {
    attempts = attempts === undefined ? 5 : attempts;
    const res = await reach(url, { headers: headers() });
    const body = await res.json().catch(() => ({}));
    if ((res.status === 503 || res.status === 429) && attempts > 1) {
      const wait = Math.min(30, Number(res.headers.get('retry-after')) || 1);
      const busy = 'server busy, retrying in ' + wait + ' s';
      setStatus(busy);
      await new Promise((r) => setTimeout(r, wait * 1000));
      // The note is this read's: it goes when the read ends, whatever other read answered meanwhile
      // (a panel's or the model's read refused by a closing instance left it on screen for good).
      try {
        return await getJson(url, attempts - 1);
      } finally {
        if ($('status').textContent === busy) setStatus('');
      }
    }
    if (!res.ok) throw new Error((body.error && (body.error.message + (body.error.hint ? ' — ' + body.error.hint : ''))) || res.statusText);
    return body;
  }
  let countdown = 0;
  function setStatus(msg) { clearInterval(countdown); $('status').textContent = msg || ''; }
  // `msg` and when the page tries again, counted down each second until then.
  function setRetrying(msg, ms) {
    const until = Date.now() + ms;
    const show = () => { $('status').textContent = msg + ', retrying in ' + Math.max(1, Math.ceil((until - Date.now()) / 1000)) + ' s'; };
    setStatus('');
    show();
    countdown = setInterval(() => (Date.now() >= until ? clearInterval(countdown) : show()), 1000);
  }
  function setConn(s) { $('conn').dataset.state = s; $('conn').textContent = 'live: ' + s; }

  function trim(map) {
    if (map.size <= MAX_POINTS) return;
    const keys = [...map.keys()].sort((a, b) => a - b);
    for (const k of keys.slice(0, map.size - MAX_POINTS)) map.delete(k);
  }
  function addForecast(f) {
    state.model = f.model || state.model;
    // A promotion (or rollback) seen on this series: the tick its first forecast came at, and the
    // version before — what an operator lines up with the alerts. Baselines (cold, fusion) aside.
    if (f.model && !f.model.startsWith('baseline:')) {
      // GET /v1/model again: the pill's "serving since" names the new version's time.
      if (state.served && state.served !== f.model) { state.modelSince = { was: state.served, ts: f.ts }; loadModel(false).catch(() => undefined); }
      state.served = f.model;
    }
    state.replaces = f.replaces || '';
    const steps = stepsOf(f);
    for (const step of steps) {
      if (step.step === 1 && typeof step.ts === 'number') state.band.set(step.ts, step);
    }
    // Steps in hours the series is closed (closedSteps: a market's night, docs/schemas.md) are not drawn.
    const closed = new Set(f.closedSteps || []);
    state.future = steps.filter((s) => typeof s.ts === 'number' && !closed.has(s.step));
    trim(state.band);
  }
  // The forecast steps of the feature drawn: a multi-target model's forecast names every target's
  // (`targets`; `horizon` is the first's); a feature that is no target has none.
  function stepsOf(f) {
    if (f.targets) return f.targets[state.drawn] || [];
    return !state.drawn || !state.targets.length || state.targets[0] === state.drawn ? f.horizon : [];
  }
  // An alert record's key: a multivariate series alerts per feature, so two records can share a
  // tick (and a resolve can carry its firing's ts, `tickTs`); each is kept and listed.
  const anomalyKey = (r) => r.ts + '|' + (r.feature || '') + '|' + r.state;
  const fixed = (x, d) => (typeof x === 'number' ? x.toFixed(d) : String(x));
  const RESOLVED_WHY = { evicted: 'series evicted', reset: 'detector reset by a restart', moved: 'partition moved to this instance', stale: 'feature stopped arriving' };
  function addAnomaly(r) {
    state.anomalies.set(anomalyKey(r), r);
    if (state.anomalies.size > MAX_POINTS) {
      const oldest = [...state.anomalies].sort((a, b) => a[1].ts - b[1].ts).slice(0, state.anomalies.size - MAX_POINTS);
      for (const [k] of oldest) state.anomalies.delete(k);
    }
    const li = document.createElement('li');
    // Firing or resolved (and why, when the alert did not recover: evicted, reset by a restart, or its feature stale);
    // the feature that fired on a multivariate series (absent in older records); `view`: what fired
    // (absent in resolved and older records) — a seasonal or volatility alert can have its value
    // inside the forecast band; `heldUntilTs`: sent late, after a maintenance span.
    const inside = r.value >= r.lower && r.value <= r.upper;
    const resolved = r.state === 'resolved';
    li.dataset.state = r.state;
    li.textContent = new Date(r.ts).toISOString() + '  ' + (resolved ? 'RESOLVED' + (RESOLVED_WHY[r.reason] ? ' (' + RESOLVED_WHY[r.reason] + ')' : '') : 'FIRING') + '  ' +
      (r.feature ? '[' + r.feature + ']  ' : '') + r.severity + '  value ' + fixed(r.value, 3) +
      (inside ? ' within [' : ' outside [') + fixed(r.lower, 3) + ', ' + fixed(r.upper, 3) + ']' + (r.view ? '  (' + r.view + ')' : '') + '  score ' + fixed(r.score, 2) +
      (r.heldUntilTs ? '  (held by maintenance, sent ' + new Date(r.heldUntilTs).toISOString() + ')' : '');
    const list = $('anomaly-list');
    list.prepend(li);
    while (list.childElementCount > MAX_LISTED) list.lastElementChild.remove();
  }

  function buildData() {
    // Markers for firing records only: a resolve is the end of an alert, not another anomaly.
    const fired = new Map();
    // On a multivariate series, those of the feature drawn (a record without `feature` is the first target's).
    const mine = (r) => !$('feature').options.length || (r.feature || state.targets[0]) === state.drawn;
    for (const r of state.anomalies.values()) if (r.state !== 'resolved' && mine(r)) fired.set(r.ts, r.value);
    const xsSet = new Set([...state.actual.keys(), ...state.carried.keys(), ...state.band.keys(), ...fired.keys()]);
    const lastActual = Math.max(-Infinity, ...state.actual.keys(), ...state.carried.keys());
    for (const s of state.future) if (s.ts > lastActual) xsSet.add(s.ts);
    const xs = [...xsSet].sort((a, b) => a - b);
    const future = new Map(state.future.filter((s) => s.ts > lastActual).map((s) => [s.ts, s]));
    const col = (fn) => xs.map((t) => { const v = fn(t); return typeof v === 'number' && Number.isFinite(v) ? v : null; });
    const fc = (t) => state.band.get(t) || future.get(t);
    // The carried line joins the readings either side of a carried run (its edges).
    const read = xs.filter((t) => state.actual.has(t) || state.carried.has(t));
    const edges = new Set(read.filter((t, i) => state.actual.has(t) && (state.carried.has(read[i - 1]) || state.carried.has(read[i + 1]))));
    return [
      xs.map((t) => t / 1000),
      col((t) => state.actual.get(t)),
      col((t) => (fc(t) || {}).p10),
      col((t) => (fc(t) || {}).p90),
      col((t) => (fc(t) || {}).p50),
      col((t) => (fired.has(t) ? (state.actual.has(t) ? state.actual.get(t) : fired.get(t)) : null)),
      col((t) => (edges.has(t) ? state.actual.get(t) : state.carried.get(t))),
    ];
  }

  function makePlot() {
    const el = $('chart');
    el.textContent = '';
    const opts = {
      width: Math.max(400, el.clientWidth - 2),
      height: 360,
      scales: { x: { time: true } },
      axes: [{}, { size: 72 }], // room for labels like 25,000
      series: [
        {},
        { label: 'actual', stroke: '#1f6feb', width: 1.5, points: { show: true, size: 3 } },
        { label: 'p10', stroke: 'rgba(232,137,12,.5)', width: 1, spanGaps: true, points: { show: false } },
        { label: 'p90', stroke: 'rgba(232,137,12,.5)', width: 1, spanGaps: true, points: { show: false } },
        { label: 'p50', stroke: '#e8890c', width: 1.5, dash: [6, 4], spanGaps: true, points: { show: false } },
        { label: 'anomaly', stroke: '#dd0000', fill: '#dd0000', width: 0, paths: () => null,
          points: { show: true, size: 12, stroke: '#dd0000', fill: '#dd0000', width: 1 } },
        { label: 'carried', stroke: '#999', width: 1.5, dash: [3, 3], points: { show: false } },
      ],
      bands: [{ series: [3, 2], fill: 'rgba(232,137,12,.22)' }],
      legend: { show: false },
    };
    state.plot = new uPlot(opts, buildData(), el);
  }

  function redraw() {
    if (state.redraw) return;
    state.redraw = requestAnimationFrame(() => {
      state.redraw = 0;
      const data = buildData();
      if (state.plot) state.plot.setData(data);
      const el = $('chart');
      el.dataset.points = String(data[1].filter((v) => v !== null).length);
      el.dataset.forecastPoints = String(data[4].filter((v) => v !== null).length);
      el.dataset.futurePoints = String(state.future.length);
      el.dataset.anomalies = String(data[5].filter((v) => v !== null).length);
      el.dataset.carriedPoints = String(state.carried.size);
      // Features the latest ticks came without (input.missingFeature carry): forecasts are made from the value carried.
      const runs = Object.entries(state.runs).filter(([, n]) => n > 0);
      $('carried-note').textContent = runs.map(([f, n]) => f + ': no reading for ' + n + (n === 1 ? ' tick' : ' ticks') + ', carrying last value').join('; ');
      $('carried-note').hidden = !runs.length;
      // A baseline is served for a cold series (window not full yet) or, under fusion, in place of
      // a model that did worse on this series lately (`replaces`: its version): say which (docs/schemas.md).
      const mv = $('model-version');
      const baseline = state.model.startsWith('baseline:');
      const fused = baseline && state.replaces;
      mv.textContent = !baseline ? state.model || '…' : fused ? state.model + ' (did better than ' + state.replaces + ' on this series lately)' : state.model + ' (cold series: window filling)';
      mv.dataset.baseline = String(baseline && !fused);
      mv.dataset.fusion = String(Boolean(fused));
      const since = state.modelSince;
      $('model-change').textContent = since ? ' · ' + state.served + ' since ' + new Date(since.ts).toISOString() + ', was ' + since.was : '';
    });
  }

  // `again`: the live stream ended and reconnects — what was drawn stays (the band over past ticks
  // exists only here), and the window and alerts read now fill what arrived while it was down.
  async function loadSeries(id, again) {
    stopStream();
    if (!again) {
      Object.assign(state, { series: id, actual: new Map(), carried: new Map(), runs: {}, band: new Map(), future: [], anomalies: new Map(), failures: 0, served: '', modelSince: null });
      $('anomaly-list').textContent = '';
    }
    if (!id) return;
    // Side by side: a busy server's Retry-After on one read does not delay the other; an error shows from the series read.
    await Promise.all([again ? loadModel(false).catch(() => undefined) : null, readSeries(id)]);
    if (state.series !== id) return; // another series was picked meanwhile
    if (!again || !state.plot) makePlot();
    redraw();
    startStream(id);
  }

  // The series' window, last forecast and recent alerts, added to what is drawn. A read that fails
  // leaves `state.unread`: the first live tick of the series reads it again (below) — after a
  // restart the new instance knows a series only once its ticks arrive, and until 6 Dec 2026 the
  // page kept saying it was "not tracked" (and drew no forecast) while its ticks streamed in.
  async function readSeries(id) {
    try {
      const [detail, anomalies] = await Promise.all([
        getJson('v1/series/' + encodeURIComponent(id)),
        getJson('v1/anomalies?series=' + encodeURIComponent(id) + '&limit=100'),
      ]);
      if (state.series !== id) return;
      const values = detail.window.values || {};
      const key = pickFeature(Object.keys(values));
      const vs = key ? values[key] : [];
      // The feature drawn (the one picked, else the model's first target): a multivariate series
      // alerts per feature; markers are the drawn feature's, the list names every alert's.
      $('chart-feature').textContent = key && Object.keys(values).length > 1 ? ' (' + key + ' of ' + Object.keys(values).length + ' features)' : '';
      $('chart').dataset.feature = key || '';
      // Readings the feed missed and the window store filled in (window.filled) are not drawn as actual
      // ones, nor are values carried forward for a feature a tick lacked (the latest window.carried[key]
      // ticks; earlier runs only as the live stream saw them, the last tick not after a merge): those
      // are drawn apart, dashed grey.
      const filled = new Set(detail.window.filled || []);
      const ts = detail.window.ts;
      state.runs = Object.assign({}, detail.window.carried);
      let from = ts.length; // the run's first position; filled slots inside it are no ticks
      for (let left = state.runs[key] || 0; left > 0 && from > 0;) if (!filled.has(--from)) left--;
      ts.forEach((t, i) => {
        if (filled.has(i) || typeof vs[i] !== 'number') return;
        const carried = i >= from || (i < ts.length - 1 && state.carried.has(t));
        (carried ? state.carried : state.actual).set(t, vs[i]);
        (carried ? state.actual : state.carried).delete(t);
      });
      if (detail.lastForecast) addForecast(detail.lastForecast);
      anomalies.items.slice().reverse().filter((r) => !state.anomalies.has(anomalyKey(r))).forEach(addAnomaly);
      state.unread = 0;
      setStatus('');
    } catch (e) {
      if (state.series !== id) return;
      state.unread = Date.now();
      setStatus(String(e.message || e));
    }
  }

  // A multi-target (or multivariate) series: pick the feature drawn — the one picked if the window
  // has it, else the model's first target — and list them in #feature (shown for two or more),
  // targets first; the others have no forecast. Until 6 Dec 2026 only the first target was drawn.
  function pickFeature(keys) {
    const key = [state.feature, ...state.targets].find((k) => k && keys.includes(k)) || keys[0] || '';
    const sel = $('feature');
    sel.textContent = '';
    if (keys.length > 1) {
      for (const k of [...state.targets.filter((t) => keys.includes(t)), ...keys.filter((k) => !state.targets.includes(k))]) {
        const o = document.createElement('option');
        o.value = k;
        o.textContent = k + (state.targets.length && !state.targets.includes(k) ? ' (no forecast)' : '');
        sel.append(o);
      }
    }
    sel.value = key;
    $('feature-pick').hidden = keys.length < 2;
    state.drawn = key;
    return key;
  }

  function onEvent(type, data) {
    let e;
    try { e = JSON.parse(data); } catch { return; }
    // At most one read every 2 s while reads fail.
    if (e.series === state.series && state.unread && Date.now() - state.unread >= 2000) {
      state.unread = Date.now();
      readSeries(state.series).then(redraw);
    }
    if (type === 'tick' && e.series === state.series) {
      // `values`: every feature's reading (multivariate). Without it (a univariate series, an older
      // server) `value`, the first target's, is drawn only when that is the feature drawn (stepsOf's rule).
      const v = e.values ? e.values[state.drawn] : stepsOf({ horizon: [e.value] })[0];
      if (typeof v === 'number') { state.actual.set(e.ts, v); state.carried.delete(e.ts); trim(state.actual); }
      else if (e.values && e.values[state.drawn] === null && !e.merged) carryDrawn(e.ts);
      // null: the tick lacked the feature (carried forward). `merged`: the same tick again, a reading
      // sent late in its own record written into it (its nulls are no new tick).
      for (const [f, x] of Object.entries(e.values || {})) {
        if (typeof x === 'number') delete state.runs[f];
        else if (!e.merged) state.runs[f] = (state.runs[f] || 0) + 1;
      }
    }
    else if (type === 'forecast' && e.series === state.series) addForecast(e);
    else if (type === 'anomaly' && e.record && e.record.series === state.series) addAnomaly(e.record);
    else return;
    redraw();
  }

  // A live tick without the drawn feature: the window repeats its last value there.
  function carryDrawn(ts) {
    const prev = Math.max(-Infinity, ...state.actual.keys(), ...state.carried.keys());
    const last = state.carried.has(prev) ? state.carried.get(prev) : state.actual.get(prev);
    if (typeof last === 'number' && ts > prev) { state.carried.set(ts, last); trim(state.carried); }
  }

  // SSE over fetch (not EventSource) so the API key can travel in the Authorization header.
  // Reconnects 2 s after a stream ends or fails, reading the window again first so that the ticks
  // sent meanwhile are drawn (loadSeries(id, true)); a refused stream (503: every slot taken, 429:
  // this client's) waits its Retry-After, and failures in a row back off (2, 4, 8 … 30 s, plus up to
  // a quarter at random so that pages do not come back in step) — but not when the key is refused (401/403) or
  // revoked (the server's `revoked` event): retrying cannot help until another key is entered,
  // and entering one reloads the page state (init).
  function startStream(id) {
    // Two loads can overlap (a reconnect's reload while a new key re-runs init): one stream at a time.
    if (state.stream) state.stream.abort();
    const ac = new AbortController();
    state.stream = ac;
    setConn('connecting');
    let refused = '';
    let unreachable = false;
    let wait = 2000;
    (async () => {
      try {
        const res = await reach('v1/events?series=' + encodeURIComponent(id), { headers: headers(), signal: ac.signal });
        const retryAfter = Number(res.headers.get('retry-after'));
        if ((res.status === 503 || res.status === 429) && retryAfter > 0) {
          wait = Math.min(30, retryAfter) * 1000;
          setStatus('live updates: server busy (HTTP ' + res.status + '), retrying in ' + Math.round(wait / 1000) + ' s');
        }
        if (res.status === 401 || res.status === 403) {
          const body = await res.json().catch(() => ({}));
          refused = 'live updates refused: ' + ((body.error && body.error.message) || 'HTTP ' + res.status) + ' — enter a valid API key';
        }
        if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
        setConn('open');
        state.failures = 0;
        // The series read of this reconnect failed (the instance was not up yet) but the stream is:
        // read it now — a quiet series has no live tick to trigger it, and its window stayed stale.
        if (state.unread) {
          state.unread = Date.now();
          readSeries(id).then(redraw);
        }
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            let type = 'message';
            const data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) type = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            if (type === 'revoked') refused = 'live updates ended: the API key is no longer accepted — enter a valid API key';
            else if (data.length) onEvent(type, data.join('\n'));
          }
        }
        setConn(refused ? 'refused' : 'closed');
      } catch (e) {
        if (ac.signal.aborted) return;
        setConn(refused ? 'refused' : 'error');
        state.failures = (state.failures || 0) + 1;
        wait = window.tickcastBackoff.delay(2000, state.failures, 30000, wait); // dashboard-backoff.js
        unreachable = Boolean(e.unreachable);
      }
      if (refused) return setStatus(refused);
      if (ac.signal.aborted) return;
      wait = window.tickcastBackoff.jitter(wait);
      // Until 6 Dec 2026 an outage showed as the browser's bare "Failed to fetch" (from the reads).
      if (unreachable) setRetrying('service unreachable', wait);
      setTimeout(() => { if (state.stream === ac) loadSeries(id, true); }, wait);
    })();
  }
  function stopStream() {
    if (state.stream) state.stream.abort();
    state.stream = null;
    setConn('idle');
  }

  // Read at load and again on every reconnect: a restart (or a rollout) can bring another model,
  // engine or backend (a GPU pod that came back on the CPU backend), which the live events do not carry.
  // `version`: show the service's model version too (at load; after that the series' forecasts name theirs).
  async function loadModel(version) {
    const model = await getJson('v1/model');
    clearTimeout(modelRetry);
    state.targets = (model.spec && model.spec.targets) || [];
    $('model-engine').textContent = '(' + model.engine + '/' + model.backend + ')';
    // When the service's version began serving (its promotion or rollback, else the instance's start); absent from older servers.
    const since = typeof model.servingSinceMs === 'number' ? model.servingSinceMs : null;
    $('model-since').textContent = since === null ? '' : ' · ' + model.version + ' serving since ' + new Date(since).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
    $('model-since').dataset.ms = since === null ? '' : String(since);
    if (!version) return;
    state.model = model.version;
    $('model-version').textContent = model.version;
  }

  // A model read that failed (the server busy past getJson's retries, restarting, unreachable) is
  // read again, backing off as the panels do (10 s, 20 s … 2 min, plus up to a quarter at random),
  // until one read (this or a reconnect's) works: until 6 Dec 2026 a failed first read left the
  // pill without engine or version until the next reconnect, which an open stream never needs.
  let modelRetry = 0;
  function retryModel(failures) {
    clearTimeout(modelRetry);
    $('model-engine').textContent = '(not read yet: retrying)';
    const wait = Math.min(120000, 10000 * 2 ** failures) * (1 + Math.random() / 4);
    modelRetry = setTimeout(() => loadModel(!state.model).catch(() => retryModel(failures + 1)), wait);
  }

  async function init() {
    try { await loadModel(true); } catch (e) { setStatus(String(e.message || e)); retryModel(0); }
    try {
      const list = await getJson('v1/series?limit=' + SERIES_LISTED);
      // A series past the first page (ids sorted) is still opened by ?series=ID: loadSeries says if it is unknown.
      // dashboard-series.js keeps the list live from here on.
      const wanted = new URLSearchParams(location.search).get('series');
      const shown = window.tickcastSeriesList.render(list, wanted);
      if (!list.items.length && !wanted) setStatus('no series yet: send ticks to the input topic');
      await loadSeries(shown);
      if (list.total > list.items.length && !$('status').textContent) {
        setStatus('the first ' + list.items.length + ' of ' + list.total + ' series are listed; open another with ?series=ID in the address');
      }
    } catch (e) { setStatus(String(e.message || e)); }
  }
  // The address names the series shown, so a link (or a reload) opens it again — also one past the list's first page.
  $('series').addEventListener('change', (e) => {
    history.replaceState(null, '', '?series=' + encodeURIComponent(e.target.value) + (state.feature ? '&feature=' + encodeURIComponent(state.feature) : ''));
    loadSeries(e.target.value);
  });
  // Another feature drawn: the series read again for it (its window, forecast and markers); kept in the address.
  $('feature').addEventListener('change', (e) => {
    state.feature = e.target.value;
    history.replaceState(null, '', '?series=' + encodeURIComponent(state.series) + '&feature=' + encodeURIComponent(state.feature));
    loadSeries(state.series);
  });
  $('api-key').addEventListener('change', () => init());
  window.addEventListener('resize', () => { if (state.plot) state.plot.setSize({ width: Math.max(400, $('chart').clientWidth - 2), height: 360 }); });
  init();
})();
