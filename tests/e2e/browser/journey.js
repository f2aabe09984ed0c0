// The organiser's journey through the back office in headless Chromium
// (driven over the DevTools protocol by playwright-core), with axe-core run
// on every admin page it sees. Run by tests/e2e/test_admin_browser.py:
//
//   node journey.js BASE_URL ADMIN_TOKEN OUT_DIR
//
// Prints one JSON object on stdout: the steps done, the pages checked by
// axe with their violations, the registrant list downloaded. Exits 1 on the
// first failed expectation (the message on stderr).
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [base, token, outDir] = process.argv.slice(2);
const SLUG = 'atelier-navigateur';
const result = { steps: [], axe: {}, download: null, narrow: {} };
const PHONE = { width: 390, height: 844 };

function expect(cond, what) {
  if (!cond) throw new Error('expected: ' + what);
}

async function axe(page, name) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(() =>
    axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }));
  result.axe[name] = r.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
  }));
}

// At a phone's width the page must not scroll sideways: only a table may,
// inside its own scroll region. Records the page's scroll width and what
// sticks out (for the message), then runs axe at that width too.
async function narrow(page, name) {
  result.narrow[name] = await page.evaluate(() => {
    const width = window.innerWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && !el.closest('.table-wrap')) {
        out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
          (el.className && typeof el.className === 'string' ? '.' + el.className : '') +
          ' right=' + Math.round(r.right));
      }
    }
    return { width, scrollWidth: document.documentElement.scrollWidth, over: out.slice(0, 8) };
  });
  await axe(page, 'phone-' + name);
}

function step(name) {
  result.steps.push(name);
}

