// The agent's tools around a live chat, in Debian's chromium against the real
// server: images in the thread and from the reply box (with the size and type
// errors), labels (Settings and on a conversation), saved replies typed with
// "/" (variables filled in), and the contact panel (orders, editing, merging
// duplicates). Desktop runs in English, the phone in Chinese. Every change is
// checked on the server through the API.
//
//   cargo build && cd tests/browser && KEFU_BIN=../../target/debug/kefu node --test tools.test.mjs
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import zlib from 'node:zlib';
import { eventually, expectText, screenshotsDir, sharedBrowser, startServer, stopServer, VIEWPORTS } from './harness.mjs';

const SHOTS = screenshotsDir('kefu-tools-screens');
const OWNER = { shop_name: '小王的店', name: '王小明', email: 'wang@example.com', password: 'green-tea-and-rice-cakes-7' };
const CUSTOMER = { name: '李雷', email: 'lilei@example.com' };
const ORDER = {
  external_id: 'shop-1001', number: 'KF-1001', status: 'shipped', carrier: '顺丰速运', tracking_number: 'SF1234567890',
  amount_cents: 17600, currency: 'CNY', items: [{ name: '明前龙井 250g', quantity: 2, price_cents: 8800 }],
};
const CANNED = 'Hi {{contact.name}}, this is {{agent.name}}. Your order {{order.number}} has shipped.';

const TEXT = {
  'en-US': { tooLarge: 'at most 5 MiB', notImage: 'Only images can be sent', merge: 'Merge' },
  'zh-CN': { tooLarge: '图片最大 5 MiB', notImage: '只能发送', merge: '合并' },
};

// --- A PNG built byte by byte (signature, IHDR, IDAT, IEND with their CRCs). ---
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** A width×height RGB PNG in two colours (stripes), so different calls give different files. */
function makePng(width, height, [r1, g1, b1], [r2, g2, b2]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    rows.push(0); // filter: none
    for (let x = 0; x < width; x += 1) rows.push(...(((x >> 2) + y) % 2 ? [r1, g1, b1] : [r2, g2, b2]));
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]);
}

const expectHash = (page, hash) => page.waitForURL((u) => new URL(u).hash === hash, { timeout: 10_000 });
const tapOrClick = (locator, phone) => (phone ? locator.tap() : locator.click());

async function apiGet(page, apiPath) {
  const res = await page.request.get(apiPath);
  return { status: res.status(), body: await res.json().catch(() => null) };
}

