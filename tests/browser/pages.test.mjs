// Public pages: the overview of the 14 alliances (the youth portal's entry),
// the legal pages, the 404 page and the language switch.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLotse, launchBrowser, newContext, checkA11y, screenshot, watchConsole, assertNoPageOverflow,
  messages, VIEWPORTS, assertIncludes,
} from './harness.mjs';

const { de, en } = messages;

let lotse;
let browser;

before(async () => {
  lotse = await startLotse();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await lotse?.stop();
});

for (const viewport of VIEWPORTS) {
  describe(`public pages at ${viewport.width}x${viewport.height}`, () => {
    let context;
    let page;
    let problems;

    before(async () => {
      context = await newContext(browser, { viewport });
      page = await context.newPage();
      problems = watchConsole(page);
    });

    after(async () => {
      await context?.close();
    });

    test('/ lists the 14 alliances of Sachsen-Anhalt', async () => {
      const response = await page.goto(`${lotse.baseUrl}/`);
      assert.equal(response.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'de');
      // The youth portal's entry: a search by postcode or town, then every
      // alliance as a link to its portal site.
      assert.equal(await page.locator('main form[action="/"] input#ort').count(), 1);
      const links = page.locator('main ul.portal-alliances li a');
      assert.equal(await links.count(), 14);
      const names = await links.locator('.portal-alliance__name').allInnerTexts();
      assert.ok(names.includes('Magdeburg'), names.join(', '));
      assert.ok(names.includes('Halle (Saale)'), names.join(', '));
      assert.equal(await page.locator('main a[href="/anmelden"]').count(), 1);
      await checkA11y(page, 'public home');
      await assertNoPageOverflow(page);
      await screenshot(page, 'home');
    });

    test('an unknown address shows the German 404 page', async () => {
      const response = await page.goto(`${lotse.baseUrl}/gibt-es-nicht`);
      assert.equal(response.status(), 404);
      assert.equal(await page.getAttribute('html', 'lang'), 'de');
      assert.equal((await page.locator('h1').innerText()).trim(), de['error.404.heading']);
      assert.match(await page.locator('main').innerText(), /404/);
      await checkA11y(page, '404 page');
      await assertNoPageOverflow(page);
      await screenshot(page, 'not-found');
    });

    for (const [url, key, name] of [
      ['/datenschutz', 'page.privacy.title', 'privacy'],
      ['/barrierefreiheit', 'page.accessibility.title', 'accessibility'],
      ['/impressum', 'page.imprint.title', 'imprint'],
    ]) {
      test(`${url} is reachable from the footer and accessible`, async () => {
        await page.goto(`${lotse.baseUrl}/`);
        await Promise.all([page.waitForNavigation(), page.click(`footer a[href="${url}"]`)]);
        assert.equal(new URL(page.url()).pathname, url);
        assert.equal(await page.locator('h1').count(), 1);
        assert.equal((await page.locator('h1').innerText()).trim(), de[key]);
        await checkA11y(page, url);
        await assertNoPageOverflow(page);
        await screenshot(page, name);
      });
    }

    test('no script errors or CSP violations', () => {
      assert.deepEqual(problems, []);
    });
  });
}

describe('layout', () => {
  test('the first Tab stop is the skip link, which moves focus to the content', async () => {
    const context = await newContext(browser, { viewport: VIEWPORTS[0] });
    try {
      const page = await context.newPage();
      await page.goto(`${lotse.baseUrl}/`);
      await page.keyboard.press('Tab');
      const skip = await page.evaluate(() => ({
        text: document.activeElement.textContent.trim(),
        href: document.activeElement.getAttribute('href'),
      }));
      assert.deepEqual(skip, { text: de['layout.skip_link'], href: '#inhalt' });
      await page.keyboard.press('Enter');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'inhalt');
    } finally {
      await context.close();
    }
  });

  test('the language switch shows English and is remembered', async () => {
    const context = await newContext(browser, { viewport: VIEWPORTS[0] });
    try {
      const page = await context.newPage();
      await page.goto(`${lotse.baseUrl}/`);
      await Promise.all([page.waitForNavigation(), page.click('a[hreflang="en"]')]);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal((await page.locator('h1').innerText()).trim(), en['portal.home.title']);
      await checkA11y(page, 'public home (English)');
      await page.goto(`${lotse.baseUrl}/anmelden`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal((await page.locator('h1').innerText()).trim(), en['page.signin.title']);
      await checkA11y(page, 'sign-in (English)');
    } finally {
      await context.close();
    }
  });
});
