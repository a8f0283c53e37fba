// The customer's ticket status page (/s/<token>), in Debian's chromium against
// the real server binary. The owner sets kefu up and opens a ticket for a
// customer over HTTP; the customer opens the ticket's status link in a browser
// of their own (no login): the request, its status in words, a reply with an
// image, the shop's public answer, the language switch, a link that is not
// valid, and text that looks like HTML staying text. The desktop runs in
// English, the phone in Chinese. What matters is checked on the server through
// the agent API as well.
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test status.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import zlib from 'node:zlib';
import { eventually, expectText, screenshotsDir, sharedBrowser, startServer, stopServer, VIEWPORTS } from './harness.mjs';

const SHOTS = screenshotsDir('kefu-status-screens');
const XSS = '<img src=x onerror="window.__kefuXss=1">';
const MAX_BODY = 10_000; // characters in a reply (the server's limit)

// What each side writes and what the page says, per language.
const SCRIPT = {
  'en-US': {
    lang: 'en',
    owner: { shop_name: 'Little Deer Tea', name: 'Lin Mei', email: 'lin@example.com', password: 'oolong-and-osmanthus-31' },
    customer: { name: 'Jamie Fox', email: 'jamie@example.com' },
    subject: `Tin of jasmine tea arrived dented ${XSS}`,
    request: 'The tin was dented when it arrived.',
    reply: `Here is a photo of the tin, order LD-20240611-000000000000000000000000042 ${XSS}`,
    answer: 'Sorry about that! A new tin goes out today.',
    question: 'Could you tell us the delivery address for the new tin?',
    note: 'Courier claim filed, reference 7731',
    late: 'Thanks, same address as before.',
    number: (n) => `Request #${n}`,
    status: { new: 'Received', open: 'In progress', pending: 'Waiting for your reply', closed: 'Closed' },
    explainNew: 'We have received your request',
    explainPending: 'We need a reply from you',
    changedToOpen: 'Status changed to In progress',
    you: 'You',
    invalid: 'This link is not valid',
  },
  'zh-CN': {
    lang: 'zh-CN',
    owner: { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-mooncakes-8' },
    customer: { name: '李雷', email: 'lilei@example.com' },
    subject: `收到的茶叶罐子压扁了 ${XSS}`,
    request: '茶叶罐子到的时候就压扁了。',
    reply: `这是罐子的照片，订单号 KF20240611000000000000000000000000042 ${XSS}`,
    answer: '非常抱歉！今天给您补发一罐新的。',
    question: '请问新的一罐寄到哪个地址？',
    note: '已向快递公司索赔，编号 7731',
    late: '谢谢，还是原来的地址。',
    number: (n) => `请求 #${n}`,
    status: { new: '已收到', open: '处理中', pending: '等待您回复', closed: '已关闭' },
    explainNew: '我们已收到您的请求',
    explainPending: '我们需要您的回复',
    changedToOpen: '状态更新为“处理中”',
    you: '您',
    invalid: '此链接无效',
  },
};

// ---- a PNG made here: a diagonal gradient ----

const CRC = new Uint32Array(256).map((_, i) => {
  let v = i;
  for (let bit = 0; bit < 8; bit += 1) v = (v >>> 1) ^ (v & 1 ? 0xedb88320 : 0);
  return v >>> 0;
});

function pngChunk(kind, payload) {
  const typed = Buffer.concat([Buffer.from(kind, 'latin1'), payload]);
  let crc = ~0;
  for (const byte of typed) crc = CRC[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(~crc >>> 0);
  return Buffer.concat([head, typed, tail]);
}

/** A width×height 8-bit RGB PNG fading from `from` to `to` along the diagonal. */
function gradientPng(width, height, from, to) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample
  header[9] = 2; // truecolour
  const raw = Buffer.alloc(height * (1 + width * 3));
  let at = 0;
  for (let y = 0; y < height; y += 1) {
    raw[at++] = 0; // no filter
    for (let x = 0; x < width; x += 1) {
      const k = (x + y) / Math.max(1, width + height - 2);
      for (let c = 0; c < 3; c += 1) raw[at++] = Math.round(from[c] + (to[c] - from[c]) * k);
    }
  }
  const signature = Buffer.from('89504e470d0a1a0a', 'hex');
  return Buffer.concat([signature, pngChunk('IHDR', header), pngChunk('IDAT', zlib.deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0))]);
}

