import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's `chromium` package; .ci/run installs it when missing. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Without the background-networking flags Chromium floods the closed network with refused connections.
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const desktop = { width: 1280, height: 900 };
export const phone = { width: 390, height: 844 };

/** Where the screenshots of a run go (git-ignored, kept as test artifacts). */
export const artifactsDir = fileURLToPath(new URL('../../test-artifacts/dashboard', import.meta.url));

export interface Browser {
  context: BrowserContext;
  /** A fresh tab (its own sessionStorage) at the given viewport. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile; fails loudly, never skips, when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `the browser tests need Chromium at ${chromiumPath}: install it with "apt-get install -y chromium" (.ci/run does), or set CHROMIUM_PATH`,
    );
  }
  mkdirSync(artifactsDir, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'switchyard-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: desktop,
  });
  context.setDefaultTimeout(15_000);
  // The persistent context opens with one blank tab; every test opens its own.
  for (const page of context.pages()) await page.close();
  return {
    context,
    async newPage(viewport = desktop) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a full-page screenshot as test-artifacts/dashboard/<name>.png, after checking that the
 * page does not scroll sideways at this width (wide tables scroll inside their own box).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const overflow = await page.evaluate(async () => {
    // Two frames: resize observers (the charts) have run and the layout has settled.
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    window.scrollTo(0, 0);
    return document.documentElement.scrollWidth - window.innerWidth;
  });
  if (overflow > 0) throw new Error(`${name}: the page is ${overflow} px wider than the window`);
  await page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });
}
