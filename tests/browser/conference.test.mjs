// Case conferences (Fallberatung) in a real browser, at desktop and phone
// widths: the Jobcenter records a young person with a consent naming the
// Jugendamt, plans a conference with it (a first attempt without
// participants comes back with the error summary), records minutes and a
// task for the Jugendamt; the Jugendamt finds the task in its Posteingang,
// opens the conference and marks the task done. axe-core checks every page.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLotse, launchBrowser, newContext, checkA11y, watchConsole, messages, VIEWPORTS,
  assertIncludes, submit, signIn, checkPage,
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

// The favicon may be aborted when the test moves on; not a page problem.
function realProblems(problems) {
  return problems.filter((p) => !p.endsWith('net::ERR_ABORTED'));
}

function isoDay(offset) {
  const d = new Date(Date.now() + offset * 24 * 3600 * 1000);
  return d.toISOString().slice(0, 10);
}

// The tasks section of the Posteingang: its heading count equals its items.
async function inboxTasks(page) {
  const section = page.locator('section[aria-labelledby="aufgaben"]');
  const heading = await section.locator('#aufgaben').innerText();
  const listed = await section.locator('li').count();
  assertIncludes(heading, `(${listed})`);
  return { section, listed, text: await section.innerText() };
}

for (const viewport of VIEWPORTS) {
  describe(`case conference at ${viewport.width}x${viewport.height}`, () => {
    const given = viewport.width > 400 ? 'Lena' : 'Mia';
    const family = viewport.width > 400 ? 'Schulz' : 'Krüger';
    const taskText = `Hilfeplangespräch mit ${given} vorbereiten`;
    let conferenceUrl;

    test('15003-jc plans a conference with the Jugendamt, records minutes and a task', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        await signIn(page, lotse.baseUrl, '15003-jc');
        await page.goto(`${lotse.baseUrl}/faelle/neu`);
        await page.fill('#given_name', given);
        await page.fill('#family_name', family);
        await page.fill('#birth_date', '2008-04-12');
        await page.check('#phase-4');
        await submit(page, 'form[action="/faelle/neu"] button[type="submit"]');
        const caseUrl = new URL(page.url()).pathname;
        assert.match(caseUrl, /^\/faelle\/\d+$/);

        await submit(page, `main a[href="${caseUrl}/einwilligung"]`);
        await page.check('#recipient-15003-ja');
        await page.check('#category-master_data');
        await page.check('#category-needs_goals');
        await page.check('#category-conference_results');
        await page.fill('#purposes', 'Gemeinsame Fallberatung zum Übergang in Ausbildung');
        await page.fill('#evidence_ref', 'JC-MD-2026-0077');
        await page.check('#informed');
        await submit(page, `form[action="${caseUrl}/einwilligung"] button[type="submit"]`);

        // The case page links to the plan form and to its conferences.
        assertIncludes(await page.locator('#fallberatungen').locator('..').innerText(),
          de['conference.case_section.list']);
        await submit(page, `main a[href="${caseUrl}/fallberatung/neu"]`);
        assertIncludes(await page.locator('h1').innerText(), de['conference.new.title']);
        await checkPage(page, 'conf-plan');

        // Without participants: 422, summary linking to the boxes, nothing lost.
        await page.fill('#agenda', 'Wohnsituation, Ausbildungsplatz, nächste Schritte');
        await page.fill('#staff-15003-ja', 'Frau Weber');
        const bad = await submit(page, `form[action="${caseUrl}/fallberatung/neu"] button[type="submit"]`);
        assert.equal(bad.status(), 422);
        const summary = page.locator('.lotse-error-summary');
        assertIncludes(await summary.innerText(), de['conference.error.participants']);
        assert.equal(await summary.locator('a[href="#participant-15003-aa"]').count(), 1);
        assert.equal(await page.inputValue('#agenda'), 'Wohnsituation, Ausbildungsplatz, nächste Schritte');
        assert.equal(await page.inputValue('#staff-15003-ja'), 'Frau Weber');
        await checkPage(page, 'conf-plan-errors');

        await page.fill('#scheduled_date', isoDay(3));
        await page.fill('#scheduled_time', '14:30');
        await page.check('#participant-15003-ja');
        await submit(page, `form[action="${caseUrl}/fallberatung/neu"] button[type="submit"]`);
        conferenceUrl = new URL(page.url()).pathname;
        assert.match(conferenceUrl, /^\/fallberatungen\/\d+$/);
        assertIncludes(await page.locator('.lotse-notice').first().innerText(), de['conference.notice.created']);
        const facts = await page.locator('main').innerText();
        assertIncludes(facts, 'Frau Weber');
        assertIncludes(facts, `${given} ${family}`);
        assertIncludes(facts, '14:30 Uhr');

        await page.fill('#minutes', `${given} sucht eine Wohnung in der Nähe des Ausbildungsbetriebs.`);
        await submit(page, `form[action="${conferenceUrl}/protokoll"] button[type="submit"]`);
        assertIncludes(await page.locator('.lotse-notice').first().innerText(), de['conference.notice.minutes']);

        await page.check('#item_kind-task');
        await page.fill('#item_text', taskText);
        await page.selectOption('#item_owner', '15003-ja');
        await page.fill('#item_due', isoDay(7));
        await submit(page, `form[action="${conferenceUrl}/punkte"] button[type="submit"]`);
        assertIncludes(await page.locator('.lotse-notice').first().innerText(), de['conference.notice.item']);
        const tasks = await page.locator('#aufgaben-fb').locator('..').innerText();
        assertIncludes(tasks, taskText);
        assertIncludes(tasks, 'Jugendamt Magdeburg');
        await checkPage(page, 'conf-show-jc');

        // From the case page to the conferences of this case.
        await page.goto(`${lotse.baseUrl}${caseUrl}`);
        await checkPage(page, 'conf-case-page');
        const caseId = caseUrl.split('/').pop();
        await submit(page, `#fallberatungen ~ p a[href="/fallberatungen?fall=${caseId}"]`);
        assertIncludes(await page.locator('#anstehend').locator('..').innerText(), `${given} ${family}`);
        await checkPage(page, 'conf-list-case');

        await page.goto(`${lotse.baseUrl}/fallberatungen`);
        assertIncludes(await page.locator('#anstehend').locator('..').innerText(), `${given} ${family}`);
        await checkPage(page, 'conf-list-jc');
        await submit(page, 'main a[href="/fallberatungen/neu"]');
        assertIncludes(await page.locator('main').innerText(), de['conference.summary_warning.title']);
        await checkPage(page, 'conf-plan-anonymous');
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await context.close();
      }
    });

    test('15003-ja sees the task in its Posteingang and marks it done', async () => {
      assert.ok(conferenceUrl, 'the first step planned the conference');
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        await signIn(page, lotse.baseUrl, '15003-ja');
        await page.goto(`${lotse.baseUrl}/faelle`);
        const before = await inboxTasks(page);
        assertIncludes(before.text, taskText);
        assertIncludes(before.text, `${given} ${family}`);
        await checkPage(page, 'conf-inbox-ja');

        await submit(page, `section[aria-labelledby="aufgaben"] a[href="${conferenceUrl}"]`);
        const main = await page.locator('main').innerText();
        assertIncludes(main, `${given} sucht eine Wohnung`);  // conference_results consented
        assertIncludes(main, taskText);
        await checkPage(page, 'conf-show-ja');

        await page.goto(`${lotse.baseUrl}/fallberatungen/aufgaben`);
        assertIncludes(await page.locator('main').innerText(), taskText);
        await checkPage(page, 'conf-tasks-ja');

        await page.goto(`${lotse.baseUrl}/faelle`);
        const item = page.locator('section[aria-labelledby="aufgaben"] li', { hasText: taskText });
        await submit(page, `section[aria-labelledby="aufgaben"] li:has-text("${taskText}") button[type="submit"]`);
        assert.equal(new URL(page.url()).pathname, '/faelle');
        assert.equal(await item.count(), 0);
        const after = await inboxTasks(page);
        assert.equal(after.listed, before.listed - 1);
        await checkPage(page, 'conf-inbox-ja-done');

        await page.goto(`${lotse.baseUrl}${conferenceUrl}`);
        const done = await page.locator('#aufgaben-fb').locator('..').innerText();
        assertIncludes(done, de['conference.task.done']);
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await context.close();
      }
    });

    test('15003-aa, not invited, gets the 404 page without the name', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      try {
        await signIn(page, lotse.baseUrl, '15003-aa');
        const response = await page.goto(`${lotse.baseUrl}${conferenceUrl}`);
        assert.equal(response.status(), 404);
        assert.ok(!(await page.content()).includes(family));
        await checkA11y(page, 'conference 404 for 15003-aa');
      } finally {
        await context.close();
      }
    });
  });
}

describe('case conference without JavaScript', () => {
  test('an anonymous conference can be planned with JavaScript disabled', async () => {
    const context = await newContext(browser, { viewport: VIEWPORTS[1], javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await signIn(page, lotse.baseUrl, '15003-jc');
      await page.goto(`${lotse.baseUrl}/fallberatungen/neu`);
      await page.fill('#scheduled_date', isoDay(2));
      await page.fill('#scheduled_time', '09:00');
      await page.check('#participant-15003-aa');
      await page.fill('#case_summary', 'Junger Mann, 19, Ausbildungsabbruch, Schulden, keine Wohnung.');
      await submit(page, 'form[action="/fallberatungen/neu"] button[type="submit"]');
      assert.match(new URL(page.url()).pathname, /^\/fallberatungen\/\d+$/);
      assertIncludes(await page.locator('main').innerText(), 'Ausbildungsabbruch');
    } finally {
      await context.close();
    }
  });
});
