// Enforcement cases (执法检查, src/api/case_routes.cc): the city's staff record an
// inspection with a violation through the console's form (one line 不符合, a second
// officer made here added by user id; the draft survives a reload), see the case, then
// take every step through the page's buttons — the penalty (52 000.50 yuan), a
// rectification ordered and passed, a close refused while the fine is unpaid (the
// server's 409 in its words), the payment, the close — and find them on the time line
// in that order. The enterprise reads its own case without buttons and is refused
// another's; its file lists the case; on a 390×844 phone the form and the case do not
// scroll sideways.
import { test, assert } from './lib.mjs';

const READY = 30000;

async function ready(page, name) {
  await page.waitForSelector(`main[data-page="${name}"][data-ready="${name}"]`, { state: 'attached', timeout: READY });
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} scrolls sideways by ${overflow}px`);
}

// Takes step `kind` from its button: opens its form, fills it, submits, waits for the
// case's next version (or for the refusal when `refused`).
async function takeStep(page, kind, fill = async () => {}, { refused = false } = {}) {
  const detail = page.locator('[data-test=case-detail]');
  const version = Number(await detail.getAttribute('data-version'));
  await page.click(`[data-test=act-${kind}]`);
  await page.waitForSelector(`[data-test=form-${kind}]`, { timeout: READY });
  await fill();
  await page.click('[data-test=p-submit]');
  if (refused) {
    await page.waitForSelector('[data-test=case-error]', { timeout: READY });
    return;
  }
  await page.waitForSelector(`[data-test=case-detail][data-version="${version + 1}"]`, { timeout: READY });
  await page.waitForSelector('[data-test=case-done]', { timeout: READY });
}

test('cases: an inspection recorded on the form, penalized, rectified, paid and closed from the page', async (ctx) => {
  const { admin, staff, enterprise: entUser } = ctx.users;
  const entId = entUser.enterprise_id;
  assert.ok(entId > 0, 'the enterprise account has an enterprise');
  // Two officers of the city.
  const made = [];
  for (const [username, name] of [['web_case_a', '执法员甲'], ['web_case_b', '执法员乙']]) {
    const r = await ctx.api('/api/v1/users', {
      method: 'POST',
      token: admin.token,
      body: { username, password: 'Web-case-pass-2026', role: 'staff', display_name: name, district_id: 0, department: 'monitoring' },
    });
    assert.equal(r.status, 201, r.text.slice(0, 300));
    made.push(r.json.id);
  }

  // The form, opened as the enterprise's file opens it.
  const page = await ctx.page({ viewport: 'desktop', role: 'staff' });
  await page.goto(`/console/cases?new=1&enterprise=${entId}`);
  await ready(page, 'cases');
  assert.equal((await page.locator('[data-menu=cases]').innerText()).trim(), '执法检查');
  await page.waitForSelector(`[data-test=f-ent-chosen][data-id="${entId}"]`, { timeout: READY });
  await page.waitForSelector(`[data-test=f-officer][data-id="${staff.me.id}"]`, { timeout: READY });
  assert.equal(await page.isChecked(`[data-test=f-officer][data-id="${staff.me.id}"]`), true, 'the recorder is the first officer');
  const lines = await page.$$eval('[data-test^=f-item-text-]', (xs) => xs.map((x) => x.value));
  assert.deepEqual(lines, ['排污许可证执行情况', '污染防治设施运行情况', '自动监测设备运行情况', '台账记录']);
  await page.fill('[data-test=f-officer-id]', String(made[0]));
  await page.click('[data-test=f-officer-add]');
  await page.click('[data-test=f-item-bad-1]');
  assert.equal(await page.isChecked('[data-test=f-violation]'), true, 'a line 不符合 marks the violation');
  await page.fill('[data-test=f-item-finding-1]', '除尘设施未运行');
  await page.fill('[data-test=f-findings]', '现场检查时二号生产线正在生产，配套除尘设施停运。');

  // A reload keeps the draft.
  await page.reload();
  await ready(page, 'cases');
  await page.waitForSelector('[data-test=case-form]', { timeout: READY });
  assert.equal(await page.inputValue('[data-test=f-findings]'), '现场检查时二号生产线正在生产，配套除尘设施停运。');
  assert.equal(await page.inputValue('[data-test=f-item-finding-1]'), '除尘设施未运行');
  assert.equal(await page.getAttribute('[data-test=f-item-bad-1]', 'aria-pressed'), 'true');
  await page.waitForSelector(`[data-test=f-officer-other][data-id="${made[0]}"]`, { timeout: READY });
  await page.fill('[data-test=f-violation-text]', '二号生产线除尘设施未正常运行，颗粒物直接排放。');
  await page.fill('[data-test=f-legal-basis]', '《中华人民共和国大气污染防治法》第一百零八条');
  await ctx.shot(page, 'cases-form');
  await page.click('[data-test=f-submit]');
  await page.waitForURL(/\/console\/cases\?id=\d+/, { timeout: READY });
  const detail = page.locator('[data-test=case-detail][data-status="violation"]');
  await detail.waitFor({ timeout: READY });
  const id = Number(await detail.getAttribute('data-id'));
  assert.ok(id > 0, 'the case opened');
  const recorded = (await ctx.api(`/api/v1/cases/${id}`, { token: admin.token })).json;
  assert.equal(recorded.enterprise_id, entId);
  assert.deepEqual(recorded.officers.map((o) => o.id), [staff.me.id, made[0]]);
  assert.deepEqual(recorded.items.map((i) => i.compliant), [true, false, true, true]);
  assert.equal(recorded.items[1].finding, '除尘设施未运行');
  assert.equal(await page.evaluate(() => localStorage.getItem('ecohub.case.new')), null, 'the draft is gone once saved');
  assert.deepEqual(await page.$$eval('[data-test=d-item]', (rs) => rs.map((r) => r.querySelector('.res').textContent.trim()[0])), ['✓', '✗', '✓', '✓']);
  assert.match(await page.locator('[data-test=d-officers]').innerText(), /执法员甲/);
  await page.waitForSelector(`[data-test=case-card][data-id="${id}"]`, { timeout: READY });
  // What applies to a fresh violation: a penalty, a rectification, and the close (refused).
  const offered = await page.$$eval('[data-test^=act-]', (bs) => bs.map((b) => b.dataset.test.slice(4)));
  assert.deepEqual(offered, ['penalty', 'rectification', 'close', 'note']);

  // 处罚决定: 52 000.50 yuan.
  await takeStep(page, 'penalty', async () => {
    await page.fill('[data-test=p-decision]', '市环罚〔2026〕12号');
    await page.fill('[data-test=p-fine]', '52000.5');
  });
  assert.match(await page.locator('[data-test=d-fine]').innerText(), /52,000\.50 元/);
  assert.equal(await page.getAttribute('[data-test=d-penalty]', 'data-paid'), 'no');
  // 责令整改, then the check passes.
  await takeStep(page, 'rectification', async () => {
    await page.fill('[data-test=p-text]', '恢复除尘设施正常运行并提交运行记录');
  });
  await page.waitForSelector('[data-test=case-detail][data-status="rectifying"]', { timeout: READY });
  await takeStep(page, 'check', async () => {
    await page.fill('[data-test=p-text]', '除尘设施已恢复运行，运行记录完整');
  });
  // 结案 with the fine unpaid: the server says no, in its words.
  ctx.expectHttpError(page, /^409 POST \/api\/v1\/cases\/\d+\/close$/);
  await takeStep(page, 'close', async () => {}, { refused: true });
  assert.match(await page.locator('[data-test=case-error]').innerText(), /罚款尚未缴纳/);
  assert.match(await page.locator('[data-test=d-pending]').innerText(), /罚款未缴纳/);
  await page.click('[data-test=act-close]'); // fold the refused form
  // 缴款, then 结案.
  await takeStep(page, 'payment');
  assert.equal(await page.getAttribute('[data-test=d-penalty]', 'data-paid'), 'yes');
  await takeStep(page, 'close', async () => {
    await page.fill('[data-test=p-text]', '处罚已执行，整改完成');
  });
  await page.waitForSelector('[data-test=case-detail][data-status="closed"]', { timeout: READY });
  const events = await page.$$eval('[data-test=d-event]', (es) => es.map((e) => e.dataset.event));
  assert.deepEqual(events, ['record', 'penalty', 'order', 'check', 'payment', 'close']);
  const after = (await ctx.api(`/api/v1/cases/${id}`, { token: admin.token })).json;
  assert.equal(after.penalty.fine_yuan, 52000.5);
  assert.ok(after.penalty.paid_at && after.rectification.rectified_at, 'paid and rectified');
  assert.deepEqual(await page.$$eval('[data-test^=act-]', (bs) => bs.map((b) => b.dataset.test.slice(4))), ['note']);
  await ctx.shot(page, 'cases-detail');
  ctx.assertClean(page);

  // Another enterprise's case, recorded through the API.
  const ents = (await ctx.api('/api/v1/enterprises?limit=1000', { token: admin.token })).json.items;
  const other = ents.find((e) => e.id !== entId);
  const r = await ctx.api('/api/v1/cases', {
    method: 'POST',
    token: admin.token,
    body: {
      enterprise_id: other.id,
      inspected_at: new Date(Date.now() - 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'),
      officers: made,
      items: [{ text: '排污许可证执行情况', compliant: true }],
      findings: '未发现问题',
      violation: false,
    },
  });
  assert.equal(r.status, 201, r.text.slice(0, 300));

  // The enterprise: its own case, read only; another's refused.
  const ent = await ctx.page({ viewport: 'desktop', role: 'enterprise' });
  await ent.goto('/console/cases');
  await ready(ent, 'cases');
  await ent.waitForSelector(`[data-test=case-card][data-id="${id}"]`, { timeout: READY });
  const ids = await ent.$$eval('[data-test=case-card]', (cs) => cs.map((c) => Number(c.dataset.id)));
  assert.ok(!ids.includes(r.json.id), 'only its own cases');
  assert.equal(await ent.locator('[data-test=case-new]').count(), 0);
  await ent.click(`[data-test=case-card][data-id="${id}"]`);
  await ent.waitForSelector(`[data-test=case-detail][data-id="${id}"]`, { timeout: READY });
  await ent.waitForSelector('[data-test=d-readonly]', { timeout: READY });
  assert.equal(await ent.locator('[data-test^=act-]').count(), 0, 'no step buttons');
  assert.equal(await ent.locator('[data-test=d-event]').count(), 6);
  await ctx.shot(ent, 'cases-enterprise');
  ent.__eh.expected.push(new RegExp(`^403 GET /api/v1/cases/${r.json.id}$`));
  await ent.goto(`/console/cases?id=${r.json.id}`);
  await ready(ent, 'cases');
  await ent.waitForSelector('[data-test=no-right]', { timeout: READY });
  assert.match(await ent.locator('[data-test=no-right]').innerText(), /无权查看/);
  ctx.assertClean(ent);

  // The enterprise's file lists the case and offers staff a new record.
  await page.goto(`/console/enterprises/${entId}/file`);
  await ready(page, 'enterprise-file');
  const row = page.locator(`[data-test=file-case][data-id="${id}"]`);
  await row.waitFor({ timeout: READY });
  assert.equal(await row.getAttribute('href'), `/console/cases?id=${id}`);
  assert.equal(await row.getAttribute('data-status'), 'closed');
  assert.equal(await page.getAttribute('[data-test=file-case-new]', 'href'), `/console/cases?new=1&enterprise=${entId}`);
  await page.locator('[data-test=file-cases]').screenshot({ path: `${ctx.out}/screenshots/cases-file-section.png` });
  ctx.assertClean(page);

  // A phone: the form and the case fit.
  const phone = await ctx.page({ viewport: 'phone', role: 'staff' });
  await phone.goto(`/console/cases?new=1&enterprise=${entId}`);
  await ready(phone, 'cases');
  await phone.waitForSelector(`[data-test=f-ent-chosen][data-id="${entId}"]`, { timeout: READY });
  await phone.click('[data-test=f-item-bad-0]');
  await noSidewaysScroll(phone, 'the inspection form on a phone');
  await ctx.shot(phone, 'cases-form-phone');
  await phone.click('[data-test=f-clear]');
  await phone.goto(`/console/cases?id=${id}`);
  await ready(phone, 'cases');
  await phone.waitForSelector(`[data-test=case-detail][data-id="${id}"] [data-test=d-timeline]`, { timeout: READY });
  await noSidewaysScroll(phone, 'a case on a phone');
  await ctx.shot(phone, 'cases-detail-phone');
  ctx.assertClean(phone);
});
