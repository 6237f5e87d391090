// Journey: a grid worker on a phone sees a resident's visits newest first with who and when, and
// corrects one; marks a resident deceased (asked first, in words that say what happens), who then
// leaves Today and the ledger with their history kept, and restores them; marks a household moved
// away, whose residents leave Today, and restores it; and a resident marked moved away gets no
// pack: those still to hand over are withdrawn from the volunteer's list.
import { expect, test, type Page } from "@playwright/test";
import { DeliveriesPage } from "../pages/deliveries-page";
import { LoginPage } from "../pages/login-page";
import { ResidentPage, VisitCorrection } from "../pages/resident-page";
import { logIn, syncNow, waitSynced } from "../pages/session";
import { TodayPage, type DueRow } from "../pages/today-page";
import { LedgerPage, VisitForm } from "../pages/worker-pages";
import { admin, gridWorker, volunteer } from "./demo";

/** The demo grid worker logged in, on Today, synced. */
async function today(page: Page): Promise<TodayPage> {
  const login = new LoginPage(page);
  await login.open();
  await login.logIn(gridWorker.username, gridWorker.password);
  const t = new TodayPage(page);
  await t.expectOpen();
  await waitSynced(page);
  return t;
}

/** Whether Today, searched for the resident's name, lists them. */
async function onToday(page: Page, who: DueRow): Promise<number> {
  await page.getByTestId("nav-today").click();
  const t = new TodayPage(page);
  await t.search(who.name);
  // The search narrows the list; wait until it has settled on this name.
  await expect(page.getByTestId("today-count")).toContainText("找到");
  return t.item(who.id).count();
}

/** How many ledger rows are the resident's. */
async function onLedger(page: Page, who: DueRow): Promise<number> {
  await page.getByTestId("nav-ledger").click();
  const ledger = new LedgerPage(page);
  await expect(ledger.rows().first()).toBeVisible();
  // The ledger draws only the rows on the screen: narrow it to the name, then every drawn row bears it.
  await ledger.search(who.name);
  await expect(ledger.rows().filter({ hasNotText: who.name })).toHaveCount(0);
  return page.locator(`[data-testid="ledger-row"][data-resident="${who.id}"]`).count();
}

test("a visit shows first in the history with who and when, and is corrected in place", async ({ page }) => {
  const t = await today(page);
  const who = await t.row(0);
  await t.item(who.id).getByTestId("today-row").click();
  const resident = new ResidentPage(page);
  await resident.expectOpen(who.id);
  const before = await resident.historyRows().count();

  await resident.recordVisit();
  const visit = new VisitForm(page);
  await visit.field("spo2").fill("96");
  await visit.save();
  await page.getByTestId("back-to-resident").click();
  await resident.expectOpen(who.id);
  await expect(resident.historyRows()).toHaveCount(before + 1);
  const history = await resident.history();
  expect(history[0].who).toBe(gridWorker.name);
  expect(history[0].found).toContain("SpO2 96%");
  for (const row of history) expect(row.when).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  const whens = history.map((r) => r.when);
  expect(whens).toEqual([...whens].sort().reverse());

  // Correct it: the form holds what was recorded; saving edits the same visit.
  await resident.correct(0);
  const correction = new VisitCorrection(page);
  await expect(page.getByTestId("visit-recorded")).toContainText(`走访人：${gridWorker.name}`);
  await expect(correction.field("spo2")).toHaveValue("96");
  await correction.field("spo2").fill("97");
  await correction.save();
  await correction.backToResident();
  await resident.expectOpen(who.id);
  await expect(resident.historyRows()).toHaveCount(before + 1);
  await expect(resident.historyRows().first().getByTestId("visit-found")).toContainText("SpO2 97%");
  expect((await resident.history())[0].when).toBe(history[0].when);

  // A correction is checked like the visit itself.
  await resident.correct(0);
  await correction.field("spo2").fill("120");
  await page.getByTestId("save").click();
  await expect(page.getByTestId("error-spo2")).toBeVisible();
});