/** Waits until an <img> has really loaded, `width` pixels wide. */
async function pictureLoaded(img, width) {
  await img.waitFor();
  await eventually(async () => {
    await img.scrollIntoViewIfNeeded({ timeout: 2_000 });
    return img.evaluate((el, w) => el.complete && el.naturalWidth === w && el.naturalHeight > 0, width);
  }, `${img} to load ${width} px wide`, 15_000);
}

async function fitsPhone(page, where) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `horizontal scroll (${where}): scrollWidth ${width} > 375`);
}

/** The ticket's events as the agent API shows them (wherever the answer puts them). */
const eventsOf = (body) => body.events || (body.ticket && body.ticket.events) || [];

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`ticket status page on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const S = SCRIPT[vp.locale];
    const press = (locator) => (phone ? locator.tap() : locator.click());
    let srv;
    let agentContext; // the owner, over HTTP with the console's cookie
    let customerContext; // the customer: no login, only the link
    let page; // the customer's status page
    let ticket;
    const errors = [];
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `status-${vp.name}-${name}.png`), fullPage: true });

    async function agentApi(method, apiPath, data) {
      const me = await (await agentContext.request.get('/api/me')).json();
      const res = await agentContext.request.fetch(apiPath, {
        method, data, headers: { 'X-CSRF-Token': me.csrf_token },
      });
      const text = await res.text();
      return { status: res.status(), body: text ? JSON.parse(text) : null };
    }

    async function agentUpload(bytes) {
      const me = await (await agentContext.request.get('/api/me')).json();
      const res = await agentContext.request.post('/api/attachments', {
        data: bytes, headers: { 'Content-Type': 'image/png', 'X-CSRF-Token': me.csrf_token },
      });
      assert.equal(res.status(), 201, await res.text());
      const body = await res.json();
      return body.attachment || body;
    }

    before(async () => {
      srv = await startServer();
      agentContext = await browser().newContext({ baseURL: srv.base, locale: vp.locale });
      customerContext = await browser().newContext({ ...vp.options, locale: vp.locale });
      page = await customerContext.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
      page.on('pageerror', (err) => errors.push(String(err)));
    });
    after(async () => {
      if (customerContext) await customerContext.close();
      if (agentContext) await agentContext.close();
      await stopServer(srv);
    });

    test('setup: the owner opens a ticket for a customer', async () => {
      const setup = await agentContext.request.post('/api/setup', { data: S.owner });
      assert.equal(setup.status(), 201, await setup.text());
      const created = await agentApi('POST', '/api/tickets', {
        subject: S.subject, request: S.request, contact: S.customer, notify_customer: false,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      ticket = created.body.ticket;
      assert.ok(ticket && ticket.id && ticket.number, JSON.stringify(created.body));
      const link = new URL(ticket.status_url);
      assert.equal(link.origin, srv.base, `the status link is on kefu: ${ticket.status_url}`);
      assert.match(link.pathname, /^\/s\/[^/]+$/);
    });

    test('the customer opens the link: number, subject, status in words, the request as text', async () => {
      const res = await page.goto(ticket.status_url);
      assert.equal(res.status(), 200);
      const csp = res.headers()['content-security-policy'] || '';
      assert.match(csp, /script-src 'self'/, `a strict CSP: ${csp}`);
      await page.getByTestId('status-card').waitFor();
      // The ticket's language first (the customer's, as kefu knows it)…
      const ticketLang = ticket.locale || 'zh-CN';
      assert.equal(await page.evaluate(() => document.documentElement.lang), ticketLang);
      // …and the switch for the other one, remembered on this browser.
      if (ticketLang !== S.lang) {
        await press(page.getByTestId('lang-switch'));
        await eventually(async () => (await page.evaluate(() => document.documentElement.lang)) === S.lang,
          `the page in ${S.lang}`);
      }
      await expectText(page.getByTestId('status-number'), S.number(ticket.number));
      await expectText(page.getByTestId('status-shop'), S.owner.shop_name);
      await expectText(page.getByTestId('status-subject'), S.subject);
      assert.equal(await page.getByTestId('status-card').getAttribute('data-status'), 'new');
      await expectText(page.getByTestId('status-name'), S.status.new);
      await expectText(page.getByTestId('status-text'), S.explainNew);
      assert.ok((await page.title()).includes(S.number(ticket.number)));

      // The subject's HTML-looking part is shown literally and never run.
      assert.equal(await page.getByTestId('status-subject').locator('img').count(), 0, 'no <img> made from the text');
      assert.equal(await page.evaluate(() => window.__kefuXss), undefined);
      // The history starts with the request.
      await page.locator('[data-testid="event"][data-kind="created"]').waitFor();

      // Every file of the page came from its hashed URL (the server's import map).
      const script = await page.locator('script[type="module"]').getAttribute('src');
      assert.match(script, /^\/assets\/help\/status\.[0-9a-f]{12}\.js$/);

      if (phone) await fitsPhone(page, 'a new ticket');
      await shot('new');

      await page.reload();
      await page.getByTestId('status-card').waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), S.lang, 'the language choice stays');
    });

    test('the customer replies with an image; the draft survives a reload', async () => {
      const input = page.getByTestId('reply-input');
      // Near the limit a counter shows; past it, Send is off.
      await input.fill('好'.repeat(MAX_BODY - 100));
      await expectText(page.getByTestId('reply-counter'), `${MAX_BODY - 100}/${MAX_BODY}`);
      assert.equal(await page.getByTestId('reply-send').isDisabled(), false);
      await input.fill('好'.repeat(MAX_BODY + 1));
      assert.equal(await page.getByTestId('reply-send').isDisabled(), true);
      // Not an image: said at once, nothing uploaded.
      await page.getByTestId('reply-image-input').setInputFiles({
        name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello'),
      });
      await page.getByTestId('reply-error').waitFor();
      assert.equal(await page.getByTestId('reply-preview').isVisible(), false);

      await input.fill(S.reply);
      assert.equal(await page.getByTestId('reply-counter').isVisible(), false);
      await page.reload();
      await input.waitFor();
      assert.equal(await input.inputValue(), S.reply, 'the typed reply is kept across a reload');

      const bytes = gradientPng(48, 32, [14, 124, 114], [250, 220, 200]);
      await page.getByTestId('reply-image-input').setInputFiles({ name: 'tin.png', mimeType: 'image/png', buffer: bytes });
      await page.locator('[data-testid="reply-preview"][data-state="ready"]').waitFor();
      await press(page.getByTestId('reply-send'));

      const mine = page.locator('[data-testid="event"][data-kind="customer_reply"]');
      await expectText(mine, S.reply);
      await expectText(mine, S.you);
      assert.equal(await mine.getByTestId('event-body').locator('img').count(), 0, 'no <img> made from the text');
      const img = mine.getByTestId('event-image');
      await pictureLoaded(img, 48);
      const link = mine.getByTestId('event-image-link');
      assert.equal(await link.getAttribute('target'), '_blank');
      assert.equal(await link.getAttribute('href'), await img.getAttribute('src'));
      assert.equal(await page.evaluate(() => window.__kefuXss), undefined);
      await page.getByTestId('reply-preview').waitFor({ state: 'hidden' });
      assert.equal(await page.getByTestId('reply-input').inputValue(), '', 'the form is empty again');
      assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => sessionStorage.getItem(k)).length),
        0, 'the sent draft is forgotten');

      // On the server: a customer_reply with the text and the image.
      const got = await eventually(async () => {
        const r = await agentApi('GET', `/api/tickets/${ticket.id}`);
        return eventsOf(r.body).find((e) => e.kind === 'customer_reply' && e.body === S.reply);
      }, 'the customer reply on the ticket');
      assert.ok(got.attachment && got.attachment.url, `the image is attached: ${JSON.stringify(got)}`);
      assert.equal(got.author.kind, 'contact');

      if (phone) await fitsPhone(page, 'after the reply');
      await shot('replied');
    });

    test('the shop answers publicly; the page shows it after a reload', async () => {
      const photo = await agentUpload(gradientPng(64, 40, [200, 40, 40], [250, 240, 200]));
      const sent = await agentApi('POST', `/api/tickets/${ticket.id}/replies`,
        { body: S.answer, public: true, attachment_id: photo.id });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      // An internal note stays inside the shop.
      const note = await agentApi('POST', `/api/tickets/${ticket.id}/replies`, { body: S.note, public: false });
      assert.equal(note.status, 201, JSON.stringify(note.body));
      await page.reload();
      const theirs = page.locator('[data-testid="event"][data-kind="public_reply"]');
      await expectText(theirs, S.answer);
      await expectText(theirs, S.owner.name);
      await pictureLoaded(theirs.getByTestId('event-image'), 64);
      assert.ok(!(await page.getByTestId('timeline').innerText()).includes(S.note), 'no internal note on the page');
      // A public reply puts the ticket to work: the status says so, in words and in the history.
      const status = (await agentApi('GET', `/api/tickets/${ticket.id}`)).body;
      const now = (status.ticket || status).status;
      assert.equal(await page.getByTestId('status-card').getAttribute('data-status'), now);
      if (now === 'open') {
        await expectText(page.getByTestId('status-name'), S.status.open);
        await expectText(page.getByTestId('timeline'), S.changedToOpen);
      }
      // The customer's own message on the right, the shop's on the left.
      const mineBox = await page.locator('[data-testid="event"][data-kind="customer_reply"]').boundingBox();
      const theirsBox = await theirs.boundingBox();
      assert.ok(mineBox.x + mineBox.width > theirsBox.x + theirsBox.width,
        'the customer\'s message sits further right than the shop\'s');
      if (phone) await fitsPhone(page, 'with the answer');
      await shot('answered');
    });

    test('waiting for the customer: the status asks for an answer, and a new reply arrives without a reload', async () => {
      await page.clock.install();
      await page.reload();
      await page.getByTestId('status-card').waitFor();
      const changed = await agentApi('PATCH', `/api/tickets/${ticket.id}`, { status: 'pending' });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      const sent = await agentApi('POST', `/api/tickets/${ticket.id}/replies`, { body: S.question, public: true });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      // The page asks kefu again every 30 s while it is visible.
      await page.clock.fastForward(31_000);
      await expectText(page.locator('[data-testid="event"][data-kind="public_reply"]').last(), S.question);
      const card = page.getByTestId('status-card');
      await eventually(async () => (await card.getAttribute('data-status')) === 'pending', 'the pending status');
      await expectText(page.getByTestId('status-name'), S.status.pending);
      await expectText(page.getByTestId('status-text'), S.explainPending);
      await press(page.getByTestId('status-reply-now'));
      await eventually(() => page.getByTestId('reply-input').evaluate((el) => el === document.activeElement),
        'the reply box focused');
      if (phone) await fitsPhone(page, 'waiting for the customer');
      await shot('pending');
    });

    test('a closed ticket takes no replies: kefu\'s words, and the form goes away', async () => {
      await page.getByTestId('reply-input').fill(S.late);
      const closed = await agentApi('PATCH', `/api/tickets/${ticket.id}`, { status: 'closed' });
      assert.equal(closed.status, 200, JSON.stringify(closed.body));
      await press(page.getByTestId('reply-send'));
      const note = page.getByTestId('reply-closed');
      await note.waitFor();
      assert.ok((await note.innerText()).trim().length > 0);
      await page.getByTestId('reply-form').waitFor({ state: 'hidden' });
      await eventually(async () => (await page.getByTestId('status-card').getAttribute('data-status')) === 'closed',
        'the closed status');
      await expectText(page.getByTestId('status-name'), S.status.closed);
      const events = eventsOf((await agentApi('GET', `/api/tickets/${ticket.id}`)).body);
      assert.ok(!events.some((e) => e.body === S.late), 'the late reply was not taken');
      await page.reload();
      await page.getByTestId('reply-closed').waitFor();
      assert.equal(await page.getByTestId('reply-form').isVisible(), false);
      await shot('closed');
    });

    test('an unknown link shows a friendly page', async () => {
      const other = await customerContext.newPage();
      await other.goto(`${srv.base}/s/not-a-real-link-0000`);
      const invalid = other.getByTestId('status-invalid');
      await expectText(invalid, S.invalid);
      assert.equal(await other.getByTestId('reply-form').count(), 0);
      if (phone) await fitsPhone(other, 'the not-valid page');
      await other.screenshot({ path: path.join(SHOTS, `status-${vp.name}-invalid.png`) });
      await other.close();
    });

    test('no script errors and nothing refused by the CSP', () => {
      // The refused reply (409) is an answer the page shows, not an error.
      const bad = errors.filter((e) => !/Failed to load resource: the server responded with a status of 409/.test(e));
      assert.deepEqual(bad, []);
    });
  });
}
