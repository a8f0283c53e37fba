// What every browser test needs: the real kefu binary on a free port with a fresh
// data directory, Debian's Chromium, and patient assertions.
//
// Env: KEFU_BIN (server binary, default ../../target/debug/kefu), CHROMIUM (default
// /usr/bin/chromium), KEFU_SCREENSHOTS (directory for screenshots).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const KEFU_BIN = process.env.KEFU_BIN || path.resolve(HERE, '../../target/debug/kefu');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Where a test file puts its screenshots (printed, so they can be looked at). */
export function screenshotsDir(prefix) {
  return process.env.KEFU_SCREENSHOTS || fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** Debian's Chromium, headless, with nothing reaching out to the network. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Every UI test runs on a desktop in English and a phone in Chinese. */
export const VIEWPORTS = [
  { name: 'desktop', locale: 'en-US', options: { viewport: { width: 1280, height: 800 } } },
  { name: 'phone', locale: 'zh-CN',
    options: { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } },
];

/**
 * One Chromium for a whole test file: launched before its tests and closed
 * after them. Returns a getter, since the browser exists only once they run.
 */
export function sharedBrowser(shots) {
  let browser;
  before(async () => {
    browser = await launchBrowser();
    console.log(`screenshots: ${shots}`);
  });
  after(async () => {
    if (browser) await browser.close();
  });
  return () => browser;
}

/** Waits until a locator is visible and its text contains `text`. */
export async function expectText(locator, text) {
  await locator.waitFor({ state: 'visible' });
  await eventually(async () => (await locator.innerText()).includes(text), `"${text}" in ${locator}`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Start `kefu serve` on a fresh data dir and wait until /healthz answers 200. */
export async function startServer() {
  assert.ok(fs.existsSync(KEFU_BIN), `server binary not found at ${KEFU_BIN} (run cargo build or set KEFU_BIN)`);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kefu-browser-data-'));
  const child = spawn(KEFU_BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info' },
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`kefu exited early (${JSON.stringify(exited)}):\n${log}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`kefu did not answer /healthz within 60 s:\n${log}`);
    }
    await sleep(100);
  }
  return { base, child, dataDir, log: () => log, exited: () => exited };
}

export async function stopServer(srv) {
  if (!srv) return;
  if (!srv.exited()) {
    const gone = new Promise((r) => srv.child.once('exit', r));
    srv.child.kill('SIGTERM');
    const timer = setTimeout(() => srv.child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
  }
  fs.rmSync(srv.dataDir, { recursive: true, force: true });
}

/** Wait until fn() returns a truthy value (server-side effects, layout settling). */
export async function eventually(fn, what, timeout = 8000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await sleep(100);
  }
}

export const expectHash = (page, hash) => page.waitForURL((u) => new URL(u).hash === hash, { timeout: 10_000 });
export const tapOrClick = (locator, phone) => (phone ? locator.tap() : locator.click());

/** GET with the page's session cookie; the JSON body. */
export async function apiGet(page, apiPath) {
  const res = await page.request.get(apiPath);
  assert.ok(res.ok(), `GET ${apiPath}: ${res.status()}`);
  return res.json();
}

/** A write with the page's session cookie and CSRF token; resolves to { status, body }. */
export async function apiSend(page, method, apiPath, data) {
  const me = await apiGet(page, '/api/me');
  const res = await page.request.fetch(apiPath, { method, data, headers: { 'X-CSRF-Token': me.csrf_token } });
  const text = await res.text();
  return { status: res.status(), body: text ? JSON.parse(text) : null };
}

/** `apiSend` that must succeed; the body. */
export async function apiOk(page, method, apiPath, data) {
  const r = await apiSend(page, method, apiPath, data);
  assert.ok(r.status < 300, `${method} ${apiPath}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
