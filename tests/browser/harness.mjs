// Browser-test harness: a real `lotse serve` on a fresh SQLite demo database,
// Debian's Chromium driven by playwright-core, and axe-core for WCAG checks.
//
//   import { startLotse, launchBrowser, checkA11y, screenshot } from './harness.mjs';
//   const lotse = await startLotse();
//   const browser = await launchBrowser();
//   const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
//   await page.goto(`${lotse.baseUrl}/anmelden`);
//   await checkA11y(page);
//   await browser.close();
//   await lotse.stop();
//
// Environment: LOTSE_BINARY (default build/lotse, relative to the repository
// root), CHROMIUM (default /usr/bin/chromium).
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');
const screenshotDir = path.join(here, 'screenshots');
const axeSource = fs.readFileSync(path.join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

// Servers still running when the test process ends (a failed assertion
// skips the test's own cleanup) are killed here, so none outlive the run.
const running = new Set();
function killRunning() {
  for (const child of running) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killRunning);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killRunning();
    process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
  });
}

function lotseBinary() {
  const bin = process.env.LOTSE_BINARY || 'build/lotse';
  return path.isAbsolute(bin) ? bin : path.join(repoRoot, bin);
}

async function waitForPortFile(file, child, output, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`lotse serve exited with ${child.exitCode} before listening:\n${output.join('')}`);
    }
    try {
      const text = fs.readFileSync(file, 'utf8').trim();
      // The server may create the file before it writes the number.
      if (/^\d+$/.test(text) && Number(text) > 0) return Number(text);
    } catch { /* not written yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`lotse serve wrote no port to ${file} within ${timeoutMs} ms:\n${output.join('')}`);
}

// Migrates and seeds a temporary database, starts the server on a free port
// and returns { baseUrl, stop() }. stop() sends SIGTERM and waits for exit.
export async function startLotse() {
  const bin = lotseBinary();
  if (!fs.existsSync(bin)) throw new Error(`no lotse binary at ${bin} (set LOTSE_BINARY)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lotse-browser-'));
  const database = `sqlite:${path.join(dir, 't.db')}`;
  const portFile = path.join(dir, 'port');
  const opts = { cwd: repoRoot, timeout: 60000 };
  await run(bin, ['migrate', '--database', database], opts);
  await run(bin, ['demo', '--database', database], opts);

  const output = [];
  const child = spawn(
    bin,
    ['serve', '--database', database, '--host', '127.0.0.1', '--port', '0', '--port-file', portFile],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  // Keep the server's log for error messages; drain the pipes so it never blocks.
  const keep = (chunk) => { output.push(chunk.toString()); if (output.length > 200) output.shift(); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  let port;
  try {
    port = await waitForPortFile(portFile, child, output);
  } catch (err) {
    child.kill('SIGKILL');
    running.delete(child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    log: () => output.join(''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// A browser context as a German user would have it (Chromium's headless
// default would send Accept-Language: en-US).
export function newContext(browser, options = {}) {
  return browser.newContext({ locale: 'de-DE', ...options });
}

// Runs axe-core on the whole page and fails with a readable list of
// violations. The page's CSP forbids inline scripts, so addScriptTag cannot
// be used; page.evaluate runs the library through the DevTools protocol,
// which the CSP does not govern.
export async function checkA11y(page, label = page.url()) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    }),
  );
  const lines = result.violations.map((v) =>
    `  ${v.id} [${v.impact}] ${v.help}\n` +
    v.nodes.map((n) => `    ${n.target.join(' ')}`).join('\n'),
  );
  assert.equal(result.violations.length, 0,
    `axe found ${result.violations.length} violation(s) on ${label}:\n${lines.join('\n')}`);
}

// Saves a full-page screenshot to tests/browser/screenshots/<name>-<width>.png.
export async function screenshot(page, name) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  const file = path.join(screenshotDir, `${name}-${width}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// Collects CSP violations, script errors and failed sub-resources (styles,
// fonts, scripts, icons), which must all stay empty: the pages may not rely
// on inline code or styles, and every asset they name must exist. A 404 for
// the page itself is the test's business, not a problem.
export function watchConsole(page) {
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') {
      problems.push(`${r.status()} ${r.url()}`);
    }
  });
  page.on('requestfailed', (r) => problems.push(`failed ${r.url()}: ${r.failure()?.errorText}`));
  return problems;
}

// At 360 px nothing may force sideways scrolling of the whole page (wide
// tables scroll inside their own focusable region instead).
export async function assertNoPageOverflow(page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `page is ${scrollWidth} px wide in a ${innerWidth} px viewport`);
}

// Clicks and waits for the navigation it starts; returns its response.
export async function submit(page, selector) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response;
}

// Signs in through the form (every demo account's password is "demo").
export async function signIn(page, baseUrl, username, password = 'demo') {
  await page.goto(`${baseUrl}/anmelden`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await submit(page, 'form[action="/anmelden"] button[type="submit"]');
}

// What every page must pass: one h1, axe-core without violations (unless a
// test checks a deliberately broken state), nothing wider than the
// viewport; and a screenshot to look at.
export async function checkPage(page, name, { a11y = true } = {}) {
  assert.equal(await page.locator('h1').count(), 1, `one h1 on ${name}`);
  if (a11y) await checkA11y(page, name);
  await assertNoPageOverflow(page);
  await screenshot(page, name);
}

export function assertIncludes(text, part) {
  assert.ok(text.includes(part), `expected ${JSON.stringify(part)} in:\n${text}`);
}

// The message catalogues, so tests check the texts users actually see.
// The catalogue of a language as the server merges it: i18n/<lang>.json plus
// the feature files in i18n/<lang>/.
function catalogue(lang) {
  const dir = path.join(repoRoot, 'web', 'i18n');
  const merged = JSON.parse(fs.readFileSync(path.join(dir, `${lang}.json`), 'utf8'));
  const featureDir = path.join(dir, lang);
  if (fs.existsSync(featureDir)) {
    for (const file of fs.readdirSync(featureDir).filter((f) => f.endsWith('.json')).sort()) {
      Object.assign(merged, JSON.parse(fs.readFileSync(path.join(featureDir, file), 'utf8')));
    }
  }
  return merged;
}

export const messages = {
  de: catalogue('de'),
  en: catalogue('en'),
};

export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 360, height: 740 },
];
