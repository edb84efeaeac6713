// The youth portal in a real browser, at desktop and phone widths: a young
// person from postcode 39104 finds the Jugendberufsagentur Magdeburg, offers
// about "Bewerbung" and a contact point in Magdeburg, sends a contact request
// (first with mistakes: the form keeps what was typed) and sees the
// reference; the Agentur für Arbeit Magdeburg (15003-aa), to which the topic
// is routed, finds it in its queue (/anfragen) and takes it over, then
// forwards it to the Jobcenter (first without agency and reason: 422), which
// alone has it afterwards, with the way it took. The same flow without
// JavaScript. axe-core checks every portal and intake page.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLotse, launchBrowser, newContext, checkA11y, watchConsole, messages, VIEWPORTS,
  assertIncludes, submit, signIn, checkPage,
} from './harness.mjs';

const de = messages.de;
const REFERENCE = /^JBA-[A-Z2-9]{4}-[A-Z2-9]$/;

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

// A sub-resource aborted because the test moved on to the next page is not a
// problem of the page.
function realProblems(problems) {
  return problems.filter((p) => !p.endsWith('net::ERR_ABORTED'));
}

// The young person's way from / to the sent request; returns the reference.
async function youngPersonFlow(page, { a11y = true, suffix = '' } = {}) {
  const check = (name) => checkPage(page, `${name}${suffix}`, { a11y });

  // 1. / : find your agency by postcode.
  let response = await page.goto(`${lotse.baseUrl}/`);
  assert.equal(response.status(), 200);
  await check('portal-home');
  await page.fill('#ort', '39104');
  response = await submit(page, 'main form[action="/"] button[type="submit"]');
  assert.equal(response.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/magdeburg');
  assertIncludes(await page.locator('main').innerText(), 'Magdeburg');
  assertIncludes(await page.locator('#was-brauchst-du').innerText(), de['portal.needs_heading']);
  await check('portal-start');

  // 2. "Was brauchst du?" → Bewerbung: offers and the nearest contact points.
  const tile = page.locator('main a.portal-tile[href^="/magdeburg/thema/applications"]');
  assert.equal(await tile.count(), 1);
  assertIncludes(await tile.innerText(), de['portal.need.applications']);
  await submit(page, 'main a.portal-tile[href^="/magdeburg/thema/applications"]');
  assert.equal(new URL(page.url()).pathname, '/magdeburg/thema/applications');
  assert.equal(new URL(page.url()).searchParams.get('ort'), '39104');
  assertIncludes(await page.locator('h1').innerText(), 'Bewerbung');
  const offers = await page.locator('main .portal-offer__name').allInnerTexts();
  assert.ok(offers.length >= 3, offers.join(', '));
  assert.ok(offers.includes('Bewerbungstraining'), offers.join(', '));
  assertIncludes(await page.locator('#anlaufstellen').innerText(), '39104 Magdeburg');
  const points = page.locator('main section[aria-labelledby="anlaufstellen"] .portal-point');
  assert.ok(await points.count() >= 1);
  const firstPoint = await points.first().innerText();
  assert.match(firstPoint, /\b39\d{3} Magdeburg\b/, firstPoint);
  assert.match(firstPoint, /\d+,\d km/, firstPoint);
  await check('portal-topic');

  // 3. One offer, and from there to the contact form with the topic chosen.
  await submit(page, 'main a.portal-offer__name:text-is("Bewerbungstraining")');
  assert.match(new URL(page.url()).pathname, /^\/magdeburg\/angebote\/[^/]+$/);
  assertIncludes(await page.locator('h1').innerText(), 'Bewerbungstraining');
  await check('portal-offer');
  await submit(page, 'main a[href^="/magdeburg/kontakt"]');
  assert.equal(new URL(page.url()).pathname, '/magdeburg/kontakt');
  assert.equal(await page.inputValue('#need'), 'applications');
  await check('portal-contact');

  // 4. Mistakes first: no name, a broken e-mail address, no consent. 422,
  // every error at its field and in the summary, everything typed kept.
  await page.fill('#contact', 'mia@beispiel');
  await page.fill('#message', 'Ich suche einen Ausbildungsplatz als Mechatronikerin.');
  response = await submit(page, 'form[action="/magdeburg/kontakt"] button[type="submit"]');
  assert.equal(response.status(), 422);
  const summary = page.locator('.lotse-error-summary');
  for (const anchor of ['#name', '#contact', '#consent']) {
    assert.equal(await summary.locator(`a[href="${anchor}"]`).count(), 1, anchor);
  }
  assertIncludes(await page.locator('#name-error').innerText(), 'wie wir dich nennen');
  assertIncludes(await page.locator('#contact-error').innerText(), 'E-Mail-Adresse');
  assertIncludes(await page.locator('#consent-error').innerText(), 'kontaktieren');
  assert.equal(await page.getAttribute('#contact', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#contact'), 'mia@beispiel');
  assert.equal(await page.inputValue('#message'), 'Ich suche einen Ausbildungsplatz als Mechatronikerin.');
  assert.equal(await page.inputValue('#need'), 'applications');
  await check('portal-contact-errors');

  // 5. Corrected and sent: the reference number.
  await page.fill('#name', 'Mia');
  await page.fill('#contact', 'mia@beispiel.de');
  await page.check('#consent');
  response = await submit(page, 'form[action="/magdeburg/kontakt"] button[type="submit"]');
  assert.equal(response.status(), 200);
  assertIncludes(await page.locator('h1').innerText(), de['portal.sent.title']);
  const reference = (await page.locator('#vorgangsnummer').innerText()).trim();
  assert.match(reference, REFERENCE);
  assertIncludes(await page.locator('main').innerText(), 'Agentur für Arbeit');
  await check('portal-sent');

  // 6. The privacy notice.
  await submit(page, 'main a[href="/magdeburg/datenschutz"]');
  assert.equal(new URL(page.url()).pathname, '/magdeburg/datenschutz');
  await check('portal-privacy');
  return reference;
}

// The case worker of the routed agency finds the request and takes it over.
async function caseWorkerFlow(page, reference, { a11y = true, suffix = '' } = {}) {
  await signIn(page, lotse.baseUrl, '15003-aa');
  await page.goto(`${lotse.baseUrl}/faelle`);
  await submit(page, 'main a[href="/anfragen"]');
  assert.equal(new URL(page.url()).pathname, '/anfragen');
  assertIncludes(await page.locator('h1').innerText(), de['intake.queue.title']);
  const link = page.locator(`main a.kern-link:has-text("${reference}")`);
  assert.equal(await link.count(), 1, `${reference} in the queue`);
  assertIncludes(await link.innerText(), 'Bewerbung');
  await checkPage(page, `portal-queue${suffix}`, { a11y });
  await Promise.all([page.waitForNavigation(), link.click()]);
  assertIncludes(await page.locator('h1').innerText(), reference);
  const facts = await page.locator('main .portal-facts').innerText();
  assertIncludes(facts, 'Mia');
  assertIncludes(facts, 'mia@beispiel.de');
  assertIncludes(await page.locator('main').innerText(), 'Mechatronikerin');
  await checkPage(page, `portal-request${suffix}`, { a11y });
  await submit(page, 'main form[action$="/uebernehmen"] button[type="submit"]');
  assertIncludes(await page.locator('.portal-facts').innerText(), '15003-aa');
}

// The Agentur für Arbeit passes the request to the Jobcenter of its alliance;
// afterwards only the Jobcenter has it, and sees where it came from and why.
async function forwardFlow(options, reference, { a11y = true, suffix = '' } = {}) {
  const REASON = 'Fragt eigentlich nach Bürgergeld.';
  const aa = await newContext(browser, options);
  try {
    const page = await aa.newPage();
    await signIn(page, lotse.baseUrl, '15003-aa');
    await page.goto(`${lotse.baseUrl}/anfragen`);
    await Promise.all([page.waitForNavigation(),
      page.locator(`main a.kern-link:has-text("${reference}")`).click()]);
    const choices = await page.locator('#to_agency option').allInnerTexts();
    assert.ok(choices.includes('Jobcenter Magdeburg'), choices.join(', '));
    assert.ok(!choices.some((c) => c.includes('Agentur für Arbeit')), choices.join(', '));
    // Nothing chosen, no reason: the page again, both fields named.
    let response = await submit(page, 'main form[action$="/weiterleiten"] button[type="submit"]');
    assert.equal(response.status(), 422);
    const summary = page.locator('.lotse-error-summary');
    for (const anchor of ['#to_agency', '#reason']) {
      assert.equal(await summary.locator(`a[href="${anchor}"]`).count(), 1, anchor);
    }
    assert.equal(await page.getAttribute('#reason', 'aria-invalid'), 'true');
    assertIncludes(await page.locator('#reason-error').innerText(), 'Grund');
    await checkPage(page, `portal-forward-errors${suffix}`, { a11y });
    await page.selectOption('#to_agency', '15003-jc');
    await page.fill('#reason', REASON);
    response = await submit(page, 'main form[action$="/weiterleiten"] button[type="submit"]');
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/anfragen');
    assertIncludes(await page.locator('main [role="status"]').innerText(), de['intake.notice.forwarded']);
    assert.ok(!(await page.locator('main').innerText()).includes(reference));
    await checkPage(page, `portal-forwarded${suffix}`, { a11y });
  } finally {
    await aa.close();
  }
  const jc = await newContext(browser, options);
  try {
    const page = await jc.newPage();
    await signIn(page, lotse.baseUrl, '15003-jc');
    await page.goto(`${lotse.baseUrl}/anfragen`);
    const link = page.locator(`main a.kern-link:has-text("${reference}")`);
    assert.equal(await link.count(), 1, `${reference} in the Jobcenter's queue`);
    await Promise.all([page.waitForNavigation(), link.click()]);
    const history = await page.locator('#intake-forwards').innerText();
    assertIncludes(history, 'Agentur für Arbeit Magdeburg → Jobcenter Magdeburg');
    assertIncludes(history, '15003-aa');
    assertIncludes(history, REASON);
    await checkPage(page, `portal-request-forwarded${suffix}`, { a11y });
  } finally {
    await jc.close();
  }
}

for (const viewport of VIEWPORTS) {
  describe(`youth portal at ${viewport.width}x${viewport.height}`, () => {
    let reference;

    test('a young person from 39104 finds offers about Bewerbung and sends a request', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        reference = await youngPersonFlow(page);
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await context.close();
      }
    });

    test('the responsible case worker (15003-aa) sees it in the queue', async () => {
      assert.ok(reference, 'the young person sent a request');
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      const problems = watchConsole(page);
      try {
        await caseWorkerFlow(page, reference);
        assert.deepEqual(realProblems(problems), []);
      } finally {
        await context.close();
      }
    });

    test('another agency of the alliance (15003-jc) does not see it', async () => {
      assert.ok(reference, 'the young person sent a request');
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      try {
        await signIn(page, lotse.baseUrl, '15003-jc');
        await page.goto(`${lotse.baseUrl}/anfragen`);
        assert.equal(new URL(page.url()).pathname, '/anfragen');
        assert.ok(!(await page.locator('main').innerText()).includes(reference));
        await checkA11y(page, 'queue of another agency');
      } finally {
        await context.close();
      }
    });

    test('the Agentur forwards it to the Jobcenter, which alone has it then', async () => {
      assert.ok(reference, 'the young person sent a request');
      await forwardFlow({ viewport }, reference);
    });

    test('an unknown place is explained at the field, nothing typed lost', async () => {
      const context = await newContext(browser, { viewport });
      const page = await context.newPage();
      try {
        await page.goto(`${lotse.baseUrl}/`);
        await page.fill('#ort', 'Atlantis');
        const response = await submit(page, 'main form[action="/"] button[type="submit"]');
        assert.equal(response.status(), 422);
        assertIncludes(await page.locator('.lotse-error-summary').innerText(), de['portal.error.place_unknown']);
        assert.equal(await page.inputValue('#ort'), 'Atlantis');
        assert.equal(await page.getAttribute('#ort', 'aria-invalid'), 'true');
        await checkPage(page, 'portal-home-error');
      } finally {
        await context.close();
      }
    });
  });
}

describe('youth portal without JavaScript', () => {
  test('the whole flow works with JavaScript disabled', async () => {
    const options = { viewport: VIEWPORTS[1], javaScriptEnabled: false };
    const young = await newContext(browser, options);
    let reference;
    try {
      reference = await youngPersonFlow(await young.newPage(), { a11y: false, suffix: '-nojs' });
    } finally {
      await young.close();
    }
    const staff = await newContext(browser, options);
    try {
      await caseWorkerFlow(await staff.newPage(), reference, { a11y: false, suffix: '-nojs' });
    } finally {
      await staff.close();
    }
    await forwardFlow(options, reference, { a11y: false, suffix: '-nojs' });
  });
});
