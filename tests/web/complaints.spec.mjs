// Public complaints (12369 环保举报, issue 16): someone on a phone reports air pollution
// at a place in a demo district, using the phone's position; the draft survives a
// reload and is gone once the report is in; the tracking code and the district show.
// That district's staff find it in the console (投诉处理), read the phone number (a
// recorded read), accept it and reply; the public page shows the reply, a 4-star
// rating closes the report, and a reason reopens it. A leader reads with no action
// buttons; the pages have no sideways scroll on a phone; an unknown code says so; the
// server's refusals (a bad phone, too many reports) are shown in the form in Chinese.
// Photos: one chosen on the phone is made smaller in the browser (1600 px at most), sent
// after the report, counted on the public page and shown to the staff (fetched with
// their token, opened large); more are added on the tracking page; a file that is no
// picture is refused in the form.
import { test, assert } from './lib.mjs';

const READY = 30000;

async function ready(page, name) {
  await page.waitForSelector(`main[data-page="${name}"][data-ready="${name}"]`, { state: 'attached', timeout: READY });
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} scrolls sideways by ${overflow}px`);
}

// The district of the run's district staff, with its label point (a point on its surface).
async function staffDistrict(ctx) {
  const r = await ctx.api('/api/v1/districts', { token: ctx.users.admin.token });
  assert.equal(r.status, 200, r.text.slice(0, 200));
  const d = r.json.items.find((x) => x.id === ctx.users.district_staff.district_id);
  assert.ok(d, `district ${ctx.users.district_staff.district_id} is listed`);
  assert.ok(Number.isFinite(d.lon) && Number.isFinite(d.lat) && (d.lon || d.lat), `district ${d.name} has a label point: ${JSON.stringify(d)}`);
  return d;
}

async function publicView(ctx, code) {
  const r = await ctx.api(`/api/v1/public/complaints/${code}`);
  assert.equal(r.status, 200, r.text.slice(0, 200));
  return r.json;
}

const STAMP = Date.now().toString(36);

// A JPEG of w×h made by the browser of `page` (a grey scene with a dark block), as bytes.
async function makeJpeg(page, w, h) {
  const b64 = await page.evaluate(async ([w, h]) => {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const g = c.getContext('2d');
    g.fillStyle = '#8fa3ad';
    g.fillRect(0, 0, w, h);
    g.fillStyle = '#37474f';
    g.fillRect(w * 0.2, h * 0.3, w * 0.3, h * 0.5);
    const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return btoa(s);
  }, [w, h]);
  return Buffer.from(b64, 'base64');
}

// `jpeg` as a phone held upright writes it: the pixels as the sensor saw them (sideways)
// and an EXIF orientation of 6 (turn 90° clockwise to show) in an APP1 segment after SOI.
function turnedByExif(jpeg) {
  const tiff = Buffer.from([
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // big-endian TIFF, IFD0 at 8
    0x00, 0x01, // one entry:
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00, // Orientation SHORT 6
    0x00, 0x00, 0x00, 0x00, // no next IFD
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const head = Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)]);
}

// The staff's thumbnails once their pictures have loaded: [{w, h}] of each.
async function loadedThumbs(page) {
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('[data-test=d-photo]')];
    return imgs.length && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, null, { timeout: READY });
  return page.$$eval('[data-test=d-photo]', (imgs) => imgs.map((i) => ({ w: i.naturalWidth, h: i.naturalHeight })));
}

test('complaints: a report from a phone reaches its district\'s staff, is answered, rated and reopened', async (ctx) => {
  const d = await staffDistrict(ctx);
  const desc = `工地夜间露天焚烧垃圾，浓烟刺鼻 ${STAMP}`;
  const reply = `经现场核查，已责令施工单位立即停止焚烧并清运垃圾 ${STAMP}`;

  // 1. The report, from a phone at a point of the district.
  const page = await ctx.page({ viewport: 'phone' });
  await page.context().grantPermissions(['geolocation'], { origin: ctx.base });
  await page.context().setGeolocation({ longitude: d.lon, latitude: d.lat });
  await page.goto('/');
  await page.click('.menu-toggle');
  await page.click('nav >> a[href="/complaint"]');
  await ready(page, 'complaint');
  assert.match(await page.innerText('h1'), /举报投诉/);
  await page.click('[data-test=cat-air]');
  await page.fill('[data-test=c-desc]', desc);
  assert.equal(await page.innerText('[data-test=c-count]'), `${desc.length}/2000`);
  await page.click('[data-test=c-locate]');
  await page.waitForSelector('[data-test=c-located]', { timeout: READY });
  await page.fill('[data-test=c-address]', `${d.name}某建筑工地南门`);

  // The draft survives a reload (the phone number is not kept on the device).
  await page.reload();
  await ready(page, 'complaint');
  assert.equal(await page.inputValue('[data-test=c-desc]'), desc);
  assert.equal(await page.getAttribute('[data-test=cat-air]', 'aria-pressed'), 'true');
  await page.waitForSelector('[data-test=c-located]', { timeout: READY });
  await page.fill('[data-test=c-phone]', '13812345678');

  // A photo larger than the server keeps, taken upright (sideways pixels, EXIF turns them):
  // redrawn upright at 1600 px before it is sent, since the server drops the EXIF.
  const big = turnedByExif(await makeJpeg(page, 2000, 1200));
  await page.setInputFiles('[data-test=p-input]', [{ name: 'smoke.jpg', mimeType: 'image/jpeg', buffer: big }]);
  await page.waitForSelector('[data-test=p-thumb][data-state=ready] img', { timeout: READY });
  assert.equal(await page.locator('[data-test=p-thumb]').count(), 1);
  assert.match(await page.innerText('[data-test=p-picker]'), /现场照片（选填，最多4张）/);
  assert.match(await page.innerText('[data-test=c-form]'), /照片不保存在本机草稿中/, 'the form says photos are not in the draft');
  await noSidewaysScroll(page, 'the form at phone size');
  await ctx.shot(page, 'complaint-form-phone');

  await page.click('[data-test=c-submit]');
  await page.waitForSelector('[data-test=c-code]', { timeout: READY });
  const code = await page.getAttribute('[data-test=c-code]', 'data-code');
  assert.match(code, /^[0-9A-Z]{12}$/, `a tracking code: ${code}`);
  assert.equal(await page.innerText('[data-test=c-district]'), d.name);
  const pub = await publicView(ctx, code);
  assert.equal(pub.status, 'submitted');
  assert.equal(pub.district, d.name, 'the report went to the district covering the point');
  assert.equal(pub.category, 'air');
  await page.waitForSelector('[data-test=c-photos-done][data-sent="1"]', { timeout: READY });
  assert.match(await page.innerText('[data-test=c-photos-done]'), /已附照片 1 张/);
  assert.equal(await page.locator('[data-test=c-photo-failed]').count(), 0, 'no photo failed');
  const withPhoto = await publicView(ctx, code);
  assert.equal(withPhoto.photos, 1, 'the public view counts the photo');
  assert.equal(withPhoto.can_add_photos, true, 'more may be added on the first day');
  assert.equal(await page.evaluate(() => localStorage.getItem('ecohub.complaint.draft')), null, 'the draft is gone');
  await noSidewaysScroll(page, 'the tracking code at phone size');
  await ctx.shot(page, 'complaint-done-phone');
  ctx.assertClean(page);

  // 2. The district's staff find it, read the phone, accept it and reply.
  const staff = await ctx.page({ viewport: 'desktop', role: 'district_staff' });
  await staff.goto('/console/alarms');
  await staff.click('[data-menu=complaints]');
  await staff.waitForURL('**/console/complaints', { timeout: READY });
  await ready(staff, 'complaints');
  const item = staff.locator(`[data-test=cmp-item][data-code="${code}"]`);
  await item.waitFor({ timeout: READY });
  assert.match(await item.innerText(), /已提交/);
  await item.click();
  await staff.waitForSelector(`[data-test=cmp-detail][data-status=submitted] [data-test=d-code]`, { timeout: READY });
  assert.equal(await staff.innerText('[data-test=d-desc]'), desc);
  // The photo, fetched with the staff's token: made upright, 960×1600, in the reporter's browser.
  assert.deepEqual(await loadedThumbs(staff), [{ w: 960, h: 1600 }]);
  await ctx.shot(staff, 'complaints-console-photo-desktop');
  await staff.click('[data-test=d-photo-open]');
  await staff.waitForSelector('[data-test=d-viewer] [data-test=d-viewer-img]', { timeout: READY });
  assert.ok(await staff.$eval('[data-test=d-viewer-img]', (i) => i.naturalWidth > 0), 'the large picture shows');
  await ctx.shot(staff, 'complaints-console-photo-open-desktop');
  await staff.keyboard.press('Escape');
  await staff.waitForSelector('[data-test=d-viewer]', { state: 'detached', timeout: READY });
  assert.equal(await staff.innerText('[data-test=d-phone]'), '138****5678');
  assert.match(await staff.innerText('[data-test=d-contact]'), /记录/, 'the button says the read is recorded');
  await staff.click('[data-test=d-contact]');
  await staff.waitForSelector('[data-test=d-phone]:has-text("13812345678")', { timeout: READY });
  const id = await staff.getAttribute('[data-test=cmp-detail]', 'data-id');
  const audit = await ctx.api(`/api/v1/audit?action=complaints.contact_read&object=complaint:${id}`, { token: ctx.users.leader.token });
  assert.equal(audit.status, 200, audit.text.slice(0, 200));
  assert.ok(audit.json.items.some((e) => /web_district_staff/.test(e.actor)), `the read is recorded: ${audit.text.slice(0, 300)}`);

  await staff.click('[data-test=act-accept]');
  await staff.click('[data-test=act-confirm]');
  await staff.waitForSelector('[data-test=cmp-detail][data-status=accepted]', { timeout: READY });
  await staff.click('[data-test=act-reply]');
  await staff.fill('[data-test=act-text]', reply);
  await staff.click('[data-test=act-confirm]');
  await staff.waitForSelector('[data-test=cmp-detail][data-status=replied]', { timeout: READY });
  assert.match(await staff.innerText('[data-test=d-reply]'), new RegExp(STAMP));
  assert.equal(await item.getAttribute('data-status'), 'replied', 'the list follows');
  assert.ok(await staff.locator('[data-test=act-close]').count(), 'a replied report offers 办结');
  await ctx.shot(staff, 'complaints-console-desktop');
  ctx.assertClean(staff);

  // 3. The public page shows the reply; a rating closes the report.
  await page.goto(`/complaint/${code}`);
  await ready(page, 'complaint-track');
  assert.equal(await page.getAttribute('[data-test=t-card]', 'data-status'), 'replied');
  assert.equal(await page.innerText('[data-test=t-district]'), d.name);
  assert.match(await page.innerText('[data-test=t-reply]'), new RegExp(STAMP));
  await page.click('[data-test=t-star-4]');
  await page.fill('[data-test=t-rate-comment]', '处理及时');
  await page.click('[data-test=t-rate-submit]');
  await page.waitForSelector('[data-test=t-card][data-status=closed]', { timeout: READY });
  assert.equal(await page.locator('[data-test=t-rate]').count(), 0, 'rated once');
  const closed = await publicView(ctx, code);
  assert.equal(closed.status, 'closed');
  assert.equal(closed.rating?.score, 4);
  await noSidewaysScroll(page, 'the tracking page at phone size');
  await ctx.shot(page, 'complaint-closed-phone');

  // 4. Not satisfied after all: reopened with a reason, back to the staff.
  await page.click('[data-test=t-reopen-open]');
  await page.fill('[data-test=t-reopen-reason]', '晚上又开始焚烧了，问题没有解决');
  await page.click('[data-test=t-reopen-submit]');
  await page.waitForSelector('[data-test=t-card][data-status=accepted]', { timeout: READY });
  assert.equal(await page.locator('[data-test=t-reopen]').count(), 0, 'reopened once');
  assert.equal((await publicView(ctx, code)).status, 'accepted');
  ctx.assertClean(page);
});

test('complaints: a leader reads with no actions; phone-size console; an unknown code is not found', async (ctx) => {
  const d = await staffDistrict(ctx);
  const made = await ctx.api('/api/v1/public/complaints', {
    method: 'POST',
    body: { category: 'noise', description: `夜间施工噪声扰民 ${STAMP}`, lon: d.lon, lat: d.lat, address: `${d.name}某小区北侧` },
  });
  assert.equal(made.status, 201, made.text.slice(0, 300));
  const code = made.json.tracking_code;
  const list = await ctx.api('/api/v1/complaints?limit=100', { token: ctx.users.admin.token });
  assert.equal(list.status, 200, list.text.slice(0, 200));
  const id = list.json.items.find((x) => x.tracking_code === code)?.id;
  assert.ok(id, `the report ${code} is listed`);

  const leader = await ctx.page({ viewport: 'desktop', role: 'leader' });
  // A photo sent as the API takes it (raw bytes), as a partner system would.
  const sent = await ctx.api(`/api/v1/public/complaints/${code}/photos`, { method: 'POST', body: await makeJpeg(leader, 640, 480), headers: { 'Content-Type': 'image/jpeg' } });
  assert.equal(sent.status, 201, sent.text.slice(0, 300));
  await leader.goto(`/console/complaints?id=${id}`);
  await ready(leader, 'complaints');
  await leader.waitForSelector(`[data-test=cmp-detail][data-id="${id}"] [data-test=d-code]`, { timeout: READY });
  await leader.waitForSelector('[data-test=d-readonly]', { timeout: READY });
  assert.equal(await leader.locator('[data-test^=act-]').count(), 0, 'no action buttons for a leader');
  assert.equal(await leader.locator('[data-test=d-merge]').count(), 0, 'no merge for a leader');
  assert.equal(await leader.locator('[data-test=d-contact]').count(), 0, 'a leader does not read phones');
  ctx.assertClean(leader);

  const phone = await ctx.page({ viewport: 'phone', role: 'district_staff' });
  await phone.goto('/console/complaints');
  await ready(phone, 'complaints');
  const item = phone.locator(`[data-test=cmp-item][data-code="${code}"]`);
  await item.waitFor({ timeout: READY });
  const box = await item.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the card fits the phone: ${JSON.stringify(box)}`);
  await noSidewaysScroll(phone, 'the console list at phone size');
  await ctx.shot(phone, 'complaints-list-phone');
  await item.click();
  await phone.waitForSelector(`[data-test=cmp-detail][data-id="${id}"] [data-test=act-accept]`, { timeout: READY });
  assert.ok(!(await item.isVisible()), 'on a phone the report takes the screen');
  assert.deepEqual(await loadedThumbs(phone), [{ w: 640, h: 480 }]);
  await noSidewaysScroll(phone, 'a report at phone size');
  await ctx.shot(phone, 'complaints-detail-phone');
  await phone.click('[data-test=back]');
  await item.waitFor({ timeout: READY });
  ctx.assertClean(phone);

  // The reporter adds a photo on the tracking page (the first day, still open).
  const pub = await ctx.page({ viewport: 'phone' });
  await pub.goto(`/complaint/${code}`);
  await ready(pub, 'complaint-track');
  assert.equal(await pub.getAttribute('[data-test=t-photos]', 'data-count'), '1');
  assert.match(await pub.innerText('[data-test=t-photos]'), /已附照片 1 张/);
  await pub.setInputFiles('[data-test=t-add-photos] [data-test=p-input]', [{ name: 'more.jpg', mimeType: 'image/jpeg', buffer: await makeJpeg(pub, 900, 1200) }]);
  await pub.waitForSelector('[data-test=p-thumb][data-state=ready]', { timeout: READY });
  await noSidewaysScroll(pub, 'the tracking page with a photo chosen');
  await ctx.shot(pub, 'complaint-track-photos-phone');
  await pub.click('[data-test=t-photos-send]');
  await pub.waitForSelector('[data-test=t-photos][data-count="2"]', { timeout: READY });
  assert.match(await pub.innerText('[data-test=t-photos-sent]'), /已上传 1 张/);
  assert.equal((await publicView(ctx, code)).photos, 2);

  ctx.expectHttpError(pub, /^404 GET \/api\/v1\/public\/complaints\/ZZZZ/);
  await pub.goto('/complaint');
  await ready(pub, 'complaint');
  await pub.fill('[data-test=c-track-code]', 'zzzz-zzzz-zzzz');
  await pub.click('[data-test=c-track-go]');
  await ready(pub, 'complaint-track');
  assert.match(await pub.innerText('[data-test=t-notfound]'), /未找到该举报/);
  assert.equal(await pub.locator('[data-test=load-error]').count(), 0, 'not an error page');
  ctx.assertClean(pub);
});