/** A write with the browser's session cookie and its CSRF token. */
async function apiSend(page, method, apiPath, data) {
  const { body: me } = await apiGet(page, '/api/me');
  const res = await page.request.fetch(apiPath, { method, data, headers: { 'X-CSRF-Token': me.csrf_token } });
  const text = await res.text();
  assert.ok(res.ok(), `${method} ${apiPath}: ${res.status()} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The customer's side: the widget's HTTP API, no browser. */
async function visitor(base, method, apiPath, token, body, type = 'application/json') {
  const headers = { 'Content-Type': type, ...(token ? { 'X-Kefu-Visitor': token } : {}) };
  const payload = body === undefined ? undefined : (Buffer.isBuffer(body) ? body : JSON.stringify(body));
  const res = await fetch(`${base}${apiPath}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A new customer who writes `text` (with prechat name/email); returns ids and the visitor token. */
async function customerWrites(srv, inboxToken, who, text, clientId) {
  const s = await visitor(srv.base, 'POST', '/api/widget/session', null, {
    inbox: inboxToken, locale: 'zh-CN', prechat: who,
    page: { url: 'https://shop.example/p/longjing', title: '明前龙井' },
  });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  const sent = await visitor(srv.base, 'POST', '/api/widget/messages', s.body.visitor_token,
    { client_id: clientId, body: text });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  return { token: s.body.visitor_token, convId: sent.body.conversation.id };
}

async function noHorizontalScroll(page, where) {
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollWidth <= 375, `horizontal scroll on ${where}: scrollWidth ${scrollWidth} > 375`);
}

/** An <img> that really loaded (not a broken image). */
async function imageLoaded(img) {
  await img.scrollIntoViewIfNeeded();
  await eventually(async () => img.evaluate((el) => el.complete && el.naturalWidth > 0), 'the image loaded');
}

const browser = sharedBrowser(SHOTS);

for (const vp of VIEWPORTS) {
  describe(`agent tools on ${vp.name}`, () => {
    const phone = vp.name === 'phone';
    const L = TEXT[vp.locale];
    let srv;
    let context;
    let page;
    let inboxToken;
    let cust;
    let contactId;
    const consoleErrors = [];
    const shot = (name) => page.screenshot({ path: path.join(SHOTS, `tools-${vp.name}-${name}.png`) });
    const messages = async () => (await apiGet(page, `/api/conversations/${cust.convId}`)).body.messages;
    const openConversation = async (id) => {
      await page.evaluate((h) => { location.hash = h; }, `#/inbox/${id}`);
      await page.locator(`[data-testid="conversation"][data-conversation-id="${id}"] [data-testid="thread"]`).waitFor();
    };

    before(async () => {
      srv = await startServer();
      context = await browser().newContext({ ...vp.options, baseURL: srv.base, locale: vp.locale });
      page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
      page.on('pageerror', (err) => consoleErrors.push(String(err)));
    });
    after(async () => {
      if (context) await context.close();
      await stopServer(srv);
    });

    test('setup: owner online, an inbox, a customer who writes and has an order', async () => {
      const setup = await page.request.post('/api/setup', { data: OWNER });
      assert.equal(setup.status(), 201, await setup.text());
      await page.goto('/');
      await expectHash(page, '#/inbox');
      await apiSend(page, 'PUT', '/api/me/availability', { availability: 'online' });
      inboxToken = (await apiSend(page, 'POST', '/api/inboxes', { name: '小王的店 · 网站' })).inbox.public_token;
      cust = await customerWrites(srv, inboxToken, CUSTOMER, '你好，我的龙井茶到哪里了？', 'c-1');
      contactId = (await apiGet(page, `/api/conversations/${cust.convId}`)).body.contact.id;
      const order = await apiSend(page, 'POST', '/api/orders', { ...ORDER, contact: { id: contactId } });
      assert.equal(order.contact_id, contactId);
    });

    test('a customer\'s image shows inline and opens full size', async () => {
      const bytes = makePng(40, 24, [200, 40, 40], [250, 220, 200]);
      const up = await visitor(srv.base, 'POST', '/api/widget/attachments', cust.token, bytes, 'image/png');
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const sent = await visitor(srv.base, 'POST', '/api/widget/messages', cust.token,
        { client_id: 'c-img', body: '', attachment_id: up.body.id });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));

      if (phone) {
        const row = page.locator(`[data-testid="conv-row"][data-conversation-id="${cust.convId}"]`);
        await row.waitFor();
        await row.tap();
        await expectHash(page, `#/inbox/${cust.convId}`);
      } else {
        await openConversation(cust.convId);
      }
      const img = page.getByTestId('msg-contact').getByTestId('msg-image');
      await img.waitFor();
      await imageLoaded(img);
      assert.equal(await img.getAttribute('src'), up.body.url);
      assert.equal(await img.getAttribute('loading'), 'lazy');
      const link = page.getByTestId('msg-contact').getByTestId('msg-image-link');
      assert.equal(await link.getAttribute('href'), up.body.url);
      assert.equal(await link.getAttribute('target'), '_blank');
      const box = await img.boundingBox();
      assert.ok(box.width <= (phone ? 375 : 800), `the image fits (${box.width}px)`);
      if (phone) await noHorizontalScroll(page, 'conversation with an image');
    });

    test('the agent sends an image with a caption from the reply box', async () => {
      const bytes = makePng(64, 48, [14, 124, 114], [240, 250, 248]);
      await page.getByTestId('attach-input').setInputFiles({ name: 'tea.png', mimeType: 'image/png', buffer: bytes });
      const preview = page.getByTestId('attach-preview');
      await page.locator('[data-testid="attach-preview"][data-state="ready"]').waitFor();
      await page.getByTestId('reply-input').fill('包装照片');
      if (phone) await page.getByTestId('reply-send').tap();
      else await page.getByTestId('reply-input').press('Enter');
      await preview.waitFor({ state: 'hidden' });

      const mine = page.getByTestId('msg-agent').filter({ has: page.getByTestId('msg-image') });
      await mine.waitFor();
      await expectText(mine, '包装照片');
      await imageLoaded(mine.getByTestId('msg-image'));
      const stored = (await messages()).find((m) => m.sender === 'agent' && m.attachment);
      assert.ok(stored, 'the reply with its image is stored');
      assert.equal(stored.body, '包装照片');
      assert.equal(stored.attachment.mime, 'image/png');
      assert.equal(stored.attachment.size, bytes.length);
      assert.equal(stored.private, false);
      const served = await page.request.get(stored.attachment.url);
      assert.deepEqual(Buffer.from(await served.body()), bytes, 'the server has the same bytes');
      const seen = await visitor(srv.base, 'GET', '/api/widget/messages?after=0', cust.token);
      assert.ok(seen.body.messages.some((m) => m.attachment && m.attachment.id === stored.attachment.id),
        'the customer gets the image');
      if (phone) await noHorizontalScroll(page, 'after sending an image');
      await shot('1-images');
    });

    test('a too large or non-image file shows why and sends nothing', async () => {
      const before = (await messages()).length;
      const big = Buffer.concat([makePng(8, 8, [0, 0, 0], [255, 255, 255]), Buffer.alloc(5 * 1024 * 1024)]);
      await page.getByTestId('attach-input').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: big });
      await expectText(page.getByTestId('attach-error'), L.tooLarge);
      await page.getByTestId('reply-input').press('Enter');
      if (phone) await noHorizontalScroll(page, 'image error');
      await shot('2-image-too-large');

      // Claims to be a PNG but is text: the server says no (415), in the console's language.
      await page.getByTestId('attach-input').setInputFiles({
        name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not really a picture\n'),
      });
      await expectText(page.getByTestId('attach-error'), L.notImage);
      await page.getByTestId('reply-input').press('Enter');
      await page.getByTestId('attach-remove').click();
      await page.getByTestId('attach-preview').waitFor({ state: 'hidden' });
      assert.equal((await messages()).length, before, 'nothing was sent');
    });

    if (!phone) {
      test('an image pasted into the reply box is attached', async () => {
        const bytes = makePng(12, 12, [30, 60, 200], [255, 255, 0]);
        await page.getByTestId('reply-input').evaluate((el, data) => {
          const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(data)], 'image.png', { type: 'image/png' }));
          el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
        }, Array.from(bytes));
        await page.locator('[data-testid="attach-preview"][data-state="ready"]').waitFor();
        await page.getByTestId('reply-send').click();
        await page.getByTestId('attach-preview').waitFor({ state: 'hidden' });
        await eventually(async () => (await messages()).some((m) => m.attachment && m.attachment.size === bytes.length
          && m.body === ''), 'the pasted image sent without text');
      });

      test('Settings → Labels: create two; set them on the conversation', async () => {
        await page.getByTestId('nav-settings').click();
        await page.getByTestId('settings-tab-labels').click();
        await expectHash(page, '#/settings/labels');
        await page.getByTestId('label-list-empty').waitFor();
        for (const [name, color] of [['退款', '#dc2626'], ['Wholesale', '#2563eb']]) {
          await page.getByTestId('label-new').click();
          const dlg = page.getByTestId('label-dialog');
          await dlg.getByTestId('label-name-input').fill(name);
          await dlg.getByTestId('label-color-input').fill(color);
          await dlg.getByTestId('label-form-submit').click();
          await dlg.waitFor({ state: 'detached' });
          await page.getByTestId('label-row').filter({ hasText: name }).waitFor();
        }
        const { labels } = (await apiGet(page, '/api/labels')).body;
        assert.deepEqual(labels.map((l) => [l.name, l.color]).sort(), [['Wholesale', '#2563eb'], ['退款', '#dc2626']]);
        await shot('3-settings-labels');

        await openConversation(cust.convId);
        await page.getByTestId('conv-labels-edit').click();
        const dlg = page.getByTestId('labels-dialog');
        for (const name of ['退款', 'Wholesale']) await dlg.getByTestId('label-option').filter({ hasText: name }).click();
        await dlg.getByTestId('labels-form-submit').click();
        await dlg.waitFor({ state: 'detached' });
        await expectText(page.getByTestId('conv-labels'), '退款');
        const stored = (await apiGet(page, `/api/conversations/${cust.convId}`)).body.conversation.labels;
        assert.deepEqual(stored.map((l) => l.name).sort(), ['Wholesale', '退款']);
        // The chip has the label's colour, the list row shows the labels, the timeline says who did it.
        const chip = page.getByTestId('conv-labels').getByTestId('label-chip').filter({ hasText: '退款' });
        assert.equal(await chip.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(220, 38, 38)');
        await page.locator('[data-testid="timeline-event"][data-kind="labels"]').waitFor();
        await expectText(page.locator('[data-testid="timeline-event"][data-kind="labels"]'), OWNER.name);
        await page.getByTestId('inbox-tab-all').click();
        const row = page.locator(`[data-testid="conv-row"][data-conversation-id="${cust.convId}"]`);
        await expectText(row.getByTestId('conv-labels-row'), 'Wholesale');

        // Take one off again.
        await page.getByTestId('conv-labels-edit').click();
        await dlg.getByTestId('label-option').filter({ hasText: 'Wholesale' }).click();
        await dlg.getByTestId('labels-form-submit').click();
        await dlg.waitFor({ state: 'detached' });
        await eventually(async () => {
          const c = (await apiGet(page, `/api/conversations/${cust.convId}`)).body.conversation;
          return c.labels.length === 1 && c.labels[0].name === '退款';
        }, 'one label left on the server');
        await shot('4-labels');
      });
    }

    test('Settings → Saved replies: create one, insert it with /shortcut, variables filled', async () => {
      if (phone) await page.getByTestId('conv-back').tap();
      await tapOrClick(page.getByTestId('nav-settings'), phone);
      await tapOrClick(page.getByTestId('settings-tab-canned'), phone);
      await expectHash(page, '#/settings/canned');
      await page.getByTestId('canned-list-empty').waitFor();
      const create = async (shortcut, body) => {
        await page.getByTestId('canned-new').click();
        const dlg = page.getByTestId('canned-dialog');
        await dlg.getByTestId('canned-shortcut-input').fill(shortcut);
        await dlg.getByTestId('canned-body-input').fill(body);
        await dlg.getByTestId('canned-form-submit').click();
        await dlg.waitFor({ state: 'detached' });
        await page.getByTestId('canned-row').filter({ hasText: `/${shortcut}` }).waitFor();
      };
      await create('shipped', CANNED);
      await create('thanks', '谢谢您的耐心等待！');
      const { canned_responses: saved } = (await apiGet(page, '/api/canned-responses')).body;
      assert.deepEqual(saved.map((c) => [c.shortcut, c.body, c.team_id]),
        [['shipped', CANNED, null], ['thanks', '谢谢您的耐心等待！', null]]);
      if (phone) await noHorizontalScroll(page, 'saved replies');

      await openConversation(cust.convId);
      const input = page.getByTestId('reply-input');
      const list = page.getByTestId('canned-list');
      // After a space, filtered by what follows the slash; Escape closes and keeps the focus.
      await input.fill('');
      await input.pressSequentially('OK /tha');
      await list.waitFor();
      assert.deepEqual(await list.getByTestId('canned-option').evaluateAll((els) => els.map((e) => e.dataset.shortcut)),
        ['thanks']);
      await input.press('Escape');
      await list.waitFor({ state: 'hidden' });
      assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'reply-input');

      await input.fill('');
      await input.pressSequentially('/');
      await list.waitFor();
      assert.equal(await list.getByTestId('canned-option').count(), 2);
      if (phone) {
        await noHorizontalScroll(page, 'saved reply suggestions');
        await shot('5-canned-list');
        await list.getByTestId('canned-option').filter({ hasText: '/shipped' }).tap();
      } else {
        await input.pressSequentially('s');
        await shot('5-canned-list');
        await input.press('ArrowDown');
        await input.press('ArrowUp');
        await input.press('Tab');
      }
      await list.waitFor({ state: 'hidden' });
      const expected = `Hi ${CUSTOMER.name}, this is ${OWNER.name}. Your order ${ORDER.number} has shipped.`;
      assert.equal(await input.inputValue(), expected);
      await input.press('Enter');
      await page.getByTestId('msg-agent').filter({ hasText: expected }).waitFor();
      assert.ok((await messages()).some((m) => m.body === expected && m.sender === 'agent'), 'stored as sent');
    });

    test('the contact panel shows the order; editing the customer saves', async () => {
      if (phone) {
        await page.getByTestId('conv-contact').tap();
        await expectHash(page, `#/inbox/${cust.convId}/contact`);
        // The panel is a screen of its own: the reply box goes once the view has switched.
        await page.getByTestId('reply-input').waitFor({ state: 'hidden' });
      }
      const panel = page.getByTestId('contact-panel');
      const order = panel.getByTestId('order-card').filter({ hasText: ORDER.number });
      await order.waitFor();
      for (const text of [ORDER.status, ORDER.carrier, ORDER.tracking_number, '176.00', '2 × 明前龙井 250g']) {
        await expectText(order, text);
      }
      await expectText(panel.getByTestId('contact-page'), '明前龙井');
      await expectText(panel.getByTestId('contact-email'), CUSTOMER.email);
      if (phone) await noHorizontalScroll(page, 'contact panel');
      await shot('6-contact-panel');

      await tapOrClick(panel.getByTestId('contact-edit'), phone);
      const dlg = page.getByTestId('contact-edit-dialog');
      await dlg.getByTestId('contact-name-input').fill('李雷 Li Lei');
      await dlg.getByTestId('contact-phone-input').fill('+86 138 0013 8000');
      await dlg.getByTestId('contact-vip-input').fill('gold');
      await dlg.getByTestId('contact-tags-input').fill('回头客，wholesale, 回头客');
      await dlg.getByTestId('contact-notes-input').fill('喜欢明前龙井\n送货前先打电话');
      if (phone) await noHorizontalScroll(page, 'contact edit dialog');
      await tapOrClick(dlg.getByTestId('contact-form-submit'), phone);
      await dlg.waitFor({ state: 'detached' });
      const c = (await apiGet(page, `/api/contacts/${contactId}`)).body.contact;
      assert.equal(c.name, '李雷 Li Lei');
      assert.equal(c.phone, '+86 138 0013 8000');
      assert.equal(c.vip_tier, 'gold');
      assert.deepEqual(c.tags, ['回头客', 'wholesale']);
      assert.equal(c.notes, '喜欢明前龙井\n送货前先打电话');
      assert.equal(c.email, CUSTOMER.email, 'the email is kept');
      await expectText(panel.getByTestId('contact-name'), '李雷 Li Lei');
      await expectText(panel.getByTestId('contact-tags'), '回头客');
      await expectText(panel.getByTestId('contact-notes'), '送货前先打电话');
      if (phone) {
        await page.getByTestId('contact-back').tap();
        await expectHash(page, `#/inbox/${cust.convId}`);
        await page.getByTestId('reply-input').waitFor();
        await expectText(page.getByTestId('conv-head-name'), '李雷 Li Lei');
        // The browser's back works too.
        await page.getByTestId('conv-contact').tap();
        await page.getByTestId('contact-panel').waitFor();
        await page.goBack();
        await expectHash(page, `#/inbox/${cust.convId}`);
        await page.getByTestId('reply-input').waitFor();
      } else {
        await expectText(page.getByTestId('conv-head-name'), '李雷 Li Lei');
      }
    });

    test('a customer with the same email is offered for merging, and merging works', async () => {
      const twin = await customerWrites(srv, inboxToken, { name: 'Lei Li', email: CUSTOMER.email }, '还是我，换了手机', 'c-twin');
      const twinContact = (await apiGet(page, `/api/conversations/${twin.convId}`)).body.contact.id;
      assert.notEqual(twinContact, contactId);
      await apiSend(page, 'POST', '/api/orders', {
        external_id: 'shop-1002', number: 'KF-1002', status: 'paid', contact: { id: twinContact },
      });
      // Look again: the panel loads duplicates when the conversation opens.
      await openConversation(twin.convId);
      await openConversation(cust.convId);
      if (phone) {
        await page.getByTestId('conv-contact').tap();
        await expectHash(page, `#/inbox/${cust.convId}/contact`);
      }
      const dups = page.getByTestId('contact-duplicates');
      await expectText(dups, 'Lei Li');
      if (phone) await noHorizontalScroll(page, 'duplicates');
      await shot('7-duplicates');
      await tapOrClick(dups.getByTestId('contact-merge'), phone);
      await tapOrClick(page.getByTestId('confirm-cancel'), phone);
      assert.equal((await apiGet(page, `/api/contacts/${twinContact}`)).status, 200, 'cancel merges nothing');
      await tapOrClick(dups.getByTestId('contact-merge'), phone);
      await expectText(page.getByTestId('confirm-ok'), L.merge);
      await tapOrClick(page.getByTestId('confirm-ok'), phone);
      await dups.waitFor({ state: 'detached' });

      assert.equal((await apiGet(page, `/api/contacts/${twinContact}`)).status, 404, 'the duplicate is gone');
      const merged = (await apiGet(page, `/api/contacts/${contactId}`)).body;
      assert.deepEqual(merged.conversations.map((c) => c.id).sort(), [cust.convId, twin.convId].sort());
      assert.deepEqual(merged.orders.map((o) => o.number).sort(), ['KF-1001', 'KF-1002']);
      assert.equal(merged.contact.name, '李雷 Li Lei', 'the kept customer keeps their name');
      // The panel follows: the other conversation and the new order are listed.
      const panel = page.getByTestId('contact-panel');
      await panel.locator(`[data-testid="contact-conversation"][href="#/inbox/${twin.convId}"]`).waitFor();
      await panel.getByTestId('order-card').filter({ hasText: 'KF-1002' }).waitFor();
    });

    if (phone) {
      test('labels on the phone: from the "more" menu', async () => {
        await apiSend(page, 'POST', '/api/labels', { name: '加急', color: '#ea580c' });
        await openConversation(cust.convId);
        assert.equal(await page.getByTestId('conv-labels').isVisible(), false, 'no empty label strip on the phone');
        await page.getByTestId('conv-more').tap();
        await page.getByTestId('choice-labels').tap();
        const dlg = page.getByTestId('labels-dialog');
        await dlg.getByTestId('label-option').filter({ hasText: '加急' }).tap();
        await noHorizontalScroll(page, 'labels dialog');
        await dlg.getByTestId('labels-form-submit').tap();
        await dlg.waitFor({ state: 'detached' });
        await expectText(page.getByTestId('conv-labels'), '加急');
        const c = (await apiGet(page, `/api/conversations/${cust.convId}`)).body.conversation;
        assert.deepEqual(c.labels.map((l) => l.name), ['加急']);
        await noHorizontalScroll(page, 'labels strip');
        await shot('8-labels');
      });
    }

    test('the page logged no errors', () => {
      // 413/415 answers are logged by the browser as failed resources; they are expected here.
      const real = consoleErrors.filter((e) => !/Failed to load resource/.test(e));
      assert.deepEqual(real, []);
    });
  });
}
