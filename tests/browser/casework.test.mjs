// Joint case work in a real browser, at desktop and phone widths: the
// Jobcenter records a sixteen-year-old, records her consent naming the
// Jugendamt (first without, then with the mandatory insight assessment) and
// hands the case over; the Jugendamt finds it in its Posteingang,
// confirms receipt and accepts; the Agentur für Arbeit, not named in the
// consent, gets the 404 page without the name. axe-core checks every page.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLotse, launchBrowser, newContext, checkA11y, watchConsole, messages, VIEWPORTS,
  assertIncludes, submit, signIn, checkPage,
} from './harness.mjs';

const de = messages.de;

// Born on 1 January sixteen years ago: 16 today, so her own consent needs
// the insight assessment (Einsichtsfähigkeit, 15-17).
const SIXTEEN_BIRTH = `${new Date().getUTCFullYear() - 16}-01-01`;
const INSIGHT_REASON = 'Hat Zweck, Empfänger und Widerruf mit eigenen Worten erklärt.';

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

// A sub-resource aborted because the test moved on to the next page (the
// favicon loads after the load event) is not a problem of the page.
function realProblems(problems) {
  return problems.filter((p) => !p.endsWith('net::ERR_ABORTED'));
}

for (const viewport of VIEWPORTS) {
  describe(`case work at ${viewport.width}x${viewport.height}`, () => {
    let caseUrl;

    test('15003-jc records a person, a consent and a handover to the Jugendamt', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        await signIn(page, lotse.baseUrl, '15003-jc');
        assert.equal(new URL(page.url()).pathname, '/start');
        await checkPage(page, 'cw-start');
        await submit(page, 'main a[href="/faelle"]');
        assertIncludes(await page.locator('h1').innerText(), de['page.cases.title']);
        await checkPage(page, 'cw-inbox-jc');

        await submit(page, 'main a[href="/faelle/neu"]');
        // An empty form first: 422, summary with links, nothing lost.
        await page.fill('#city', 'Magdeburg');
        const bad = await Promise.all([
          page.waitForNavigation(),
          page.click('form[action="/faelle/neu"] button[type="submit"]'),
        ]);
        assert.equal(bad[0].status(), 422);
        const summary = page.locator('.lotse-error-summary');
        assertIncludes(await summary.innerText(), de['case_new.error.given_name']);
        assert.equal(await summary.locator('a[href="#family_name"]').count(), 1);
        assert.equal(await page.inputValue('#city'), 'Magdeburg');
        await checkPage(page, 'cw-new-errors');

        await page.fill('#given_name', 'Lena');
        await page.fill('#family_name', 'Schulz');
        await page.fill('#birth_date', SIXTEEN_BIRTH);
        await page.check('#phase-4');
        await page.check('#needs-applications');
        await page.fill('#goals', 'Ausbildungsplatz als Mechatronikerin finden');
        await submit(page, 'form[action="/faelle/neu"] button[type="submit"]');
        caseUrl = new URL(page.url()).pathname;
        assert.match(caseUrl, /^\/faelle\/\d+$/);
        assertIncludes(await page.locator('h1').innerText(), 'Lena Schulz');
        assertIncludes(await page.locator('.lotse-notice').first().innerText(), de['case.notice.created']);
        await checkPage(page, 'cw-case-new');

        // The case list: from the Posteingang's link, Lena among the own cases.
        await page.goto(`${lotse.baseUrl}/faelle`);
        await submit(page, 'main a[href="/faelle/liste#eigene"]');
        assertIncludes(await page.locator('h1').innerText(), de['page.case_list.title']);
        assertIncludes(await page.locator('#eigene').locator('..').innerText(), 'Lena Schulz');
        await checkPage(page, 'cw-case-list');

        // The person search from the Posteingang's form: a typo still finds Lena.
        await page.goto(`${lotse.baseUrl}/faelle`);
        await page.fill('#q', 'Lena Schlz');
        await submit(page, 'main search button[type="submit"]');
        assertIncludes(await page.locator('h1').innerText(), de['page.search.title']);
        assertIncludes(await page.locator('#treffer').locator('..').innerText(), 'Lena Schulz');
        await checkPage(page, 'cw-search');
        await page.goto(`${lotse.baseUrl}${caseUrl}`);

        await submit(page, `main a[href="${caseUrl}/einwilligung"]`);
        await page.check('#recipient-15003-ja');
        await page.check('#category-master_data');
        await page.check('#category-needs_goals');
        await page.fill('#purposes', 'Gemeinsame Beratung zum Übergang in Ausbildung');
        await page.fill('#evidence_ref', 'JC-MD-2026-0042');
        // The assessment is asked of everyone; the page shows her age and
        // that it is mandatory for her.
        const insightHint = await page.locator('#insight_confirmed-hint').innerText();
        assertIncludes(insightHint, `${de['consent.insight_age_today']} 16 ${de['consent.insight_years']}`);
        assertIncludes(insightHint, de['consent.insight_required']);
        await checkPage(page, 'cw-consent');
        await page.check('#informed');
        // Without the assessment: 422, the summary links to the field, the
        // message is at the field, nothing typed is lost.
        const refused = await Promise.all([
          page.waitForNavigation(),
          page.click(`form[action="${caseUrl}/einwilligung"] button[type="submit"]`),
        ]);
        assert.equal(refused[0].status(), 422);
        const consentSummary = page.locator('.lotse-error-summary');
        assertIncludes(await consentSummary.innerText(), de['consent.error.insight_confirmed']);
        assert.equal(await consentSummary.locator('a[href="#insight_confirmed-yes"]').count(), 1);
        assertIncludes(await page.locator('#insight_confirmed-error').innerText(), de['consent.error.insight_confirmed']);
        assert.equal(await page.inputValue('#evidence_ref'), 'JC-MD-2026-0042');
        assert.ok(await page.isChecked('#recipient-15003-ja'));
        assert.ok(await page.isChecked('#informed'));
        await checkPage(page, 'cw-consent-errors');
        await consentSummary.locator('a[href="#insight_confirmed-yes"]').click();
        await page.check('#insight_confirmed-yes');
        await page.fill('#insight_reason', INSIGHT_REASON);
        await submit(page, `form[action="${caseUrl}/einwilligung"] button[type="submit"]`);
        assert.equal(new URL(page.url()).pathname, caseUrl);
        const consents = await page.locator('#einwilligungen').locator('..').innerText();
        assertIncludes(consents, 'Jugendamt Magdeburg');
        assertIncludes(consents, de['consent.state.active']);

        await submit(page, 'main a[href$="/druck"]');
        const print = await page.locator('main').innerText();
        assertIncludes(print, de['consent.print_withdrawal']);
        assertIncludes(print, 'Jugendamt Magdeburg');
        assertIncludes(print, 'Stammdaten');
        assertIncludes(print, de['consent.print_insight_yes']);
        assertIncludes(print, INSIGHT_REASON);
        assertIncludes(print, de['consent.print_sign_young_person']);
        await checkPage(page, 'cw-consent-print');
        await page.goto(`${lotse.baseUrl}${caseUrl}`);

        await page.selectOption('#handover_to_agency', '15003-ja');
        await page.fill('#handover_reason', 'Unterstützung bei der Wohnungssuche und Hilfe für junge Volljährige');
        await submit(page, `form[action="${caseUrl}/uebergaben"] button[type="submit"]`);
        assertIncludes(await page.locator('.lotse-notice').first().innerText(), de['case.notice.handover']);
        assertIncludes(await page.locator('#uebergaben').locator('..').innerText(), de['handover.state.sent']);
        await checkPage(page, 'cw-case-handed-over');
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await context.close();
      }
    });

    test('15003-ja finds it in the Posteingang, confirms receipt and accepts', async () => {
      assert.ok(caseUrl, 'the first step created the case');
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        await signIn(page, lotse.baseUrl, '15003-ja');
        await page.goto(`${lotse.baseUrl}/faelle`);
        const incoming = page.locator('#eingang').locator('..');
        assertIncludes(await incoming.innerText(), 'Lena Schulz');
        // The heading's count equals the entries listed under it.
        const heading = await page.locator('#eingang').innerText();
        const listed = await incoming.locator('li.lotse-item').count();
        assertIncludes(heading, `(${listed})`);
        await checkPage(page, 'cw-inbox-ja');
        // The filter "Offen" lists the open handover and is marked as chosen.
        await submit(page, `#eingang ~ nav a:has-text("${de['cases.filter.open']}")`);
        assert.equal(
          (await page.locator('#eingang ~ nav a[aria-current="page"]').innerText()).trim(),
          `${de['cases.filter.open']} (1)`);
        assertIncludes(await incoming.innerText(), 'Lena Schulz');
        await checkPage(page, 'cw-inbox-ja-open');

        await submit(page, `#eingang ~ ul a[href="${caseUrl}"]`);
        assertIncludes(await page.locator('main').innerText(), de['case.not_released']);
        await checkPage(page, 'cw-case-ja');
        await submit(page, `button:has-text("${de['handover.action.receive']}")`);
        await submit(page, `button:has-text("${de['handover.action.accept']}")`);
        assertIncludes(await page.locator('#uebergaben').locator('..').innerText(), de['handover.state.accepted']);
        await checkPage(page, 'cw-case-ja-accepted');
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await context.close();
      }
    });

    test('15003-aa, not named in the consent, gets the 404 page without the name', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      try {
        await signIn(page, lotse.baseUrl, '15003-aa');
        const response = await page.goto(`${lotse.baseUrl}${caseUrl}`);
        assert.equal(response.status(), 404);
        assert.equal((await page.locator('h1').innerText()).trim(), de['error.404.heading']);
        assert.ok(!(await page.content()).includes('Schulz'));
        await checkPage(page, 'cw-case-aa-404');
        await page.goto(`${lotse.baseUrl}/faelle`);
        assert.ok(!(await page.content()).includes('Schulz'));
        await checkA11y(page, 'inbox of 15003-aa');
      } finally {
        await context.close();
      }
    });
  });
}

describe('case work without JavaScript', () => {
  test('the new-person form works with JavaScript disabled', async () => {
    const context = await newContext(browser, { viewport: VIEWPORTS[1], javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await signIn(page, lotse.baseUrl, '15003-jc');
      await page.goto(`${lotse.baseUrl}/faelle/neu`);
      await page.fill('#given_name', 'Jonas');
      await page.fill('#family_name', 'Becker');
      await page.fill('#birth_date', '2007-09-01');
      await page.check('#phase-3');
      await submit(page, 'form[action="/faelle/neu"] button[type="submit"]');
      assert.match(new URL(page.url()).pathname, /^\/faelle\/\d+$/);
      assertIncludes(await page.locator('h1').innerText(), 'Jonas Becker');
    } finally {
      await context.close();
    }
  });
});
