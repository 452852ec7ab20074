// Browser tests of the web UI: the real `custlake serve --http` over a demo project, driven by
// headless Chromium through playwright-core. Screenshots of every page go to CUSTLAKE_WEB_ARTIFACTS.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ARTIFACTS, custlake, launchBrowser, makeDemo, newPage, scratch, screenshot, serve, waitFor,
  waitForInk,
} from './support.mjs';

const CHARTS = ['churn-by-month', 'cohort-retention', 'clv-distribution', 'usage-trend', 'tickets-vs-churn'];

let dir;
let server;
let browser;
let page;
const errors = [];

before(async () => {
  dir = await scratch();
  await Promise.all([makeDemo(path.join(dir, 'demo')), makeDemo(path.join(dir, 'no-churn'), 6)]);
  server = await serve(path.join(dir, 'demo'));
  browser = await launchBrowser();
  page = await newPage(browser, errors);
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  console.log(`screenshots: ${ARTIFACTS}`);
});

const kpi = (name) => page.locator(`[data-kpi="${name}"] .kpi-value`);

/** Replaces the SQL editor's text with sql and runs it with Ctrl-Enter, as a user would. */
async function runSql(sql) {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText(sql);
  await page.keyboard.press('Control+Enter');
}

describe('web UI', () => {
  test('the dashboard loads with its KPIs and charts drawn', async () => {
    await page.goto(`${server.url}/#/dashboard`);
    await page.locator('[data-kpi="active_customers"] .kpi-value').filter({ hasNotText: '—' }).waitFor();
    for (const k of ['active_customers', 'monthly_churn_rate', 'revenue', 'avg_clv', 'value_at_risk']) {
      assert.notEqual(await kpi(k).textContent(), '—', `KPI ${k} has a value`);
    }
    for (const id of CHARTS) await waitForInk(page, `#chart-${id}`, 500);
    assert.ok(await page.locator('table.at-risk tbody tr').count() > 0, 'the at-risk list has rows');
    await screenshot(page, '01-dashboard');
    await page.setViewportSize({ width: 1024, height: 768 });
    await screenshot(page, '01-dashboard-1024');
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  test('the retention plan the demo published: its figures and best customers', async () => {
    await page.goto(`${server.url}/#/dashboard`);
    const card = page.locator('section.retention');
    assert.equal((await fetch(`${server.url}/api/retention?limit=x`)).status, 400, 'a bad limit is refused');
    const plan = await (await fetch(`${server.url}/api/retention?limit=50`)).json();
    assert.ok(plan.summary, `custlake demo publishes a retention plan: ${JSON.stringify(plan.missing)}`);
    const s = plan.summary;
    assert.ok(s.targeted > 0 && s.targeted <= s.active_customers, `targets some of the active customers: ${JSON.stringify(s)}`);
    assert.ok(s.saved_value_low <= s.expected_saved_value && s.expected_saved_value <= s.saved_value_high,
      'the value lies in its interval');
    const listed = Math.min(50, s.targeted);
    assert.equal(plan.rows.length, listed);
    assert.deepEqual(plan.rows.map((r) => r.rank), Array.from({ length: listed }, (_, i) => i + 1), 'ranked best first');

    await card.locator('table.retention-plan tbody tr').nth(listed - 1).waitFor();
    assert.equal(await card.locator('table.retention-plan tbody tr').count(), listed);
    const money = (v) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(v);
    assert.equal(await card.locator('[data-retention="saved_value"] .kpi-value').textContent(), money(s.expected_saved_value));
    assert.equal(await card.locator('[data-retention="saved_value"] .kpi-hint').textContent(),
      `90 % interval ${money(s.saved_value_low)} to ${money(s.saved_value_high)}`);
    assert.equal(await card.locator('[data-retention="targeted"] .kpi-value').textContent(), s.targeted.toLocaleString('en-US'));
    assert.equal(await card.locator('[data-retention="offer_cost"] .kpi-value').textContent(), `$${s.offer_cost.toFixed(2)}`);
    const whole = card.getByRole('link', { name: 'Open the whole plan in the SQL editor' });
    const q = new URLSearchParams((await whole.getAttribute('href')).split('?')[1]).get('q');
    assert.match(q, /FROM raw\.retention_plan\b/);
    await card.screenshot({ path: path.join(ARTIFACTS, '01-retention-plan.png') });
    const first = card.locator('table.retention-plan tbody tr').first().locator('a.customer-link');
    assert.equal(await first.getAttribute('href'), `#/customer/${plan.rows[0].customer_id}`);
    await first.click();
    await page.waitForURL(new RegExp(`#/customer/${plan.rows[0].customer_id}$`));
    await page.locator('.customer-name').waitFor();
  });

  test('a filter changes the numbers and is kept in the URL', async () => {
    await page.goto(`${server.url}/#/dashboard`);
    await page.locator('[data-kpi="active_customers"] .kpi-value').filter({ hasNotText: '—' }).waitFor();
    const before = await kpi('active_customers').textContent();
    const segment = page.locator('select[name="segment"]');
    const value = await segment.locator('option').nth(1).getAttribute('value');
    await segment.selectOption(value);
    await waitFor(async () => (await kpi('active_customers').textContent()) !== before, 30_000,
      () => `active customers stayed ${before} with segment ${value}`);
    assert.match(page.url(), new RegExp(`segment=${value}`));
    await page.reload();
    await page.locator('[data-kpi="active_customers"] .kpi-value').filter({ hasNotText: '—' }).waitFor();
    assert.equal(await segment.inputValue(), value, 'the filter survives a reload');
    await screenshot(page, '02-dashboard-filtered');
  });

  test('a KPI drills down to the rows behind it', async () => {
    await page.locator('[data-kpi="revenue"]').click();
    const rows = page.locator('.drilldown tbody tr');
    await rows.first().waitFor();
    const header = await page.locator('.drilldown thead th').allTextContents();
    assert.ok(header.includes('source record'), `the drill-down has a source record column (${header.join(', ')})`);
    const cells = await rows.first().locator('td').allTextContents();
    assert.match(cells[header.indexOf('source record')], /^data\/sic\.db · transactions · transaction_id = \d+$/,
      'a transaction names the database, the table it was imported from (not the staging model) and its key there');
    const api = await (await fetch(`${server.url}/api/drilldown?metric=revenue`)).json();
    const names = api.columns.map((c) => c.name);
    const row = Object.fromEntries(names.map((n, i) => [n, api.rows[0][i]]));
    assert.match(row._source, /^sqlite:.*\/sic\.db$/);
    assert.equal(row._source_table, 'transactions');
    assert.match(row._source_key, /^transaction_id = \d+$/);
    assert.equal(typeof row._source_batch, 'number');
    await screenshot(page, '03-drilldown');
    await page.goto(`${server.url}/#/dashboard`);
  });

  test('a customer 360 page opens from the at-risk list', async () => {
    await page.goto(`${server.url}/#/dashboard`);
    const link = page.locator('table.at-risk a.customer-link').first();
    await link.waitFor();
    const name = (await link.textContent()).trim();
    await link.click();
    await page.waitForURL(/#\/customer\/[^/]+$/);
    await page.locator('.customer-name').waitFor();
    assert.match(await page.locator('.customer-name').textContent(), new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await waitForInk(page, '#chart-timeline', 100);
    const timelineHeader = await page.locator('section[aria-label="Timeline"] thead th').allTextContents();
    const sourceAt = timelineHeader.indexOf('source record');
    assert.ok(sourceAt >= 0, `the timeline names each event's source record (${timelineHeader.join(', ')})`);
    const sources = await page.locator(`section[aria-label="Timeline"] tbody tr td:nth-child(${sourceAt + 1})`).allTextContents();
    for (const cell of sources) {
      assert.match(cell, /^(data\/sic\.db · \w+ · \w+_id = \S+|(usage|tickets)\/\d{4}-\d{2}-\d{2}\.(nd)?json:\d+)$/,
        'a database table and the id there, or a landing file and line');
    }
    assert.ok(sources.some((cell) => /^usage\/.*\.ndjson:\d+$/.test(cell)),
      `a usage event names its landing file and line (${sources.slice(0, 5).join(' | ')})`);
    assert.notEqual(await page.locator('.kpi.static .kpi-value').first().textContent(), '—', 'the churn score is shown');
    await screenshot(page, '04-customer-360');
  });

  test('a SQL query runs, its error is marked, and its CSV downloads', async () => {
    await page.goto(`${server.url}/#/sql`);
    await runSql("SELECT 1 AS n, 'one' AS word UNION ALL SELECT 2, 'two' ORDER BY n");
    await page.locator('.results tbody tr').nth(1).waitFor();
    assert.deepEqual(await page.locator('.results tbody tr').allTextContents(), ['1one', '2two']);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /CSV/ }).click();
    const file = await (await download).path();
    const csv = (await readFile(file, 'utf8')).trim().split(/\r?\n/);
    assert.deepEqual(csv, ['n,word', '1,one', '2,two']);
    await screenshot(page, '05-sql');
    await page.getByRole('button', { name: 'Chart', exact: true }).click();
    await waitForInk(page, '#result-chart', 200);
    await screenshot(page, '05-sql-chart');

    await runSql('SELECT 1 FROM no_such_table');
    await page.locator('.results .error').waitFor();
    await page.locator('.cm-sql-error').waitFor();
    assert.equal(await page.locator('.cm-sql-error').textContent(), 'no_such_table', 'the error marks the missing table');
    await screenshot(page, '06-sql-error');
  });

  test('a SQL result pages through the server, and a running query is cancelled', async () => {
    await page.goto(`${server.url}/#/sql`);
    await runSql('SELECT range AS i FROM range(250) ORDER BY i');
    await page.locator('.pager', { hasText: 'Page 1 of 3' }).waitFor();
    await page.getByRole('button', { name: /Next/ }).click();
    await page.locator('.pager', { hasText: 'Page 2 of 3' }).waitFor();
    assert.equal(await page.locator('.results tbody tr').first().textContent(), '100');
    assert.equal(await page.locator('.results tbody tr').count(), 100);

    await runSql('SELECT count(*) FROM range(1000000000) a, range(1000000) b');
    const cancel = page.getByRole('button', { name: /Cancel/ });
    await page.locator('button:has-text("Cancel"):not([disabled])').waitFor();
    await cancel.click();
    await page.locator('.status', { hasText: 'Cancelled.' }).waitFor({ timeout: 30_000 });
    assert.ok(await cancel.isDisabled(), 'nothing runs any more');
  });

  test('the other pages render', async () => {
    await page.goto(`${server.url}/#/influencers`);
    await waitForInk(page, '#chart-influencers', 500);
    await screenshot(page, '07-influencers');
    await page.locator('.factor-list button').first().click();
    const customer = page.locator('.drilldown tbody tr a').first();
    await customer.waitFor();
    assert.match(await customer.getAttribute('href'), /^#\/customer\/\d+$/, 'an influencer lists customers linked to their 360 page');
    await screenshot(page, '07-influencer-customers');
    await page.goto(`${server.url}/#/explorer`);
    await waitForInk(page, '#chart-lineage', 300);
    await screenshot(page, '08-explorer');
    const table = page.locator('.table-list a', { hasText: 'fact_customer_metrics' }).first();
    await table.click();
    await page.locator('.explorer-main h2', { hasText: 'Sample rows' }).waitFor();
    await page.locator('#table-sample tbody tr').nth(2).waitFor();
    await page.locator('#table-stats tbody tr').first().waitFor();
    await screenshot(page, '09-explorer-table');
    await page.goto(`${server.url}/#/pipeline`);
    await page.locator('section[aria-label="Runs"] tbody tr').first().waitFor();
    await page.locator('section[aria-label="Checks"] tbody tr').first().waitFor();
    for (const section of ['Freshness', 'Runs', 'Checks', 'Quarantine', 'Batches']) {
      const overflow = await page.$eval(`section[aria-label="${section}"] .grid-wrap`, (el) => el.scrollWidth - el.clientWidth);
      assert.ok(overflow <= 0, `the pipeline's ${section} table fits its card at 1440 px (${overflow} px too wide)`);
    }
    await screenshot(page, '10-pipeline');
    assert.deepEqual(errors, [], 'no errors in the browser');
  });

  test('the pages read on a phone (390 px): nothing wider than the screen', async () => {
    const p = await newPage(browser, errors);
    await p.setViewportSize({ width: 390, height: 844 });
    const pages = [
      ['dashboard', 'table.at-risk tbody tr'],
      ['influencers', '#chart-influencers canvas'],
      ['sql', '.cm-content'],
      ['explorer', '#chart-lineage canvas'],
      ['pipeline', 'section[aria-label="Checks"] tbody tr'],
    ];
    try {
      for (const [name, ready] of pages) {
        await p.goto(`${server.url}/#/${name}`);
        await p.locator(ready).first().waitFor();
        const width = await p.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `#/${name} is ${width} px wide on a 390 px screen`);
        await screenshot(p, `20-phone-${name}`);
      }
      const link = p.locator('table.at-risk a.customer-link').first();
      await p.goto(`${server.url}/#/dashboard`);
      await link.click();
      await p.locator('.customer-name').waitFor();
      assert.ok(await p.evaluate(() => document.documentElement.scrollWidth) <= 390, 'the customer page fits a phone');
      await screenshot(p, '20-phone-customer');
    } finally {
      await p.context().close();
    }
  });

  test('without churn scores the dashboard says what to run, with no error', async () => {
    const partial = await serve(path.join(dir, 'no-churn'));
    try {
      const p = await newPage(browser, errors);
      await p.goto(`${partial.url}/#/dashboard`);
      const notice = p.locator('.notice');
      await notice.waitFor();
      assert.match(await notice.textContent(), /custlake churn/, 'the notice names the command to run');
      assert.equal(await p.locator('.error').count(), 0, 'no error is shown');
      assert.notEqual(await p.locator('[data-kpi="active_customers"] .kpi-value').textContent(), '—', 'the warehouse KPIs still show');
      assert.match(await p.locator('[data-kpi="value_at_risk"] .kpi-hint').textContent(), /needs churn scores/);
      const retention = p.locator('section.retention .empty-chart');
      await retention.waitFor();
      assert.match(await retention.textContent(), /custlake retention train && custlake retention plan --budget 10%/,
        'the retention card names the commands to run');
      await screenshot(p, '13-dashboard-without-churn');
      await p.goto(`${partial.url}/#/influencers`);
      await p.locator('.notice, #chart-influencers canvas').first().waitFor();
      assert.equal(await p.locator('.error').count(), 0, 'the influencers page shows no error');
      await screenshot(p, '14-influencers-without-churn');
      await p.context().close();
    } finally {
      await partial.stop();
    }
  });

  test('a login is required when bound beyond loopback', async () => {
    const project = path.join(dir, 'demo');
    await custlake(['-C', project, 'user', 'add', 'ana', '--password-stdin'], { input: 'correct horse\n' });
    const open = await serve(project, '0.0.0.0');
    try {
      const p = await newPage(browser, []);
      await p.goto(`${open.url}/#/dashboard`);
      await p.locator('form.login').waitFor();
      assert.equal(await p.locator('.kpi').count(), 0, 'nothing of the dashboard shows before login');
      await p.fill('input[name=user]', 'ana');
      await p.fill('input[name=password]', 'wrong');
      await p.click('button[type=submit]');
      await p.locator('form.login .error:not([hidden])').waitFor();
      await screenshot(p, '11-login-failed');
      await p.fill('input[name=password]', 'correct horse');
      await p.click('button[type=submit]');
      await p.locator('[data-kpi="active_customers"] .kpi-value').filter({ hasNotText: '—' }).waitFor();
      await screenshot(p, '12-after-login');
      await p.context().close();
    } finally {
      await open.stop();
    }
  });
});
