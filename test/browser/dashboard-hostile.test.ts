/**
 * The dashboard on hostile and many series: series and feature names that are markup, quotes,
 * backticks, bidi/emoji unicode or 256 characters long are shown as text (the page's DOM gains no
 * element from them and no script runs); 10,000 series list the first page and a series past it
 * still opens from ?series=ID (before 6 Dec 2026 the link fell back to the first series); the
 * anomaly list keeps the newest 200 entries instead of growing for as long as the page is open.
 * Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { LiveEvent } from '../../src/pipeline/ports.ts';
import { build } from '../unit/http/support/build.ts';
import { TrendServing } from '../unit/http/support/trend-serving.ts';
import { launchChromium, skip } from './chromium.ts';

const XSS = '<img src=x onerror="window.__pwned=1">';
const FEATURE = '</li><script>window.__pwned=2</script><b>`${1+1}`</b>';
/** The page's own scripts: its inline loader, then the files that loader names (read from the page, so a script added there is not an injected one). */
const OWN_SCRIPTS = ['inline', ...(JSON.parse(/for \(const src of (\[[^\]]*\])\)/.exec(readFileSync(new URL('../../src/adapters/http/dashboard/static/index.html', import.meta.url), 'utf8'))![1]) as string[])];
const HOSTILE = [XSS, `"'\`\${alert(1)}\` & &amp; \\u0000`, '#série 📈 \u202eevil\u202c ünï', 'L'.repeat(256)];

/** Anomaly records name a feature, as a multivariate series' do: here a hostile one. */
class FeatureServing extends TrendServing {
  override subscribe(listener: (e: LiveEvent) => void): () => void {
    return super.subscribe((e) => listener(e.type === 'anomaly' ? { ...e, record: { ...e.record, feature: FEATURE } } : e));
  }
}

test('hostile names render as text, 10,000 series stay usable, the anomaly list is bounded', { skip, timeout: 120_000 }, async () => {
  const { app, serving } = await build({}, new FeatureServing());
  const t0 = Date.UTC(2026, 11, 6);
  for (let i = 0; i < 10_000; i++) serving.ingest(`s${String(i).padStart(5, '0')}`, t0, i);
  for (const id of HOSTILE) for (let i = 0; i < 20; i++) serving.ingest(id, t0 + i * 1000, 100 + i);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });

    // A series past the first page of 1,000 opens from the link.
    await page.goto(`${base}/?series=s09999`);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) >= 1, null, { timeout: 20_000 });
    assert.equal(await page.inputValue('#series'), 's09999');
    assert.equal(await page.locator('#series option').count(), 1001);
    assert.match((await page.textContent('#status')) ?? '', /first 1000 of 10004 series/);

    // Every hostile name is an option, as text.
    const texts = await page.locator('#series option').evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
    for (const id of HOSTILE) assert.ok(texts.some(([v, t]) => v === id && t === id), `option for ${JSON.stringify(id).slice(0, 40)}`);

    await page.selectOption('#series', XSS);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 20, null, { timeout: 10_000 });
    assert.equal(new URL(page.url()).searchParams.get('series'), XSS, 'the address names the series picked, for a link or a reload');
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 10_000 });
    // 215 anomalies on the hostile series, each named by the hostile feature: flat ticks, then a spike.
    let ts = t0 + 20_000;
    for (let a = 0; a < 215; a++) {
      for (let i = 0; i < 16; i++) serving.ingest(XSS, (ts += 1000), 100);
      serving.ingest(XSS, (ts += 1000), 500);
      await new Promise((r) => setTimeout(r, 5)); // paced, so the stream is not cut as a slow reader's
    }
    await page.waitForFunction(() => document.querySelector('#anomaly-list li')?.textContent?.includes('value 500.000'), null, { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const seen = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      imgs: document.querySelectorAll('img').length,
      scripts: Array.from(document.querySelectorAll('script'), (s) => s.getAttribute('src')?.replace(/\?v=[0-9a-f]+$/, '') ?? 'inline'), // less the cache-busting ?v=hash
      bold: document.querySelectorAll('b').length,
      items: document.querySelectorAll('#anomaly-list li').length,
      first: document.querySelector('#anomaly-list li')?.textContent ?? '',
    }));
    assert.equal(seen.pwned, null, 'no injected script ran');
    assert.equal(seen.imgs, 0);
    assert.deepEqual(seen.scripts, OWN_SCRIPTS, 'only the page\'s own scripts: its inline loader and the files it names');
    assert.equal(seen.bold, 0);
    assert.ok(seen.first.includes(`[${FEATURE}]`), `the feature is shown as text: ${seen.first}`);
    assert.equal(seen.items, 200, 'the anomaly list keeps the newest 200');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
  }
});
