// The start page of every role: right heading, names the agency or alliance,
// accessible at both widths.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startLotse, launchBrowser, newContext, checkA11y, screenshot, watchConsole,
  assertNoPageOverflow, assertIncludes, messages, VIEWPORTS,
} from './harness.mjs';

const { de } = messages;

const ROLES = [
  { username: '15003-jc', role: 'case_worker', mentions: ['Jobcenter Magdeburg', 'SGB II'] },
  { username: '15003-koord', role: 'coordinator', mentions: ['Magdeburg', 'Jugendamt Magdeburg'] },
  { username: 'land', role: 'state_office', mentions: ['Landesnetzwerkstelle', 'Halle (Saale)'] },
  { username: 'admin', role: 'admin', mentions: ['15003-jc', de['start.admin.audit.heading']] },
];

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
  describe(`start pages at ${viewport.width}x${viewport.height}`, () => {
    for (const { username, role, mentions } of ROLES) {
      test(`${username} (${role})`, async () => {
        const context = await newContext(browser, { viewport });
        try {
          const page = await context.newPage();
          const problems = watchConsole(page);
          await page.goto(`${lotse.baseUrl}/anmelden`);
          await page.fill('#username', username);
          await page.fill('#password', 'demo');
          await Promise.all([
            page.waitForNavigation(),
            page.click('form[action="/anmelden"] button[type="submit"]'),
          ]);
          assert.equal(new URL(page.url()).pathname, '/start');
          assert.equal((await page.locator('h1').innerText()).trim(), de[`page.start.title.${role}`]);
          assert.equal(await page.title(), `${de[`page.start.title.${role}`]} – ${de['app.name']}`);
          const main = await page.locator('main').innerText();
          for (const text of mentions) assertIncludes(main, text);
          assertIncludes(await page.locator('header').innerText(), de[`role.${role}`]);
          await checkA11y(page, `start page (${role})`);
          await assertNoPageOverflow(page);
          await screenshot(page, `start-${role.replace('_', '-')}`);
          assert.deepEqual(problems, []);
        } finally {
          await context.close();
        }
      });
    }
  });
}