test('complaints: the server\'s refusals show in the form in Chinese; the English switch works', async (ctx) => {
  const page = await ctx.page({ viewport: 'phone' });
  ctx.expectHttpError(page, /^(400|429) POST \/api\/v1\/public\/complaints$/);
  await page.goto('/complaint');
  await ready(page, 'complaint');

  // A file that is no picture is refused at once, in words.
  await page.setInputFiles('[data-test=p-input]', [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') }]);
  await page.waitForSelector('[data-test=p-error]', { timeout: READY });
  assert.match(await page.innerText('[data-test=p-error]'), /“notes\.txt”不是图片，请选择 JPEG 或 PNG 照片/);
  assert.equal(await page.locator('[data-test=p-thumb]').count(), 0, 'nothing is added');
  await noSidewaysScroll(page, 'the form with a refused file');

  // Checked here first: nothing is sent without a category.
  await page.fill('[data-test=c-desc]', '河道里有死鱼，水面发黑发臭');
  await page.click('[data-test=c-submit]');
  assert.match(await page.innerText('[data-test=c-error]'), /请选择举报类别/);

  // The server refuses a phone that is no number, and the form says which field.
  await page.click('[data-test=cat-water]');
  await page.fill('[data-test=c-address]', '城东污水处理厂排口下游');
  await page.fill('[data-test=c-phone]', 'abc');
  await page.click('[data-test=c-submit]');
  await page.waitForSelector('[data-test=c-error]:has-text("联系电话")', { timeout: READY });
  assert.equal(await page.locator('[data-test=c-code]').count(), 0);

  // Too many reports from one place: a 429 in the reader's words (the answer is staged
  // here so as not to use up the run's own allowance).
  await page.route('**/api/v1/public/complaints', (route) => route.fulfill({
    status: 429, contentType: 'application/problem+json', headers: { 'Retry-After': '3600' },
    body: JSON.stringify({ type: 'https://ecohub.example/problems/rate-limited', title: 'Too many requests', detail: 'limit 5 per hour' }),
  }));
  await page.fill('[data-test=c-phone]', '');
  await page.click('[data-test=c-submit]');
  await page.waitForSelector('[data-test=c-error]:has-text("提交过于频繁")', { timeout: READY });
  assert.equal(await page.inputValue('[data-test=c-desc]'), '河道里有死鱼，水面发黑发臭', 'the text is still there');
  await page.unroute('**/api/v1/public/complaints');

  await page.click('.menu-toggle');
  await page.click('[data-test=lang]');
  await page.waitForSelector('h1:has-text("Report an environmental problem")', { timeout: READY });
  assert.match(await page.innerText('[data-test=cat-water]'), /Water pollution/);
  assert.match(await page.innerText('[data-test=p-picker]'), /Photos \(optional, up to 4\)/);
  ctx.assertClean(page);
});

test('complaints: city staff merge a likely duplicate, dispatch a report, and reject one the public then reads', async (ctx) => {
  const d = await staffDistrict(ctx);
  const submit = async (body) => {
    const r = await ctx.api('/api/v1/public/complaints', { method: 'POST', body });
    assert.equal(r.status, 201, r.text.slice(0, 300));
    return r.json.tracking_code;
  };
  // Two reports of one smell about 100 m apart: likely the same.
  const first = await submit({ category: 'water', description: `河水发黑发臭，有排污口 ${STAMP}`, lon: d.lon, lat: d.lat });
  const second = await submit({ category: 'water', description: `河边有暗管排放黑水 ${STAMP}`, lon: d.lon + 0.001, lat: d.lat });
  const third = await submit({ category: 'other', description: `邻居家装修噪音与油漆味 ${STAMP}`, address: `${d.name}某小区 3 号楼` });
  const all = await ctx.api('/api/v1/complaints?limit=100', { token: ctx.users.admin.token });
  assert.equal(all.status, 200, all.text.slice(0, 200));
  const idOf = (code) => all.json.items.find((x) => x.tracking_code === code)?.id;
  const [a, b, c] = [idOf(first), idOf(second), idOf(third)];
  assert.ok(a && b && c, 'the three are listed');

  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  await page.goto(`/console/complaints?id=${a}`);
  await ready(page, 'complaints');
  const dup = page.locator(`[data-test=d-dup][data-id="${b}"]`);
  await dup.waitFor({ timeout: READY });
  await dup.locator('[data-test=d-merge]').click();
  await dup.locator('[data-test=d-merge-confirm]').click();
  await dup.waitFor({ state: 'detached', timeout: READY });
  const merged = await ctx.api(`/api/v1/complaints/${b}`, { token: ctx.users.admin.token });
  assert.equal(merged.json.status, 'merged');
  assert.equal(merged.json.merged_into, a);
  assert.equal((await publicView(ctx, second)).status, 'merged');

  await page.click('[data-test=act-dispatch]');
  await page.selectOption('[data-test=act-district]', String(d.id));
  await page.fill('[data-test=act-note]', '请属地核查排污口');
  await page.click('[data-test=act-confirm]');
  await page.waitForSelector(`[data-test=cmp-detail][data-id="${a}"][data-status=dispatched]`, { timeout: READY });
  await page.waitForSelector('[data-test=d-event][data-event=dispatch]', { timeout: READY });
  assert.ok(await page.locator('[data-test=act-reply]').count(), 'a dispatched report can be answered');

  // Rejected with a reason, which is the public's answer.
  await page.selectOption('[data-test=f-status]', 'submitted');
  const item = page.locator(`[data-test=cmp-item][data-id="${c}"]`);
  await item.click();
  await page.waitForSelector(`[data-test=cmp-detail][data-id="${c}"] [data-test=act-reject]`, { timeout: READY });
  await page.click('[data-test=act-reject]');
  await page.click('[data-test=act-confirm]');
  assert.match(await page.innerText('[data-test=act-error]'), /必填/, 'a rejection needs its reason');
  await page.fill('[data-test=act-text]', `属于邻里纠纷，请向物业或街道反映 ${STAMP}`);
  await page.click('[data-test=act-confirm]');
  await page.waitForSelector(`[data-test=cmp-detail][data-id="${c}"][data-status=rejected]`, { timeout: READY });
  await page.selectOption('[data-test=f-status]', 'rejected');
  // The list is loaded again for the filter: wait for that list, not the old one whose
  // card of this report already says rejected.
  await page.waitForFunction(
    (id) => {
      const items = [...document.querySelectorAll('[data-test=cmp-item]')];
      return items.some((e) => e.dataset.id === String(id)) && items.every((e) => e.dataset.status === 'rejected');
    },
    c,
    { timeout: READY },
  );
  assert.equal(await page.locator('[data-test=cmp-item]:not([data-status=rejected])').count(), 0, 'the filter keeps rejected ones');
  ctx.assertClean(page);

  const pub = await ctx.page({ viewport: 'phone' });
  await pub.goto(`/complaint/${third.toLowerCase()}`);
  await ready(pub, 'complaint-track');
  assert.equal(await pub.getAttribute('[data-test=t-card]', 'data-status'), 'rejected');
  assert.match(await pub.innerText('[data-test=t-reply]'), /邻里纠纷/);
  assert.equal(await pub.getAttribute('[data-step=rejected]', 'data-state'), 'end');
  assert.equal(await pub.locator('[data-test=t-rate]').count(), 0, 'a rejection is not rated');
  assert.equal(await pub.locator('[data-test=t-reopen]').count(), 1, 'a rejection may be reopened');
  ctx.assertClean(pub);
});

test('complaints: a photo the server refuses is named with its reason, and the report stands', async (ctx) => {
  const page = await ctx.page({ viewport: 'phone' });
  ctx.expectHttpError(page, /^400 POST \/api\/v1\/public\/complaints\/\w+\/photos$/);
  await page.goto('/complaint');
  await ready(page, 'complaint');
  await page.click('[data-test=cat-solid_waste]');
  await page.fill('[data-test=c-desc]', `河滩上倾倒建筑垃圾 ${STAMP}`);
  await page.fill('[data-test=c-address]', '城北河滩公园西门外');
  const jpeg = await makeJpeg(page, 400, 300);
  await page.setInputFiles('[data-test=p-input]', [
    { name: 'a.jpg', mimeType: 'image/jpeg', buffer: jpeg },
    { name: 'b.jpg', mimeType: 'image/jpeg', buffer: jpeg },
  ]);
  await page.waitForFunction(() => document.querySelectorAll('[data-test=p-thumb][data-state=ready]').length === 2, null, { timeout: READY });
  // The second photo is refused by the server (staged: a real refusal needs a broken file
  // that the browser's redrawing would never send).
  let n = 0;
  await page.route('**/api/v1/public/complaints/*/photos', (route) => (++n === 2
    ? route.fulfill({ status: 400, contentType: 'application/problem+json', body: JSON.stringify({ type: 'https://ecohub.example/problems/bad-photo', title: 'The photo cannot be kept', detail: 'not a JPEG or PNG' }) })
    : route.continue()));
  await page.click('[data-test=c-submit]');
  await page.waitForSelector('[data-test=c-photos-done][data-sent="1"]', { timeout: READY });
  const code = await page.getAttribute('[data-test=c-code]', 'data-code');
  assert.match(await page.innerText('[data-test=c-photo-failed]'), /b\.jpg：照片无法保存：not a JPEG or PNG/);
  const pub = await publicView(ctx, code);
  assert.equal(pub.status, 'submitted', 'the report stands');
  assert.equal(pub.photos, 1);
  await noSidewaysScroll(page, 'the done panel with a refused photo');
  await ctx.shot(page, 'complaint-photo-refused-phone');
  ctx.assertClean(page);
});

// 登记举报: city staff on a phone write down a complaint taken on the 12369 line. An
// incomplete one is refused by the server, in Chinese beside the form; the draft
// survives a reload without the caller's number; the answer shows the code to read out,
// the district the address names and the deadline; the report opens with its source,
// the list tags it, and the caller follows it on the public page. A leader cannot record.
test('complaints: city staff record a hotline complaint on a phone; the caller follows it by its code; a leader cannot', async (ctx) => {
  const d = await staffDistrict(ctx);
  const desc = `来电反映：化工厂夜间排放刺激性气味 ${STAMP}`;
  const page = await ctx.page({ viewport: 'phone', role: 'staff' });
  ctx.expectHttpError(page, /^400 POST \/api\/v1\/complaints$/);
  await page.goto('/console/complaints');
  await ready(page, 'complaints');
  assert.match(await page.innerText('[data-test=rec-start]'), /登记举报/);
  await page.click('[data-test=rec-start]');
  await page.waitForSelector('[data-test=rec-form]', { timeout: READY });
  assert.equal(await page.getAttribute('[data-test=rec-src-hotline]', 'aria-checked'), 'true', '12369 电话 is the default source');
  assert.match(await page.innerText('[data-test=rec-src-hotline]'), /12369 电话/);

  // No place: the server refuses, and the form names the field in Chinese.
  await page.click('[data-test=rec-cat-air]');
  await page.fill('[data-test=rec-desc]', desc);
  assert.equal(await page.innerText('[data-test=rec-count]'), `${desc.length}/2000`);
  await page.click('[data-test=rec-submit]');
  await page.waitForSelector('[data-test=rec-error]', { timeout: READY });
  assert.match(await page.innerText('[data-test=rec-error]'), /“地点”填写有误：/, 'the refusal names 地点');
  assert.equal(await page.locator('[data-test=rec-code]').count(), 0, 'nothing recorded');

  // The draft survives a reload; the caller's number does not rest in it.
  await page.fill('[data-test=rec-address]', `${d.name}某化工厂东门外`);
  await page.fill('[data-test=rec-note]', '来电人称已持续一周');
  await page.fill('[data-test=rec-phone]', '13900001111');
  await page.reload();
  await ready(page, 'complaints');
  await page.waitForSelector('[data-test=rec-form]', { timeout: READY });
  assert.equal(await page.inputValue('[data-test=rec-desc]'), desc);
  assert.equal(await page.inputValue('[data-test=rec-address]'), `${d.name}某化工厂东门外`);
  assert.equal(await page.getAttribute('[data-test=rec-cat-air]', 'aria-pressed'), 'true');
  assert.equal(await page.inputValue('[data-test=rec-phone]'), '', 'the phone is not in the draft');
  const draft = await page.evaluate(() => sessionStorage.getItem('ecohub.console.complaint.draft'));
  assert.ok(draft && !draft.includes('13900001111'), `the draft has no phone: ${draft}`);
  await page.fill('[data-test=rec-phone]', '13900001111');
  await noSidewaysScroll(page, 'the record form at phone size');
  await ctx.shot(page, 'complaints-record-form-phone');

  await page.click('[data-test=rec-submit]');
  await page.waitForSelector('[data-test=rec-code]', { timeout: READY });
  const code = await page.getAttribute('[data-test=rec-code]', 'data-code');
  assert.match(code, /^[0-9A-Z]{12}$/, `a tracking code: ${code}`);
  assert.equal(await page.innerText('[data-test=rec-code]'), `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`, 'the code in fours');
  assert.match(await page.innerText('[data-test=rec-done]'), /请告知来电人查询码/);
  assert.equal(await page.innerText('[data-test=rec-district]'), d.name, 'the address named the district');
  assert.match(await page.innerText('[data-test=rec-deadline]'), /\d/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('ecohub.console.complaint.draft')), null, 'the draft is gone');
  const box = await page.locator('[data-test=rec-open]').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the open button fits the phone: ${JSON.stringify(box)}`);
  await noSidewaysScroll(page, 'the recorded code at phone size');
  await ctx.shot(page, 'complaints-record-done-phone');

  // Its detail: the source, the code, the masked number; the list tags it too.
  await page.click('[data-test=rec-open]');
  await page.waitForSelector('[data-test=cmp-detail] [data-test=d-source]', { timeout: READY });
  assert.match(await page.innerText('[data-test=d-source]'), /来源：12369 电话/);
  assert.equal(await page.innerText('[data-test=d-code]'), code);
  assert.equal(await page.innerText('[data-test=d-phone]'), '139****1111');
  assert.equal(await page.innerText('[data-test=d-district]'), d.name);
  await noSidewaysScroll(page, 'the recorded report at phone size');
  await ctx.shot(page, 'complaints-record-detail-phone');
  await page.click('[data-test=back]');
  const item = page.locator(`[data-test=cmp-item][data-code="${code}"]`);
  await item.waitFor({ timeout: READY });
  assert.match(await item.locator('[data-test=cmp-source]').innerText(), /12369 电话/);
  const id = Number(await item.getAttribute('data-id'));
  const got = await ctx.api(`/api/v1/complaints/${id}`, { token: ctx.users.admin.token });
  assert.equal(got.status, 200, got.text.slice(0, 200));
  assert.equal(got.json.source, 'hotline');
  assert.equal(got.json.category, 'air');
  // In English the button and the tag follow.
  await page.click('.menu-toggle');
  await page.click('[data-test=lang]');
  await page.waitForSelector('[data-test=rec-start]:has-text("Record a complaint")', { timeout: READY });
  assert.match(await item.locator('[data-test=cmp-source]').innerText(), /12369 hotline/);
  await page.click('[data-test=rec-start]');
  assert.match(await page.innerText('[data-test=rec-form]'), /Caller’s phone/);
  ctx.assertClean(page);

  // The caller follows it on the public page.
  const pub = await ctx.page({ viewport: 'phone' });
  await pub.goto(`/complaint/${code}`);
  await ready(pub, 'complaint-track');
  assert.equal(await pub.innerText('[data-test=t-district]'), d.name);
  assert.equal((await publicView(ctx, code)).status, 'submitted');
  ctx.assertClean(pub);

  // A leader reads only: no button, and ?record=1 opens no form.
  const leader = await ctx.page({ viewport: 'phone', role: 'leader' });
  await leader.goto('/console/complaints?record=1');
  await ready(leader, 'complaints');
  await leader.locator(`[data-test=cmp-item][data-code="${code}"]`).waitFor({ timeout: READY });
  assert.equal(await leader.locator('[data-test=rec-start]').count(), 0, 'no 登记举报 for a leader');
  assert.equal(await leader.locator('[data-test=rec-form]').count(), 0, 'no form for a leader');
  ctx.assertClean(leader);
});

// 个人信息查询 and 删除联系方式 (个人信息保护法 arts. 45, 47): a person who reported on the
// portal with their phone asks what the bureau holds. City staff on a phone find the
// report by the number as the person says it (with +86 and spaces), the page saying the
// identity must be checked and the query is recorded; a bad number is refused in Chinese;
// an unknown one finds nothing. Asked to delete the number, they do so with a reason: the
// masked phone is gone and the time line says why; the query and the erasure are audited.
// District staff and leaders are not offered the search.
test('complaints: city staff find a person\'s complaints by phone and delete the number on request; district staff and leaders cannot search', async (ctx) => {
  const d = await staffDistrict(ctx);
  const digits = String(Date.now()).slice(-8);
  const number = `136${digits}`;
  const masked = `136****${digits.slice(-4)}`;
  const desc = `小区旁餐馆油烟直排，居民窗户无法打开 ${STAMP}`;
  const sent = await ctx.api('/api/v1/public/complaints', {
    method: 'POST', body: { category: 'air', description: desc, lon: d.lon, lat: d.lat, phone: number },
  });
  assert.equal(sent.status, 201, sent.text.slice(0, 300));
  const code = sent.json.tracking_code;

  const page = await ctx.page({ viewport: 'phone', role: 'staff' });
  ctx.expectHttpError(page, /^400 POST \/api\/v1\/complaints\/personal-data$/);
  await page.goto('/console/complaints');
  await ready(page, 'complaints');
  assert.match(await page.innerText('[data-test=pi-start]'), /个人信息查询/);
  await page.click('[data-test=pi-start]');
  await page.waitForSelector('[data-test=pi-form]', { timeout: READY });
  const note = await page.innerText('[data-test=pi-note]');
  assert.match(note, /核实其身份/, 'the identity is to be checked first');
  assert.match(note, /审计日志/, 'every query is recorded');

  // A bad number: the server's 400, in Chinese.
  await page.fill('[data-test=pi-phone]', '12ab');
  await page.click('[data-test=pi-submit]');
  await page.waitForSelector('[data-test=pi-error]', { timeout: READY });
  assert.match(await page.innerText('[data-test=pi-error]'), /号码格式不正确/);
  // A number nobody gave.
  await page.fill('[data-test=pi-phone]', '13000000007');
  await page.click('[data-test=pi-submit]');
  await page.waitForSelector('[data-test=pi-result]', { timeout: READY });
  assert.equal(await page.innerText('[data-test=pi-none]'), '未找到该号码的举报');
  assert.equal(await page.locator('[data-test=pi-error]').count(), 0, 'the error went with the new query');

  // The person's number as they say it.
  await page.fill('[data-test=pi-phone]', `+86 136 ${digits.slice(0, 4)} ${digits.slice(4)}`);
  await page.click('[data-test=pi-submit]');
  const card = page.locator(`[data-test=pi-item][data-code="${code}"]`);
  await card.waitFor({ timeout: READY });
  assert.equal(await page.locator('[data-test=pi-item]').count(), 1, 'only that report carries the number');
  const summary = await page.innerText('[data-test=pi-summary]');
  assert.match(summary, /：找到 1 件举报$/);
  assert.ok(summary.includes(digits.slice(-4)) && !summary.includes(digits), `the number searched, masked: ${summary}`);
  const text = await card.innerText();
  assert.match(text, /大气污染/);
  assert.match(text, /已提交/);
  assert.ok(text.includes(d.name), `the card names the district: ${text}`);
  assert.ok(text.includes(masked), `the card shows the masked phone: ${text}`);
  assert.ok(!text.includes(number), 'never the number in clear');
  await noSidewaysScroll(page, 'personal data search at phone size');
  await ctx.shot(page, 'complaints-personal-data-phone');
  const id = Number(await card.getAttribute('data-id'));
  const q = await ctx.api(`/api/v1/audit?action=complaints.personal_data`, { token: ctx.users.leader.token });
  assert.equal(q.status, 200, q.text.slice(0, 200));
  assert.ok(q.json.items.some((e) => /web_staff/.test(e.actor)), `the query is recorded: ${q.text.slice(0, 300)}`);

  // Its detail: the number deleted on request, with the reason in the time line.
  // An administrator has the same report open meanwhile, about to delete the number too.
  const admin = await ctx.page({ viewport: 'desktop', role: 'admin' });
  ctx.expectHttpError(admin, new RegExp(`^409 POST /api/v1/complaints/${id}/erase-contact$`));
  await admin.goto(`/console/complaints?id=${id}`);
  await admin.waitForSelector(`[data-test=cmp-detail][data-id="${id}"] [data-test=d-erase]`, { timeout: READY });
  await admin.click('[data-test=d-erase]');
  await admin.fill('[data-test=erase-reason]', '本人来访要求删除');

  await card.click();
  await page.waitForSelector(`[data-test=cmp-detail][data-id="${id}"] [data-test=d-phone]`, { timeout: READY });
  assert.equal(await page.innerText('[data-test=d-phone]'), masked);
  await page.click('[data-test=d-erase]');
  await page.waitForSelector('[data-test=erase-form]', { timeout: READY });
  assert.match(await page.innerText('[data-test=erase-note]'), /应本人要求删除，删除后无法恢复/);
  await page.click('[data-test=erase-confirm]');
  assert.match(await page.innerText('[data-test=erase-error]'), /请填写删除原因/, 'no reason, no erasure');
  const reason = `本人来电要求删除 ${STAMP}`;
  await page.fill('[data-test=erase-reason]', reason);
  await noSidewaysScroll(page, 'the erase form at phone size');
  await ctx.shot(page, 'complaints-erase-form-phone');
  await page.click('[data-test=erase-confirm]');
  await page.waitForSelector('[data-test=erase-form]', { state: 'detached', timeout: READY });
  await page.waitForSelector('[data-test=d-phone]', { state: 'detached', timeout: READY });
  assert.equal(await page.locator('[data-test=d-erase]').count(), 0, 'nothing left to delete');
  assert.equal(await page.innerText('[data-test=d-no-phone]'), '已删除', 'deleted, not 未留电话');
  await page.waitForFunction((r) => document.querySelector('[data-test=d-timeline]')?.innerText.includes(`应本人要求删除联系方式：${r}`), reason, { timeout: READY });
  await noSidewaysScroll(page, 'the report without its phone at phone size');
  await ctx.shot(page, 'complaints-erased-phone');
  const after = await ctx.api(`/api/v1/complaints/${id}`, { token: ctx.users.admin.token });
  assert.equal(after.json.phone_masked, null, 'the server keeps no phone');
  const again = await ctx.api('/api/v1/complaints/personal-data', { method: 'POST', token: ctx.users.admin.token, body: { phone: number } });
  assert.equal(again.json.items.length, 0, 'the number finds nothing any more');
  // The administrator, late: told there is nothing left, the page refreshed.
  await admin.click('[data-test=erase-confirm]');
  await admin.waitForSelector('[data-test=erase-error]', { timeout: READY });
  assert.equal(await admin.innerText('[data-test=erase-error]'), '该举报已无联系方式');
  await admin.waitForSelector('[data-test=d-no-phone]', { timeout: READY });
  ctx.assertClean(admin);
  const erased = await ctx.api(`/api/v1/audit?action=complaints.contact_erased&object=complaint:${id}`, { token: ctx.users.leader.token });
  assert.equal(erased.json.items.length, 1, `the erasure is recorded: ${erased.text.slice(0, 300)}`);
  // In English the button follows.
  await page.click('[data-test=back]');
  await page.click('.menu-toggle');
  await page.click('[data-test=lang]');
  await page.waitForSelector('[data-test=pi-start]:has-text("Personal data")', { timeout: READY });
  ctx.assertClean(page);

  // District staff and leaders: no search, and ?pi=1 opens nothing.
  for (const role of ['district_staff', 'leader']) {
    const other = await ctx.page({ viewport: 'phone', role });
    await other.goto('/console/complaints?pi=1');
    await ready(other, 'complaints');
    await other.locator('[data-test=cmp-item]').first().waitFor({ timeout: READY });
    assert.equal(await other.locator('[data-test=pi-start]').count(), 0, `no 个人信息查询 for ${role}`);
    assert.equal(await other.locator('[data-test=pi-form]').count(), 0, `no search form for ${role}`);
    ctx.assertClean(other);
  }
});