// Closing a page once hung Chromium for minutes (a CI run stopped on it
// after the page had loaded): a page we are done with gets a few seconds,
// then the journey goes on; the browser closes everything at the end.
async function closeSoon(p) {
  await Promise.race([p.close(), new Promise((resolve) => setTimeout(resolve, 5000))]);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // bypassCSP: the pages allow no script; axe is ours, injected for the test
  const context = await browser.newContext({ bypassCSP: true, acceptDownloads: true,
    locale: 'fr-FR' });
  const page = await context.newPage();
  try {
    // log in
    await page.goto(base + '/admin');
    expect(page.url().endsWith('/admin/login'), 'the login page, got ' + page.url());
    await axe(page, 'login');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement.className === 'skip'),
      'the skip link first in the tab order');
    await page.fill('#token', 'not-the-token-at-all');
    await page.click('button[type=submit]');
    expect((await page.textContent('#form-error')).includes('jeton'), 'a wrong token refused');
    await axe(page, 'login-error');
    await page.fill('#token', token);
    await page.click('button[type=submit]');
    expect(page.url().endsWith('/admin'), 'the dashboard after login');
    await axe(page, 'dashboard');
    step('login');

    // create an event
    await page.click('text=Créer un événement');
    await axe(page, 'new-event');
    await page.fill('#f-slug', SLUG);
    await page.fill('#f-title', 'Atelier essai navigateur');
    await page.fill('#f-start', '2027-03-11T09:00');
    await page.fill('#f-end', '2027-03-11T17:00');
    await page.fill('#f-capacity', '40');
    await page.fill('#f-venue_name', 'Maison des Canaux');
    await page.fill('#f-venue_address', '6 quai de la Seine, 75019 Paris');
    // hybrid, with a long link: it must not widen the pages on a phone
    await page.selectOption('#f-format', 'hybrid');
    await page.fill('#f-online_url', 'https://visio.example.org/salles/atelier-navigateur-' +
      'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0?pwd=' + 'x'.repeat(40));
    await page.click('form[action="/admin/events"] button[type=submit]');
    expect(page.url().includes('/admin/e/' + SLUG), 'the event page, got ' + page.url());
    expect((await page.textContent('main')).includes('brouillon'), 'a draft');
    step('create');

    // two speakers, then three parallel workshops with a speaker conflict
    for (const [id, name] of [['amorvan', 'Anne Morvan'], ['jkerbrat', 'Julien Kerbrat']]) {
      await page.fill('#spk-id', id);
      await page.fill('#spk-name', name);
      await page.click('form[action$="/speakers"] button[type=submit]');
    }
    for (const [id, room, speaker] of [['atelier-a', 'Salle A', 'amorvan'],
      ['atelier-b', 'Salle B', 'amorvan'], ['atelier-c', 'Salle C', 'jkerbrat']]) {
      const form = 'form[action$="/sessions"] ';
      await page.fill('#ses-id', id);
      await page.fill('#ses-title', 'Atelier ' + room);
      await page.selectOption('#ses-kind', 'workshop');
      await page.fill('#ses-start', '2027-03-11T10:00');
      await page.fill('#ses-end', '2027-03-11T11:30');
      await page.fill('#ses-room', room);
      await page.check(form + 'input[name=speakers][value="' + speaker + '"]');
      await page.click(form + 'button[type=submit]');
    }
    const cards = await page.$$('section.slot article.card');
    expect(cards.length === 3, 'three sessions side by side, got ' + cards.length);
    const conflicted = await page.$$('article.card.conflict');
    expect(conflicted.length === 2, 'the conflict beside two sessions');
    expect((await page.textContent('#s-atelier-a')).includes('Conflit'), 'the conflict shown');
    await axe(page, 'event-with-conflict');
    step('conflict seen');

    // publishing refuses; the error takes the focus
    await page.click('form[action$="/publish"] button[type=submit]');
    expect((await page.textContent('#form-error')).includes('conflits'), 'publish refused');
    expect(await page.evaluate(() => document.activeElement.id === 'form-error'),
      'the error summary focused');
    await axe(page, 'publish-refused');

    // fix it: Anne Morvan leaves workshop B
    await page.goto(base + '/admin/e/' + SLUG + '/sessions/atelier-b');
    await axe(page, 'session-edit');
    await page.uncheck('input[name=speakers][value="amorvan"]');
    await page.click('main form button[type=submit]');
    expect((await page.$$('article.card.conflict')).length === 0, 'no conflict left');
    step('conflict fixed');
    await page.click('form[action$="/publish"] button[type=submit]');
    expect((await page.textContent('main')).includes('publié'), 'published');
    await page.goto(base + '/admin/e/' + SLUG + '/speakers/amorvan');
    await axe(page, 'speaker-edit');
    step('published');

    // someone registers through the public page
    const pub = await context.newPage();
    await pub.goto(base + '/e/' + SLUG);
    await pub.fill('#name', 'Camille Navigateur');
    await pub.fill('#email', 'camille.navigateur@example.org');
    await pub.fill('#organization', 'Ville de Lyon');
    await pub.fill('#origin', 'Lyon');
    await pub.check('input[type=radio][value="atelier-b"]');
    await pub.click('form[action$="/register"] button[type=submit]');
    expect(/\/me\/[0-9a-f]+$/.test(pub.url()), 'the personal page, got ' + pub.url());
    result.me = pub.url();
    await closeSoon(pub);
    step('registered');

    // the organiser sees them, edits, downloads the list
    await page.goto(base + '/admin/e/' + SLUG + '/registrations');
    expect((await page.textContent('table')).includes('Camille Navigateur'), 'in the table');
    await axe(page, 'registrations');
    await page.fill('#q', 'navigateur');
    await page.click('form[role=search] button[type=submit]');
    expect((await page.$$('tbody tr')).length === 1, 'found by search');
    await page.click('text=Camille Navigateur');
    await axe(page, 'registration-edit');
    await page.goto(base + '/admin/e/' + SLUG + '/registrations');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('a[href$="/registrants.csv"]'),
    ]);
    const file = path.join(outDir, download.suggestedFilename());
    await download.saveAs(file);
    result.download = file;
    step('downloaded');

    await page.goto(base + '/admin/e/' + SLUG + '/carpool');
    await axe(page, 'carpool');
    // a planned carpool (the sample the test imported): the change forms,
    // a move refused for its detour (the error summary), the record
    await page.goto(base + '/admin/e/atelier-cem-2/carpool');
    await axe(page, 'carpool-planned');
    await page.selectOption('#mv-email', { index: 1 });
    await page.selectOption('#mv-to', { index: 2 });
    await page.click('#move button[type=submit]');
    await axe(page, 'carpool-move-result');
    // the attendee's confirmation step (a public page)
    if (process.argv[5]) {
      await page.goto(base + '/me/' + process.argv[5] + '/carpool/leave?trip=outbound');
      await axe(page, 'me-carpool-leave');
    }
    // registrations import (checked, not written) and the purge's confirmation step
    await page.goto(base + '/admin/e/' + SLUG + '/import');
    await axe(page, 'import');
    await page.fill('#f-csv', 'nom;courriel\nDominique Import;dominique@example.org\n');
    await page.click('button[value=check]');
    expect((await page.textContent('#preview')).includes('dominique@example.org'), 'previewed');
    await axe(page, 'import-checked');
    await page.goto(base + '/admin/e/' + SLUG + '/purge');
    await axe(page, 'purge');
    await page.goto(base + '/admin/e/nope');
    await axe(page, 'not-found');

    // every page again on a phone, 390 px wide
    const phone = await context.newPage();
    await phone.setViewportSize(PHONE);
    const editLink = await (async () => {
      await phone.goto(base + '/admin/e/' + SLUG + '/registrations');
      return phone.getAttribute('a:text("Camille Navigateur")', 'href');
    })();
    for (const [name, url] of [
      ['dashboard', '/admin'], ['new-event', '/admin/events/new'],
      ['event', '/admin/e/' + SLUG], ['session-edit', '/admin/e/' + SLUG + '/sessions/atelier-b'],
      ['speaker-edit', '/admin/e/' + SLUG + '/speakers/amorvan'],
      ['registrations', '/admin/e/' + SLUG + '/registrations'],
      ['registration-edit', editLink], ['carpool', '/admin/e/' + SLUG + '/carpool'],
      ['not-found', '/admin/e/nope'], ['public-event', '/e/' + SLUG], ['me', result.me],
    ]) {
      await phone.goto(url.startsWith('http') ? url : base + url);
      await narrow(phone, name);
    }
    // forms refused by the server come back in French, with the error beside
    // its field: on a phone too, and clean for axe
    await phone.goto(base + '/e/' + SLUG);
    await phone.fill('#name', 'Dominique Téléphone');
    await phone.fill('#email', 'dominique.telephone@example.org');
    await phone.fill('#phone', 'appelez-moi');
    await phone.click('form[action$="/register"] button[type=submit]');
    expect((await phone.textContent('#phone-error')).includes("n'est pas un numéro"),
      'the public form again, the phone refused in French');
    expect(await phone.inputValue('#name') === 'Dominique Téléphone', 'what was typed kept');
    await narrow(phone, 'public-form-error');
    await phone.goto(result.me);
    await phone.fill('#phone', 'appelez-moi');
    await phone.click('form[action$="/update"] button[type=submit]');
    expect((await phone.textContent('#phone-error')).includes("n'est pas un numéro"),
      'the /me page again, the phone refused in French');
    expect((await phone.textContent('#form-error')).includes('Vos modifications'),
      'the summary above');
    await narrow(phone, 'me-error');
    // the allocation's result (its tables)
    await phone.goto(base + '/admin/e/' + SLUG);
    await phone.click('form[action$="/allocate"] button[type=submit]');
    expect(phone.url().endsWith('/allocate'), 'the allocation page, got ' + phone.url());
    await narrow(phone, 'allocate');
    // the wide table scrolls in its own region, which the keyboard reaches
    await phone.goto(base + '/admin/e/' + SLUG + '/registrations');
    const wrap = await phone.$('.table-wrap[role=region][tabindex="0"]');
    expect(wrap, 'the registrations table in a focusable scroll region');
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await phone.keyboard.press('Tab');
      reached = await phone.evaluate(() => document.activeElement.classList.contains('table-wrap'));
    }
    expect(reached, 'the table region reached with Tab');
    await phone.keyboard.press('ArrowRight');
    await closeSoon(phone);
    const anon = await browser.newContext({ bypassCSP: true, locale: 'fr-FR', viewport: PHONE });
    const login = await anon.newPage();
    await login.goto(base + '/admin/login');
    await narrow(login, 'login');
    await anon.close();
    step('done');
  } finally {
    await browser.close();
  }
}

// A journey takes about 15 s: stuck for 150 s, say after which step, rather
// than be killed silently by the test's time limit.
setTimeout(() => {
  process.stdout.write(JSON.stringify(result) + '\n');
  process.stderr.write('journey stuck after step "' + result.steps[result.steps.length - 1] +
    '"\n');
  process.exit(1);
}, 150000).unref();

main().then(() => {
  process.stdout.write(JSON.stringify(result) + '\n');
}, (e) => {
  process.stdout.write(JSON.stringify(result) + '\n');
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
