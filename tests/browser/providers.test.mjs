// Providers (Träger) on the coordinators' pages in a real browser at desktop
// and phone widths: 15003-koord goes from the offer list to the providers,
// submits a new provider with a javascript: link and no name (error summary
// linking to the fields, messages at the fields, input kept), then creates
// it, edits it, and finds it in the offer form's provider choice. A case
// worker sees the list without edit links and gets 403 for the form; the
// coordinator of another alliance gets 403 for the provider. The form works
// without JavaScript. axe-core checks every page; nothing overflows at 360 px.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLotse, launchBrowser, newContext, watchConsole, messages, VIEWPORTS, assertIncludes, submit,
  signIn, checkPage,
} from './harness.mjs';

const de = messages.de;

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
  describe(`providers at ${viewport.width}x${viewport.height}`, () => {
    test('15003-koord creates and edits a provider, with errors shown at the fields first', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        await signIn(page, lotse.baseUrl, '15003-koord');
        await page.goto(`${lotse.baseUrl}/koordination/angebote`);
        await submit(page, `main a:has-text("${de['coord.offers_providers_link']}")`);
        assert.equal(new URL(page.url()).pathname, '/koordination/traeger');
        assert.ok(await page.locator('table tbody th a').count() > 0, 'the demo providers are editable');
        await checkPage(page, 'providers-list');

        await submit(page, `a:has-text("${de['coord.providers_new']}")`);
        assert.equal(new URL(page.url()).pathname, '/koordination/traeger/neu');
        await checkPage(page, 'provider-new');

        await page.fill('#website', 'javascript:alert(1)');
        await page.fill('#email', 'info-at-example');
        const bad = await submit(page, 'form.lotse-form button[type="submit"]');
        assert.equal(bad.status(), 422);
        const summary = page.locator('.lotse-error-summary');
        assertIncludes(await summary.innerText(), de['coord.error.name']);
        assertIncludes(await summary.innerText(), de['coord.error.provider_website']);
        for (const field of ['name', 'website', 'email']) {
          assert.equal(await summary.locator(`a[href="#${field}"]`).count(), 1, `summary links to ${field}`);
          assert.equal(await page.locator(`#${field}-error`).count(), 1, `message at ${field}`);
        }
        assert.equal(await page.inputValue('#email'), 'info-at-example');
        await checkPage(page, 'provider-errors');

        const name = `Jugendwerkstatt ${viewport.width}`;
        await page.fill('#name', name);
        await page.fill('#website', 'https://werkstatt.example');
        await page.fill('#email', 'info@werkstatt.example');
        await page.fill('#phone', '0391 555666');
        const created = await submit(page, 'form.lotse-form button[type="submit"]');
        assert.equal(created.status(), 200);
        assertIncludes(await page.locator('.lotse-notice').innerText(), de['coord.notice.angelegt']);
        assert.equal(await page.inputValue('#name'), name);
        const providerUrl = new URL(page.url()).pathname;
        assert.match(providerUrl, /^\/koordination\/traeger\/[0-9a-f-]{36}$/);
        await checkPage(page, 'provider-edit');

        await page.fill('#description', 'Holzwerkstatt und Bewerbungshilfe');
        const saved = await submit(page, 'form.lotse-form button[type="submit"]');
        assert.equal(saved.status(), 200);
        assertIncludes(await page.locator('.lotse-notice').innerText(), de['coord.notice.gespeichert']);
        assert.equal(await page.inputValue('#description'), 'Holzwerkstatt und Bewerbungshilfe');

        // The new provider can run offers at once.
        await page.goto(`${lotse.baseUrl}/koordination/angebote/neu`);
        const id = providerUrl.split('/').pop();
        assert.equal(await page.locator(`#organization_id option[value="${id}"]`).count(), 1);
        assert.deepEqual(problems.filter((p) => !p.endsWith('net::ERR_ABORTED')), []);

        // Another alliance's coordinator and a case worker may not change it.
        const other = await newContext(browser, { viewport });
        const otherPage = await other.newPage();
        try {
          await signIn(otherPage, lotse.baseUrl, '15081-koord');
          const denied = await otherPage.goto(`${lotse.baseUrl}${providerUrl}`);
          assert.equal(denied.status(), 403);
        } finally {
          await other.close();
        }
        const worker = await newContext(browser, { viewport });
        const workerPage = await worker.newPage();
        try {
          await signIn(workerPage, lotse.baseUrl, '15003-jc');
          await workerPage.goto(`${lotse.baseUrl}/koordination/traeger`);
          assertIncludes(await workerPage.locator('main').innerText(), de['coord.readonly']);
          assert.equal(await workerPage.locator('table tbody th a').count(), 0);
          await checkPage(workerPage, 'providers-readonly');
          assert.equal((await workerPage.goto(`${lotse.baseUrl}${providerUrl}`)).status(), 403);
          assert.equal((await workerPage.goto(`${lotse.baseUrl}/koordination/traeger/neu`)).status(), 403);
        } finally {
          await worker.close();
        }
      } finally {
        await context.close();
      }
    });
  });
}

describe('providers without JavaScript', () => {
  test('the provider form shows its errors and saves with JavaScript disabled', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await signIn(page, lotse.baseUrl, '15003-koord');
      await page.goto(`${lotse.baseUrl}/koordination/traeger/neu`);
      const bad = await submit(page, 'form.lotse-form button[type="submit"]');
      assert.equal(bad.status(), 422);
      assertIncludes(await page.locator('.lotse-error-summary').innerText(), de['coord.error.name']);
      await page.fill('#name', 'Ohne-Skript-Träger');
      const made = await submit(page, 'form.lotse-form button[type="submit"]');
      assert.equal(made.status(), 200);
      assertIncludes(await page.locator('.lotse-notice').innerText(), de['coord.notice.angelegt']);
    } finally {
      await context.close();
    }
  });
});
