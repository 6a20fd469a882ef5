import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import type { FastifyInstance } from 'fastify';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). No browser is downloaded. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Where each browser test keeps a screenshot of every page it visits (an artifact of the run; gitignored). */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-results/screenshots');

/**
 * Starts Chromium, or skips the test when it is missing outside CI (in CI, a missing browser fails
 * the run: .ci/run installs it).
 */
export async function launchBrowser(t: TestContext): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) throw new Error(`Chromium is not at ${CHROMIUM}: install Debian's chromium package`);
    t.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    return null;
  }
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** Listens on a free loopback port and returns the base URL (`http://127.0.0.1:PORT`). */
export async function listen(server: FastifyInstance): Promise<string> {
  await server.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}

/**
 * A page with the habits every browser test wants: `visit` saves a screenshot of what it shows
 * (test-results/screenshots/<suite>/<n>-<label>.png) and runs axe on it, failing on any violation;
 * console errors and failed page scripts are collected (`problems`) so a test can assert none.
 */
export type Visitor = Readonly<{
  page: Page;
  context: BrowserContext;
  /** Screenshot + axe on the page as it is now. */
  look(label: string): Promise<void>;
  /** Goes to `url` (relative to the base), then `look(label)`. */
  visit(url: string, label: string): Promise<void>;
  problems: string[];
}>;

export async function openVisitor(
  browser: Browser,
  baseUrl: string,
  suite: string,
  opts: { javaScriptEnabled?: boolean } = {},
): Promise<Visitor> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const dir = path.join(SCREENSHOT_DIR, suite);
  await mkdir(dir, { recursive: true });
  let n = 0;
  // axe runs as a script in the page: with JavaScript off it never answers. It checks the same
  // URL in a second context then, scripts blocked, so what it sees is the page without JavaScript.
  let axePage: Page | null = null;
  async function look(label: string) {
    n += 1;
    await page.screenshot({ path: path.join(dir, `${String(n).padStart(2, '0')}-${label}.png`), fullPage: true });
    if (opts.javaScriptEnabled === false) {
      if (!axePage) {
        const axeContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
        await axeContext.route(/\.js(\?|$)/, (route) => route.abort());
        axePage = await axeContext.newPage();
      }
      await axePage.context().addCookies(await context.cookies());
      await axePage.goto(page.url(), { waitUntil: 'load' });
      await assertAccessible(axePage, label);
      return;
    }
    await assertAccessible(page, label);
  }
  return {
    page,
    context,
    look,
    async visit(url, label) {
      await page.goto(url, { waitUntil: 'load' });
      await look(label);
    },
    problems,
  };
}

/** axe-core on the page (WCAG 2.x A and AA rules and best practices): any violation fails, listed. */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  if (result.violations.length > 0) {
    const lines = result.violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 5)
          .join('\n    ')}`,
    );
    throw new Error(`axe found ${result.violations.length} violations on ${label} (${page.url()}):\n  ${lines.join('\n  ')}`);
  }
}
