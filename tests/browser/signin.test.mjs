// Staff sign-in, start page and sign-out in a real browser, at desktop and
// phone widths, with and without JavaScript, and by keyboard alone.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLotse, launchBrowser, newContext, checkA11y, screenshot, watchConsole, assertNoPageOverflow,
  messages, VIEWPORTS, assertIncludes,
} from './harness.mjs';

const de = messages.de;
const DEMO_USER = '15003-jc';
const DEMO_PASSWORD = 'demo';

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

async function submitSignIn(page, username, password) {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForNavigation(),
    page.click('form[action="/anmelden"] button[type="submit"]'),
  ]);
}

async function errorSummaryText(page) {
  const summary = page.locator('.lotse-error-summary');
  await summary.waitFor();
  return (await summary.locator('ul').innerText()).trim();
}

for (const viewport of VIEWPORTS) {
  describe(`sign-in at ${viewport.width}x${viewport.height}`, () => {
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

    test('the sign-in page is accessible', async () => {
      const response = await page.goto(`${lotse.baseUrl}/anmelden`);
      assert.equal(response.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'de');
      assert.equal((await page.locator('h1').innerText()).trim(), de['page.signin.title']);
      assert.equal(await page.getAttribute('#username', 'autocomplete'), 'username');
      assert.equal(await page.getAttribute('#password', 'autocomplete'), 'current-password');
      await checkA11y(page, 'sign-in');
      await assertNoPageOverflow(page);
      await screenshot(page, 'signin');
    });

    test('an empty form shows the error summary and field errors in German', async () => {
      await page.goto(`${lotse.baseUrl}/anmelden`);
      await Promise.all([
        page.waitForNavigation(),
        page.click('form[action="/anmelden"] button[type="submit"]'),
      ]);
      const summary = page.locator('.lotse-error-summary');
      assert.equal(await summary.getAttribute('role'), 'alert');
      assertIncludes(await summary.innerText(), de['form.error_summary_title']);
      const items = await errorSummaryText(page);
      assertIncludes(items, de['signin.error.username_required']);
      assertIncludes(items, de['signin.error.password_required']);
      assert.equal(await summary.locator('a[href="#username"]').count(), 1);
      assert.equal(await summary.locator('a[href="#password"]').count(), 1);

      for (const field of ['username', 'password']) {
        assert.equal(await page.getAttribute(`#${field}`, 'aria-invalid'), 'true');
        assert.equal(await page.getAttribute(`#${field}`, 'aria-describedby'), `${field}-error`);
        assert.ok((await page.locator(`#${field}-error`).innerText()).trim().length > 0);
      }
      // The summary's links take keyboard and screen-reader users to the field.
      await page.click('.lotse-error-summary a[href="#password"]');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');

      await checkA11y(page, 'sign-in with errors');
      await assertNoPageOverflow(page);
      await screenshot(page, 'signin-errors');
    });

    test(`signing in as ${DEMO_USER} leads to the start page of Jobcenter Magdeburg`, async () => {
      await page.goto(`${lotse.baseUrl}/anmelden`);
      await submitSignIn(page, DEMO_USER, DEMO_PASSWORD);
      assert.equal(new URL(page.url()).pathname, '/start');
      assert.match(await page.locator('main').innerText(), /Jobcenter Magdeburg/);
      assert.equal(await page.locator('h1').count(), 1);
      assert.equal((await page.locator('h1').innerText()).trim(), de['page.start.title.case_worker']);
      await checkA11y(page, 'start page (case worker)');
      await assertNoPageOverflow(page);
      await screenshot(page, 'start-case-worker');
    });

    test('signing out returns to the sign-in page with a notice', async () => {
      await Promise.all([
        page.waitForNavigation(),
        page.click('form[action="/abmelden"] button[type="submit"]'),
      ]);
      assert.equal(new URL(page.url()).pathname, '/anmelden');
      assertIncludes(await page.locator('.lotse-notice').innerText(), de['signin.notice.signed_out']);
      await checkA11y(page, 'sign-in after sign-out');
      await screenshot(page, 'signin-signed-out');
      // The session is gone: the start page asks for a sign-in again.
      await page.goto(`${lotse.baseUrl}/start`);
      assert.equal(new URL(page.url()).pathname, '/anmelden');
    });

    test('no script errors or CSP violations', () => {
      assert.deepEqual(problems, []);
    });
  });
}

describe('sign-in details', () => {
  test('a wrong password shows the same generic error as an unknown user', async () => {
    const context = await newContext(browser, { viewport: VIEWPORTS[0] });
    try {
      const page = await context.newPage();
      await page.goto(`${lotse.baseUrl}/anmelden`);
      await submitSignIn(page, DEMO_USER, 'falsches-passwort');
      const wrongPassword = await errorSummaryText(page);
      assert.equal(await page.inputValue('#password'), '', 'the password is never echoed back');

      await page.goto(`${lotse.baseUrl}/anmelden`);
      await submitSignIn(page, 'niemand-bekannt', 'falsches-passwort');
      const unknownUser = await errorSummaryText(page);

      assert.equal(wrongPassword, unknownUser);
      assert.equal(wrongPassword, de['signin.error.bad_credentials']);
      await checkA11y(page, 'sign-in with bad credentials');
    } finally {
      await context.close();
    }
  });

  test('keyboard only: Tab reaches username, password and the button in order', async () => {
    const context = await newContext(browser, { viewport: VIEWPORTS[0] });
    try {
      const page = await context.newPage();
      await page.goto(`${lotse.baseUrl}/anmelden`);
      const focused = () => page.evaluate(() => {
        const el = document.activeElement;
        return el ? (el.id || `${el.tagName.toLowerCase()}[type=${el.getAttribute('type')}]`) : '';
      });
      let steps = 0;
      while ((await focused()) !== 'username') {
        await page.keyboard.press('Tab');
        assert.ok(++steps < 25, 'Tab never reached the username field');
      }
      await page.keyboard.type(DEMO_USER);
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'password');
      await page.keyboard.type(DEMO_PASSWORD);
      await page.keyboard.press('Tab');
      assert.equal(await focused(), 'button[type=submit]');
      assert.equal(
        await page.evaluate(() => document.activeElement.closest('form')?.getAttribute('action')),
        '/anmelden');
      // The focus must be visible: KERN draws an outline on focused buttons.
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, 'none');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.equal(new URL(page.url()).pathname, '/start');
    } finally {
      await context.close();
    }
  });

  test('sign-in and sign-out work with JavaScript disabled', async () => {
    const context = await newContext(browser, { viewport: VIEWPORTS[1], javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${lotse.baseUrl}/anmelden`);
      await submitSignIn(page, DEMO_USER, DEMO_PASSWORD);
      assert.equal(new URL(page.url()).pathname, '/start');
      assert.match(await page.locator('main').innerText(), /Jobcenter Magdeburg/);
      await Promise.all([
        page.waitForNavigation(),
        page.click('form[action="/abmelden"] button[type="submit"]'),
      ]);
      assert.equal(new URL(page.url()).pathname, '/anmelden');
      assertIncludes(await page.locator('.lotse-notice').innerText(), de['signin.notice.signed_out']);
      await screenshot(page, 'nojs-signed-out');
    } finally {
      await context.close();
    }
  });
});