test("a resident marked deceased leaves Today and the ledger, keeps the history, and comes back when restored", async ({ page }) => {
  const t = await today(page);
  const who = await t.row(1);
  expect(await onLedger(page, who)).toBe(1);
  const resident = new ResidentPage(page);
  await resident.open(who.id);
  await expect(resident.historyRows().first()).toBeVisible();
  const history = await resident.history();

  // A move needs a reason; a date after today is refused.
  await resident.status.fill("moved_away", "");
  await expect(resident.status.problem()).toHaveText("请填写原因（例如搬去哪里）。");
  await page.getByTestId("departure-cancel").click();
  await resident.status.fill("deceased", "", "2999-01-01");
  await expect(resident.status.problem()).toHaveText("日期不能晚于今天。");
  await page.getByTestId("departure-cancel").click();

  await resident.status.fill("deceased", "家属告知");
  await expect(resident.status.confirmation()).toContainText("已去世");
  await expect(resident.status.confirmation()).toContainText("将从今日待访、台账和健康包名单中移出，走访记录保留");
  await resident.status.confirm();
  await expect(page.getByTestId("departure-status")).toHaveText("已去世");
  await expect(page.getByTestId("departure-reason")).toHaveText("家属告知");
  expect(await resident.history()).toEqual(history);

  expect(await onToday(page, who)).toBe(0);
  expect(await onLedger(page, who)).toBe(0);

  await resident.open(who.id);
  expect(await resident.history()).toEqual(history);
  await resident.status.restore();
  expect(await onToday(page, who)).toBe(1);
  expect(await onLedger(page, who)).toBe(1);
});

test("a household moved away takes its residents off Today until it is restored", async ({ page }) => {
  const t = await today(page);
  const who = await t.row(2);
  const resident = new ResidentPage(page);
  await resident.open(who.id);
  await resident.openHousehold();
  await resident.status.fill("moved_away", "全家搬去外地");
  await expect(resident.status.confirmation()).toContainText("住户内所有居民将从今日待访");
  await resident.status.confirm();
  await expect(page.getByTestId("departure-status")).toHaveText("已搬离");
  const household = page.url();

  expect(await onToday(page, who)).toBe(0);
  // On the resident's own page: gone with the household, restored there.
  await resident.open(who.id);
  await expect(page.getByTestId("departure-banner")).toContainText("随住户");
  await expect(page.getByTestId("restore")).toHaveCount(0);
  await page.getByTestId("departure-household").click();
  await expect(page).toHaveURL(household);
  await resident.status.restore();
  expect(await onToday(page, who)).toBe(1);
});

test("a resident marked moved away gets no pack: the volunteer's door is withdrawn", async ({ browser, page }) => {
  await logIn(page, admin);
  const deliveries = new DeliveriesPage(page);
  await deliveries.open();
  // The last of 陈静's doors still to do, so that the journeys after this one keep the first.
  const card = page
    .locator('[data-testid="delivery"][data-status="pending"]')
    .filter({ has: page.getByTestId("door-volunteer").filter({ hasText: volunteer.name }) })
    .last();
  await expect(card).toBeVisible();
  const id = (await card.getAttribute("data-id"))!;

  // Her phone lists the door.
  const phone = await browser.newContext();
  const theirs = await phone.newPage();
  await logIn(theirs, volunteer);
  await waitSynced(theirs);
  const list = new DeliveriesPage(theirs);
  await list.open();
  await expect(list.card(id)).toHaveCount(1);

  await card.getByTestId("door-resident").click();
  await expect(page).toHaveURL(/\/residents\//);
  const resident = new ResidentPage(page);
  await resident.status.fill("moved_away", "搬去女儿家");
  await expect(page.getByTestId("departure-packs")).toHaveText("同时撤回 1 个尚未送达的健康包，志愿者不会再上门配送。");
  await resident.status.confirm();
  await waitSynced(page);
  await deliveries.open();
  await expect(deliveries.card(id)).toHaveCount(0);

  // After her next sync the door is gone from her list, the others stay.
  await syncNow(theirs);
  await list.open();
  await expect(list.cards().first()).toBeVisible();
  await expect(list.card(id)).toHaveCount(0);
  await phone.close();
});
