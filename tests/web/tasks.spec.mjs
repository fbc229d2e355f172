// Grid tasks (网格任务, issue 16): an alarm of the district becomes a task with one
// click on the alarms page; the district's staff give it to the inspector of its grid;
// the inspector, on a 390×844 phone, finds it under 我的任务, writes what was found,
// reloads (the draft is still there), records the position and submits; the staff
// approve it and the time line shows every step. No page scrolls sideways.
import { test, assert } from './lib.mjs';

const READY = 30000;

async function ready(page) {
  await page.waitForSelector('main[data-page="tasks"][data-ready="tasks"]', { state: 'attached', timeout: READY });
}

async function noSidewaysScroll(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `${what} scrolls sideways by ${overflow}px`);
}

test('tasks: an alarm becomes a task that the inspector records from a phone and the district closes', async (ctx) => {
  const { admin, district_staff: staffUser, inspector: insp } = ctx.users;
  const D = insp.district_id;
  // The inspector's district gets one grid (a square of 1.2° around its label point)
  // worked by the inspector.
  const districts = await ctx.api('/api/v1/districts', { token: admin.token });
  const d = districts.json.items.find((x) => x.id === D);
  assert.ok(d, `district ${D} is listed`);
  const s = 0.6;
  const ring = [[d.lon - s, d.lat - s], [d.lon + s, d.lat - s], [d.lon + s, d.lat + s], [d.lon - s, d.lat + s], [d.lon - s, d.lat - s]];
  const grid = await ctx.api('/api/v1/grids', {
    method: 'POST',
    token: admin.token,
    body: { district_id: D, code: 'WEB-G1', name: '网页测试网格', geometry: { type: 'Polygon', coordinates: [ring] }, inspectors: [insp.me.id] },
  });
  assert.equal(grid.status, 201, grid.text.slice(0, 300));

  // The district's staff turn an alarm of theirs into a task.
  const staff = await ctx.page({ viewport: 'desktop', role: 'district_staff' });
  await staff.goto('/console/alarms');
  await staff.waitForSelector('main[data-page="alarms"][data-ready="alarms"]', { state: 'attached', timeout: READY });
  const button = staff.locator('[data-test=to-task]').first();
  assert.ok(await button.count() > 0, `the alarms page offers 生成任务 to ${staffUser.username}`);
  await button.click();
  await staff.waitForURL(/\/console\/tasks\?id=\d+/, { timeout: READY });
  await ready(staff);
  const detail = staff.locator('[data-test=task-detail][data-id]');
  await detail.waitFor({ timeout: READY });
  const id = Number(await detail.getAttribute('data-id'));
  assert.ok(id > 0, 'the task opened');
  assert.equal(await detail.getAttribute('data-status'), 'open');
  assert.match(await staff.locator('[data-test=d-title]').innerText(), /^核查(超标|数据异常|设备离线)：/);
  // To the inspector: from the grid's list when the alarm's site is in the grid.
  const who = staff.locator('[data-test=assign-who]');
  if ((await who.evaluate((e) => e.tagName)) === 'SELECT') await who.selectOption(String(insp.me.id));
  else await who.fill(String(insp.me.id));
  await staff.click('[data-test=act-assign]');
  await staff.waitForSelector('[data-test=task-detail][data-status="assigned"]', { timeout: READY });
  assert.equal((await staff.locator('[data-test=d-assignee]').innerText()).trim(), insp.username);
  ctx.assertClean(staff);

  // The inspector, on a phone: 我的任务 is the first page and holds it.
  const phone = await ctx.page({ viewport: 'phone', role: 'inspector' });
  await phone.context().grantPermissions(['geolocation']);
  await phone.context().setGeolocation({ longitude: d.lon, latitude: d.lat });
  await phone.goto('/console');
  await phone.waitForURL('**/console/tasks', { timeout: READY });
  await ready(phone);
  const card = phone.locator(`[data-test=task-card][data-id="${id}"]`);
  await card.waitFor({ timeout: READY });
  await noSidewaysScroll(phone, 'the task list on a phone');
  await card.click();
  await phone.waitForSelector(`[data-test=task-detail][data-id="${id}"]`, { timeout: READY });
  await phone.locator('[data-test=record-text]').fill('现场核查：排口在线监测数据偏高，企业已停机检修');
  // A reload (or a lost connection) keeps the draft.
  await phone.reload();
  await phone.waitForSelector('[data-test=record-text]', { timeout: READY });
  assert.equal(await phone.locator('[data-test=record-text]').inputValue(), '现场核查：排口在线监测数据偏高，企业已停机检修');
  await phone.click('[data-test=locate]');
  await phone.waitForSelector('[data-test=located]', { timeout: READY });
  await noSidewaysScroll(phone, 'the record form on a phone');
  await ctx.shot(phone, 'tasks-record-phone');
  await phone.click('[data-test=record-submit]');
  await phone.waitForSelector('[data-test=task-detail][data-status="submitted"]', { timeout: READY });
  await phone.waitForSelector('[data-test=d-record]', { timeout: READY });
  assert.equal(await phone.locator('[data-test=record-form]').count(), 0, 'no form once submitted');
  const draft = await phone.evaluate((k) => localStorage.getItem(k), `ecohub.task.${id}.record`);
  assert.equal(draft, null, 'the draft is gone once submitted');
  ctx.assertClean(phone);

  // The staff approve; the time line has every step.
  await staff.reload();
  await ready(staff);
  await staff.click('[data-test=act-approve]');
  await staff.waitForSelector('[data-test=task-detail][data-status="closed"]', { timeout: READY });
  const events = await staff.$$eval('[data-test=d-timeline] li', (els) => els.map((e) => e.dataset.event));
  assert.deepEqual(events, ['approve', 'submit', 'assign', 'create']);
  const api = await ctx.api(`/api/v1/tasks/${id}`, { token: staffUser.token });
  assert.equal(api.json.status, 'closed');
  assert.ok(Math.abs(api.json.record.lon - d.lon) < 1e-5, `the record carries the phone's position: ${JSON.stringify(api.json.record)}`);
  ctx.assertClean(staff);
});
