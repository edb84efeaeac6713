// The young person's view of their data in a real browser, at desktop and
// phone widths: a case worker of Jobcenter Magdeburg opens the Pendelbogen
// (one A4 page when printed) and the Art. 15 report of a demo-like case from
// the case page; the Agentur für Arbeit – named in the consent, but not the
// agency that recorded the person – gets the 404 page. axe-core checks
// every page; screenshots in screenshots/report-*.png.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLotse, launchBrowser, newContext, screenshot, watchConsole, VIEWPORTS, assertIncludes,
  messages, submit, signIn, checkPage,
} from './harness.mjs';

const PASSWORD = 'demo';
const de = messages.de;

let lotse;
let browser;
const ids = {};

async function api(method, target, token, body) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${lotse.baseUrl}${target}`, {
    method, headers, body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* problem pages are JSON too; anything else stays null */ }
  return { status: res.status, json, text };
}

async function created(method, target, token, body) {
  const r = await api(method, target, token, body);
  assert.equal(r.status, 201, `${method} ${target}: ${r.text}`);
  return r.json.id;
}

async function token(username) {
  const r = await api('POST', '/api/v1/tokens', '', { username, password: PASSWORD });
  assert.equal(r.status, 201, r.text);
  return r.json.token;
}

function isoDay(offsetDays) {
  return new Date(Date.now() + offsetDays * 86400000).toISOString().slice(0, 10);
}

// A case as the demo would have it: needs, a Förderkette across three
// agencies, a consent naming the Jugendamt and the Agentur für Arbeit, an
// accepted handover to the Jugendamt, a case conference with a decision, an
// internal note (never on the Pendelbogen) and a read by the Jugendamt.
before(async () => {
  lotse = await startLotse();
  browser = await launchBrowser();
  const jc = await token('15003-jc');
  const ja = await token('15003-ja');
  ids.person = await created('POST', '/api/v1/persons', jc, {
    given_name: 'Emily', family_name: 'Krüger', birth_date: '2007-09-14',
    street: 'Hasselbachplatz 3', postcode: '39104', city: 'Magdeburg', phone: '0391 5550123',
    email: 'emily.krueger@example.org', school: 'Sekundarschule „Thomas Müntzer“',
    school_qualification: 'Hauptschulabschluss',
  });
  ids.case = await created('POST', '/api/v1/cases', jc, {
    person_id: ids.person, phase: 4, needs: ['applications', 'debts', 'housing'],
    goals: 'Ausbildung als Fachkraft für Lagerlogistik beginnen; Schulden mit der Beratung regeln',
  });
  const c = `/api/v1/cases/${ids.case}`;
  for (const [measure, agency, start, end] of [
    ['Berufsorientierung in der Jugendwerkstatt', '15003-ja', isoDay(7), isoDay(60)],
    ['Einstiegsqualifizierung (EQ) im Lager', '15003-aa', isoDay(61), isoDay(240)],
    ['Schuldnerberatung', '15003-ja', isoDay(14), ''],
  ]) {
    await created('POST', `${c}/support-steps`, jc, {
      measure, responsible_agency: agency, planned_start: start, ...(end ? { planned_end: end } : {}),
    });
  }
  await created('POST', `${c}/notes`, jc, { body: 'Interner Vermerk: Zeugnis liegt in Kopie vor.' });
  await created('POST', `${c}/consents`, jc, {
    recipients: ['15003-ja', '15003-aa'],
    categories: ['master_data', 'school_data', 'needs_goals', 'support_chain', 'conference_results'],
    purposes: ['Abgestimmte Begleitung in Ausbildung durch Jobcenter, Jugendamt und Agentur für Arbeit'],
    valid_until: isoDay(300), form: 'written', evidence_ref: 'JC-MD-2026-0815',
    given_by: 'young_person', informed: true,
  });
  const handover = await created('POST', `${c}/handovers`, jc, {
    to_agency: '15003-ja', reason: 'Hilfe beim Wohnen und bei den Schulden',
  });
  for (const action of ['receive', 'accept']) {
    const r = await api('POST', `/api/v1/handovers/${handover}/${action}`, ja);
    assert.equal(r.status, 200, r.text);
  }
  const conference = await created('POST', '/api/v1/conferences', jc, {
    case_id: ids.case, scheduled_at: `${isoDay(3)} 14:00`, agenda: 'Übergang in die EQ',
    participants: [{ agency: '15003-ja', staff_name: 'Frau Schmidt' }, { agency: '15003-aa' }],
  });
  await created('POST', `/api/v1/conferences/${conference}/items`, jc, {
    kind: 'decision', text: 'Emily beginnt die EQ nach der Berufsorientierung',
  });
  const read = await api('GET', c, ja);
  assert.equal(read.status, 200, read.text);
});

after(async () => {
  await browser?.close();
  await lotse?.stop();
});

function realProblems(problems) {
  return problems.filter((p) => !p.endsWith('net::ERR_ABORTED'));
}

// Pages of a PDF as Chromium writes it (one /Type /Page object per page).
function pdfPages(pdf) {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g) || []).length;
}

for (const viewport of VIEWPORTS) {
  describe(`the young person's view at ${viewport.width}x${viewport.height}`, () => {
    test('15003-jc opens the Pendelbogen and the Auskunft from the case page', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        await signIn(page, lotse.baseUrl, '15003-jc');
        const caseUrl = `/faelle/${ids.case}`;
        await page.goto(`${lotse.baseUrl}${caseUrl}`);
        await submit(page, `main a[href="${caseUrl}/pendelbogen"]`);
        assertIncludes(await page.locator('h1').innerText(), de['pendelbogen.title']);
        const bogen = await page.locator('main').innerText();
        for (const part of ['Emily Krüger', 'Jugendamt Magdeburg', 'Schuldnerberatung',
          'Einstiegsqualifizierung (EQ) im Lager', 'Emily beginnt die EQ nach der Berufsorientierung',
          de['pendelbogen.withdraw']]) {
          assertIncludes(bogen, part);
        }
        assert.ok(!bogen.includes('Interner Vermerk'), 'notes never go on the Pendelbogen');
        await checkPage(page, 'report-pendelbogen');

        if (viewport.width === VIEWPORTS[0].width) {
          // Printed, it fits on one A4 page and drops the screen-only parts.
          // The screenshot is taken at the width of an A4 page's text area
          // (210 mm less 2 × 15 mm margin = 680 CSS px).
          await page.emulateMedia({ media: 'print' });
          assert.equal(await page.locator('.lotse-no-print').first().isVisible(), false);
          assert.equal(await page.locator('.lotse-header__bar').isVisible(), false);
          await page.setViewportSize({ width: 680, height: 1016 });
          await screenshot(page, 'report-pendelbogen-print');
          const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
          assert.equal(pdfPages(pdf), 1, 'the Pendelbogen prints on one A4 page');
          await page.setViewportSize(viewport);
          await page.emulateMedia({ media: 'screen' });
        }

        await page.goto(`${lotse.baseUrl}${caseUrl}`);
        await submit(page, `main a[href="/personen/${ids.person}/auskunft"]`);
        assertIncludes(await page.locator('h1').innerText(), de['report.title']);
        const report = await page.locator('main').innerText();
        for (const part of ['Hasselbachplatz 3', 'Interner Vermerk: Zeugnis liegt in Kopie vor.',
          'JC-MD-2026-0815', 'Agentur für Arbeit Magdeburg', de['report.action.case.read'],
          '15003-ja', de['report.retention_heading'], 'Frau Schmidt']) {
          assertIncludes(report, part);
        }
        await checkPage(page, 'report-auskunft');
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await context.close();
      }
    });

    test('15003-aa, named in the consent, gets the 404 page for the Auskunft', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      try {
        await signIn(page, lotse.baseUrl, '15003-aa');
        const response = await page.goto(`${lotse.baseUrl}/personen/${ids.person}/auskunft`);
        assert.equal(response.status(), 404);
        assert.equal((await page.locator('h1').innerText()).trim(), de['error.404.heading']);
        assert.ok(!(await page.content()).includes('Krüger'));
        const bogen = await page.goto(`${lotse.baseUrl}/faelle/${ids.case}/pendelbogen`);
        assert.equal(bogen.status(), 404);
        await checkPage(page, 'report-aa-404');
      } finally {
        await context.close();
      }
    });
  });
}
