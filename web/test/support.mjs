// What the browser tests stand on: a demo project made by the real custlake binary, `custlake serve
// --http` started on a free loopback port (and stopped with the test), headless Debian Chromium.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';

const run = promisify(execFile);

export const BIN = process.env.CUSTLAKE_BIN;
export const ARTIFACTS = process.env.CUSTLAKE_WEB_ARTIFACTS ?? path.join(os.tmpdir(), `custlake-web-artifacts-${process.pid}`);
export const CHROMIUM = process.env.CUSTLAKE_CHROMIUM ?? '/usr/bin/chromium';

/** A scratch folder of this process's own. */
export async function scratch() {
  return mkdtemp(path.join(os.tmpdir(), `custlake-web-${process.pid}-`));
}

/**
 * `custlake demo` into dir: the whole pipeline. With 12 months it has churn and CLV scores; with 6
 * the churn model is skipped (it needs 9), which is how the UI's empty states are tested.
 */
export async function makeDemo(dir, months = 12) {
  if (!BIN) throw new Error('CUSTLAKE_BIN must name the custlake binary (CTest sets it)');
  await run(BIN, ['demo', dir, '--customers', '2000', '--months', String(months), '--no-serve'], { maxBuffer: 64 << 20 });
}

export async function custlake(args, { cwd, input } = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`custlake ${args.join(' ')} exited ${code}: ${err}`))));
    p.stdin.end(input ?? '');
  });
}

/**
 * Starts `custlake serve --http host:0 --no-pg` in the project (the server picks a free port and
 * prints its address) and waits until /healthz answers, or the server exits, or 60 s pass.
 * Returns { url, stop, log }.
 */
export async function serve(projectDir, host = '127.0.0.1') {
  const child = spawn(BIN, ['-C', projectDir, 'serve', '--http', `${host}:0`, '--no-pg'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await exited; } };
  try {
    const port = await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`custlake serve exited with ${child.exitCode}:\n${log}`);
      return /serving the web UI[^\n]*?:(\d+)\//.exec(log)?.[1];
    }, 60_000, () => `custlake serve printed no address within 60 s:\n${log}`);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => {
      try { return (await fetch(`${url}/healthz`)).ok; } catch { return false; }
    }, 60_000, () => `custlake serve did not answer ${url}/healthz within 60 s:\n${log}`);
    return { url, stop, log: () => log };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Polls f until it returns a truthy value; fails with message() after timeoutMs. */
export async function waitFor(f, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/**
 * A page at 1440×900 that collects the app's uncaught exceptions and console errors into `errors`
 * (HTTP errors the app answers itself, such as a SQL error's 400, show in the page, not here).
 */
export async function newPage(browser, errors) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console error: ${m.text()}`);
  });
  return page;
}

export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * How many of a chart's pixels are drawn in colour (bars, lines, cells, nodes: the palette is
 * saturated; axes, grid lines, labels and the zoom slider are grey or pale): an empty chart has none.
 */
export async function inkedPixels(page, selector) {
  // ECharts may draw on several stacked canvases (a heatmap's cells go to a layer of their own).
  return page.$eval(selector, (el) => {
    let n = 0;
    for (const canvas of el.tagName === 'CANVAS' ? [el] : el.querySelectorAll('canvas')) {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
        if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 80) n++;
      }
    }
    return n;
  });
}

/** Waits until the chart in selector has at least min coloured pixels (it draws on the next frame); fails after 15 s. */
export async function waitForInk(page, selector, min) {
  await page.locator(`${selector} canvas`).first().waitFor();
  let last = 0;
  await waitFor(async () => (last = await inkedPixels(page, selector)) >= min, 15_000,
    () => `${selector} has ${last} coloured pixels, fewer than ${min}: the chart is empty`);
}
