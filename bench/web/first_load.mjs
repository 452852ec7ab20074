// First load of the dashboard in headless Chromium, cold (a new browser context each time, so
// nothing cached): from navigation until the KPIs show values, the five charts are drawn and the
// at-risk list has rows. Alternates the servers over rounds and prints, per server, the median and
// each round's milliseconds and the JavaScript fetched (bytes on the wire, as the browser reports).
//   node bench/web/first_load.mjs ROUNDS URL [URL...]   (from the repository root, after the web build's npm ci)
import { launchBrowser, waitForInk } from '../../web/test/support.mjs';

const [roundsArg, ...urls] = process.argv.slice(2);
if (!urls.length) throw new Error('usage: node bench/web/first_load.mjs ROUNDS URL [URL...]');
const CHARTS = ['churn-by-month', 'cohort-retention', 'clv-distribution', 'usage-trend', 'tickets-vs-churn'];

async function once(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const start = Date.now();
  await page.goto(`${url}/#/dashboard`);
  await page.locator('[data-kpi="value_at_risk"] .kpi-value').filter({ hasNotText: '—' }).waitFor({ timeout: 60_000 });
  for (const id of CHARTS) await waitForInk(page, `#chart-${id}`, 100);
  await page.locator('table.at-risk tbody tr').first().waitFor();
  const ms = Date.now() - start;
  const js = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => e.name.endsWith('.js')).reduce((n, e) => n + e.transferSize, 0));
  await context.close();
  return { ms, js };
}

const browser = await launchBrowser();
const results = Object.fromEntries(urls.map((u) => [u, []]));
for (let r = 0; r < Number(roundsArg); r++) {
  for (const url of r % 2 ? [...urls].reverse() : urls) results[url].push(await once(browser, url));
}
await browser.close();
for (const [url, runs] of Object.entries(results)) {
  const ms = runs.map((x) => x.ms).sort((a, b) => a - b);
  console.log(`${url}: median ${ms[Math.floor(ms.length / 2)]} ms over ${ms.length} cold loads (${runs.map((x) => x.ms).join(', ')}); JavaScript fetched ${runs[0].js} bytes`);
}
