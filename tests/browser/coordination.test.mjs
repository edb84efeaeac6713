// The coordinators' catalogue pages in a real browser at desktop and phone
// widths: 15003-koord opens the needs × phases overview from the start page,
// follows a gap cell to the new-offer form, first submits it without a name
// (error summary, values kept), then creates the offer and sees the gap
// closed. The offer list, the contact points and a contact point's form
// (opening hours as weekdays and times) are checked too; a case worker sees
// the catalogue read-only. axe-core checks every page; nothing overflows at
// 360 px.
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

function realProblems(problems) {
  return problems.filter((p) => !p.endsWith('net::ERR_ABORTED'));
}

for (const viewport of VIEWPORTS) {
  describe(`coordination at ${viewport.width}x${viewport.height}`, () => {
    test('15003-koord follows a gap in the overview, creates an offer and sees the gap closed', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        await signIn(page, lotse.baseUrl, '15003-koord');
        await submit(page, `a:has-text("${de['coord.start_link']}")`);
        assert.equal(new URL(page.url()).pathname, '/koordination');
        await checkPage(page, 'coordination-home');

        await submit(page, `main .kern-card a:has-text("${de['coord.nav_matrix']}")`);
        assert.equal(new URL(page.url()).pathname, '/koordination/uebersicht');
        await checkPage(page, 'coordination-matrix');
        const gap = page.locator('td.lotse-gap').first();
        assertIncludes(await gap.innerText(), de['coord.matrix_gap']);
        const need = await gap.getAttribute('data-need');
        const phase = await gap.getAttribute('data-phase');
        const gapsBefore = await page.locator('td.lotse-gap').count();

        // The filter (GET form) narrows the counts: more gaps for one sphere.
        await page.selectOption('#rechtskreis', 'sgb8');
        await submit(page, 'form.lotse-coord-filter button[type="submit"]');
        assertIncludes(page.url(), 'rechtskreis=sgb8');
        assert.ok(await page.locator('td.lotse-gap').count() > gapsBefore, 'filter adds gaps');
        await checkPage(page, 'coordination-matrix-filtered');
        await page.goto(`${lotse.baseUrl}/koordination/uebersicht`);

        await submit(page, `td.lotse-gap[data-need="${need}"][data-phase="${phase}"] a`);
        assert.equal(new URL(page.url()).pathname, '/koordination/angebote/neu');
        assert.ok(await page.locator(`#needs-${need}`).isChecked(), 'need preselected');
        assert.ok(await page.locator(`#phases-${phase}`).isChecked(), 'phase preselected');
        await checkPage(page, 'coordination-offer-new');

        // Without a name: 422, the summary links to the field, input kept.
        await page.fill('#legal_basis', '§ 13 SGB VIII');
        const bad = await submit(page, 'form.lotse-form button[type="submit"]');
        assert.equal(bad.status(), 422);
        assertIncludes(await page.locator('.lotse-error-summary').innerText(), de['coord.error.name']);
        assert.equal(await page.locator('.lotse-error-summary a[href="#name"]').count(), 1);
        assert.equal(await page.inputValue('#legal_basis'), '§ 13 SGB VIII');
        assert.ok(await page.locator(`#needs-${need}`).isChecked(), 'need kept');
        await checkPage(page, 'coordination-offer-errors');

        const name = `Lückenschluss ${viewport.width}`;
        await page.fill('#name', name);
        const provider = await page.locator('#organization_id option').nth(1).getAttribute('value');
        await page.selectOption('#organization_id', provider);
        await page.selectOption('#legal_sphere', 'sgb8');
        await page.fill('#minimum_age', '15');
        await page.fill('#maximum_age', '25');
        await page.fill('#capacity', '12');
        const created = await submit(page, 'form.lotse-form button[type="submit"]');
        assert.equal(created.status(), 200);
        assertIncludes(await page.locator('.lotse-notice').innerText(), de['coord.notice.angelegt']);
        assert.equal(await page.inputValue('#name'), name);
        await checkPage(page, 'coordination-offer-edit');

        await submit(page, `a:has-text("${de['coord.to_matrix']}")`);
        const cell = page.locator(`td[data-need="${need}"][data-phase="${phase}"]`);
        assert.equal(await cell.getAttribute('class'), 'kern-table__cell', 'the gap is closed');
        assert.equal((await cell.innerText()).trim().split(/\s/)[0], '1');
        assert.equal(await page.locator('td.lotse-gap').count(), gapsBefore - 1);

        // The count links to the cell's offers, the new one among them.
        await submit(page, `td[data-need="${need}"][data-phase="${phase}"] a`);
        assertIncludes(await page.locator('table').innerText(), name);
        await checkPage(page, 'coordination-offers');
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await context.close();
      }
    });

    test('15003-koord sees the contact points and edits opening hours without RRULE syntax', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        await signIn(page, lotse.baseUrl, '15003-koord');
        await page.goto(`${lotse.baseUrl}/koordination/kontaktstellen`);
        await checkPage(page, 'coordination-points');
        await submit(page, 'table tbody th a >> nth=0');
        assert.match(new URL(page.url()).pathname, /^\/koordination\/kontaktstellen\/[0-9a-f-]{36}$/);
        await checkPage(page, 'coordination-point-edit');
        // A wrong time: the row is marked, nothing saved.
        await page.check('#wk3_days-SA');
        await page.fill('#wk3_opens', '10:00');
        const bad = await submit(page, 'form.lotse-form button[type="submit"]');
        assert.equal(bad.status(), 422);
        assertIncludes(await page.locator('.lotse-error-summary').innerText(), de['coord.error.times']);
        assert.ok(await page.locator('#wk3_days-SA').isChecked(), 'weekday kept');
        await checkPage(page, 'coordination-point-errors');
        await page.fill('#wk3_closes', '12:00');
        const saved = await submit(page, 'form.lotse-form button[type="submit"]');
        assert.equal(saved.status(), 200);
        assertIncludes(await page.locator('.lotse-notice').innerText(), de['coord.notice.gespeichert']);
        assert.ok(await page.locator('input[value="SA"]:checked').count() >= 1);

        await page.goto(`${lotse.baseUrl}/koordination/kontaktstellen/neu`);
        await checkPage(page, 'coordination-point-new');
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await context.close();
      }
    });

    test('15003-jc views the catalogue read-only', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      try {
        await signIn(page, lotse.baseUrl, '15003-jc');
        await page.goto(`${lotse.baseUrl}/koordination/angebote`);
        assertIncludes(await page.locator('main').innerText(), de['coord.readonly']);
        assert.equal(await page.locator('a[href="/koordination/angebote/neu"]').count(), 0);
        await submit(page, 'table tbody th a >> nth=0');
        assert.equal(await page.locator('form.lotse-form').count(), 0);
        await checkPage(page, 'coordination-offer-readonly');
      } finally {
        await context.close();
      }
    });
  });
}

describe('coordination without JavaScript', () => {
  test('the overview filter and an offer form work with JavaScript disabled', async () => {
    const context = await newContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await signIn(page, lotse.baseUrl, '15003-koord');
      await page.goto(`${lotse.baseUrl}/koordination/uebersicht`);
      await page.selectOption('#zielgruppe', 'parents');
      await submit(page, 'form.lotse-coord-filter button[type="submit"]');
      assertIncludes(page.url(), 'zielgruppe=parents');
      await page.goto(`${lotse.baseUrl}/koordination/angebote/neu`);
      const r = await submit(page, 'form.lotse-form button[type="submit"]');
      assert.equal(r.status(), 422);
      assertIncludes(await page.locator('.lotse-error-summary').innerText(), de['coord.error.needs']);
    } finally {
      await context.close();
    }
  });
});
