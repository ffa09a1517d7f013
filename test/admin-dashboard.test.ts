import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { chromiumArgs, chromiumPath } from './helpers/chromium.ts';
import { nativeCall } from './helpers/native-call.ts';
import { addedKey, adminToken, behaviourKeys } from './helpers/secrets.ts';
import { withService } from './helpers/with-service.ts';
import { keyBehaviours, minuteQuotaModel } from './mock-upstream/key-behaviours.ts';

const executablePath = chromiumPath;
const output = join(import.meta.dirname, 'output');
const keys = [behaviourKeys.dead, behaviourKeys.minuteQuota, behaviourKeys.healthyA, behaviourKeys.healthyB];
const timeout = 15_000;

async function launch(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  // CI installs chromium (.ci/run): without it this test fails rather than skips.
  assert.ok(existsSync(executablePath), `${executablePath} is missing: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), 'gemini-balance-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Script errors on the page, so a broken view fails with its cause rather than a timeout. */
const pageErrors: string[] = [];

async function signInWith(page: Page, url: string): Promise<void> {
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 400) pageErrors.push(`${response.status()} ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(`${url}/admin`);
  await page.waitForURL(`${url}/admin/sign-in`, { timeout });
  await page.fill('#token', adminToken);
  await page.click('button[type=submit]');
  await page.waitForURL(`${url}/admin`, { timeout });
}

const row = (key: string) => `#key-table tr[data-key="${fingerprintKey(key)}"]`;

test('the dashboard in headless Chromium: sign in, key states, add, disable, filter, charts, sign out, phone width', async () => {
  mkdirSync(output, { recursive: true });
  await withService(
    { env: { GEMINI_API_KEYS: keys.join(','), ADMIN_TOKEN: adminToken }, override: keyBehaviours() },
    async ({ service }) => {
      for (let round = 0; round < 4; round++) {
        await (await nativeCall(service.url, 'gemini-2.5-flash:generateContent')).text();
        await (await nativeCall(service.url, `${minuteQuotaModel}:generateContent`)).text();
      }
      const browser = await launch();
      try {
        const page = await browser.context.newPage();
        await signInWith(page, service.url);
        await page.waitForSelector('body[data-ready=overview]', { timeout }).catch(async (error: unknown) => {
          const shown = await page.evaluate('document.body.dataset.error');
          assert.fail(`${String(error)}; view error: ${shown}; page errors: ${pageErrors.join('; ')}`);
        });
        for (const chart of ['minutes', 'requests', 'errors', 'tokens']) {
          const canvas = page.locator(`#chart-${chart} canvas`);
          assert.equal(await canvas.count(), 1, `${chart} chart drawn`);
          const box = await canvas.boundingBox();
          assert.ok(box !== null && box.width > 200 && box.height > 100, `${chart} chart has a size`);
          assert.ok(Number(await page.getAttribute(`#chart-${chart}`, 'data-series')) >= 1);
        }
        assert.equal(await page.textContent('[data-card=disabled] strong'), '1');
        await page.screenshot({ path: join(output, 'admin-overview.png'), fullPage: true });

        await page.click('nav a[data-view=keys]');
        await page.waitForSelector('body[data-ready=keys]', { timeout });
        assert.equal(await page.getAttribute(row(behaviourKeys.dead), 'data-state'), 'disabled');
        assert.equal(await page.getAttribute(row(behaviourKeys.minuteQuota), 'data-state'), 'cooling');
        assert.equal(await page.getAttribute(row(behaviourKeys.healthyA), 'data-state'), 'active');
        assert.match((await page.textContent('#persistence')) ?? '', /last until the service restarts/);

        await page.fill('#keys-text', `a new one: ${addedKey}, and again ${addedKey}`);
        await page.click('#add-keys button[type=submit]');
        await page.waitForSelector(`${row(addedKey)}[data-state=active]`, { timeout });
        assert.match((await page.textContent('#add-result')) ?? '', /Found 1, added 1/);

        await page.click(`${row(behaviourKeys.healthyA)} button[data-action=disable]`);
        await page.waitForSelector(`${row(behaviourKeys.healthyA)}[data-state=disabled]`, { timeout });
        await page.screenshot({ path: join(output, 'admin-keys.png'), fullPage: true });

        await page.click('nav a[data-view=requests]');
        await page.waitForSelector('body[data-ready=requests]', { timeout });
        const all = await page.locator('#request-table tbody tr').count();
        await page.fill('#request-filters input[name=model]', minuteQuotaModel);
        await page.click('#request-filters button[type=submit]');
        await page.waitForSelector('body[data-ready=requests]', { timeout });
        const models = await page
          .locator('#request-table tbody tr')
          .evaluateAll((rows) => rows.map((element) => element.getAttribute('data-model')));
        assert.equal(models.length, 4);
        assert.ok(all > models.length);
        assert.ok(models.every((model) => model === minuteQuotaModel));
        await page.screenshot({ path: join(output, 'admin-requests.png'), fullPage: true });

        await page.click('nav a[data-view=settings]');
        await page.waitForSelector('body[data-ready=settings]', { timeout });
        await page.click('#sign-out');
        await page.waitForURL(`${service.url}/admin/sign-in`, { timeout });
        await page.goto(`${service.url}/admin`);
        assert.equal(
          page.url(),
          `${service.url}/admin/sign-in`,
          'signed out: the dashboard sends us to sign in',
        );

        const phone = await browser.context.newPage();
        await phone.setViewportSize({ width: 390, height: 844 });
        await signInWith(phone, service.url);
        await phone.waitForSelector('body[data-ready=overview]', { timeout });
        await phone.click('nav a[data-view=keys]');
        await phone.waitForSelector('body[data-ready=keys]', { timeout });
        const width = await phone.evaluate<number>('document.documentElement.scrollWidth');
        assert.ok(width <= 390, `no sideways scrolling at phone width (${width}px)`);
        assert.ok(await phone.isVisible(`${row(behaviourKeys.healthyA)} button[data-action=enable]`));
        await phone.screenshot({ path: join(output, 'admin-keys-phone.png'), fullPage: true });
        assert.deepEqual(pageErrors, [], 'no script errors on the pages');
      } finally {
        await browser.close();
      }
    },
  );
});
