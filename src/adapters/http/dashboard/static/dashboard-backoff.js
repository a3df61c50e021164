// tickcast dashboard, the one retry schedule of the page's three pollers (loaded before them):
// the live stream's reconnect (dashboard.js: 2, 4, 8 … 30 s), the series list's re-read
// (dashboard-series.js: 30 s, 60 s … 2 min) and the alerting panels' poll (dashboard-alerts.js:
// 10 s, 20 s … 2 min). Until 6 Dec 2026 each script computed it itself. Plain browser JS; it sets
// window.tickcastBackoff and nothing else.
(function () {
  'use strict';
  window.tickcastBackoff = Object.freeze({
    // The wait after `failures` (≥ 1) failures in a row: firstMs, doubling with each further
    // failure, at most maxMs — and never less than atLeastMs (a server's Retry-After, in ms).
    delay(firstMs, failures, maxMs, atLeastMs) {
      return Math.max(Math.min(maxMs, firstMs * 2 ** (failures - 1)), atLeastMs || 0);
    },
    // `ms` plus up to a quarter at random, so that pages opened together do not come back in step.
    jitter(ms) {
      return ms * (1 + Math.random() / 4);
    },
  });
})();
