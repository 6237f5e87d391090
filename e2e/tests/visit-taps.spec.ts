// Journey: a grid worker on a cheap phone opens Knock and lands on Today; a visit that finds no
// warning sign, from Today's row to the next resident's form, takes at most 5 taps. Today shows
// everyone due (reached by scrolling, searchable) with a call button a thumb can hit. Each other
// role lands on its own first task too.
import { expect, test, type Page } from "@playwright/test";
import { HomePage } from "../pages/home-page";
import { LoginPage } from "../pages/login-page";
import { waitSynced, type Account } from "../pages/session";
import { AfterVisit, Taps, TodayPage } from "../pages/today-page";
import { VisitForm } from "../pages/worker-pages";
import { scrollThrough } from "../pages/windowed-list";
import { gridWorker, supervisor, volunteer } from "./demo";

/** The most taps a visit with no warning sign may take, from Today to the next resident. */
const MAX_TAPS = 5;
/** A touch target a finger hits without a second try. */
const MIN_TARGET_PX = 48;

async function logInFresh(page: Page, who: Account) {
  const login = new LoginPage(page);
  await login.open();
  await login.logIn(who.username, who.password);
}

/** The demo grid worker logged in, on Today (where they land), with the first sync done. */
async function todayOfGridWorker(page: Page): Promise<TodayPage> {
  await logInFresh(page, gridWorker);
  const today = new TodayPage(page);
  await today.expectOpen();
  await waitSynced(page);
  return today;
}

test("a visit with no warning sign takes at most 5 taps from Today, and the next resident is offered", async ({ page }) => {
  const today = await todayOfGridWorker(page);

  const total = await today.total();
  const first = await today.row(0);
  const second = await today.row(1);
  expect(first.id).not.toBe(second.id);

  const taps = new Taps();
  await taps.tap(today.visitButton(first.id));
  await expect(page.getByTestId("visit-resident")).toContainText(first.name);
  const visit = new VisitForm(page);
  // At the door: a call would not meet the in-person visits of an offline channel (线下渠道).
  await taps.select(visit.field("method"), "in_person");
  await taps.tap(page.getByTestId("save"));
  await expect(page.getByTestId("visit-saved")).toBeVisible();
  await expect(page.getByTestId("visit-warning")).toHaveCount(0);
  const after = new AfterVisit(page);
  await expect(after.next()).toHaveText(`下一位：${second.name}`);
  await expect(after.backToToday()).toHaveText("回到今日");
  await taps.tap(after.next());
  // A fresh form for the next resident, not the saved one.
  await expect(page.getByTestId("visit-resident")).toContainText(second.name);
  await expect(page.getByTestId("visit-form")).toBeVisible();
  await expect(visit.field("method")).toHaveValue("in_person");
  await expect(page.getByTestId("visit-saved")).toHaveCount(0);
  expect(taps.count).toBeLessThanOrEqual(MAX_TAPS);

  // The visited resident left Today; the one offered is now where they were.
  await page.getByTestId("nav-today").click();
  await today.expectOpen();
  await expect(today.item(first.id)).toHaveCount(0);
  expect(await today.total()).toBe(total - 1);
  expect((await today.row(0)).id).toBe(second.id);
});

test("Today reaches everyone due by scrolling, draws only a screenful, is searchable, and its buttons fit a thumb", async ({ page }) => {
  const today = await todayOfGridWorker(page);

  // The demo worker has hundreds due, more than the old cap of 300: scrolling to the end meets
  // every one of them, while the page draws only the rows on and near the screen.
  const total = await today.total();
  expect(total).toBeGreaterThan(300);
  await expect(page.getByTestId("today-count")).toHaveText(`共 ${total} 人待访`);
  const scrolled = await scrollThrough(page, today.items(), "data-resident");
  expect(scrolled.seen).toHaveLength(total);
  expect(scrolled.most).toBeLessThan(60);
  await page.evaluate(() => window.scrollTo(0, 0));

  // Each row: 记录走访 and, when the resident has a phone, a call button, both thumb-sized.
  const call = page.getByTestId("today-call").first();
  await expect(call).toHaveAttribute("href", /^tel:\+?[0-9-]{5,}$/);
  await expect(call).toHaveAttribute("aria-label", /^拨打 .+$/);
  for (const target of [call, page.getByTestId("today-visit").first()]) {
    const box = await target.boundingBox();
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(MIN_TARGET_PX);
    expect(box?.width ?? 0).toBeGreaterThanOrEqual(MIN_TARGET_PX);
  }
  // The row's main area still opens the resident.
  const third = await today.row(2);
  await today.item(third.id).getByTestId("today-row").click();
  await expect(page).toHaveURL(new RegExp(`/residents/${third.id}$`));
  await page.getByTestId("nav-today").click();

  // Search by name: only that resident's rows, counted.
  await today.search(third.name);
  await expect(today.item(third.id)).toHaveCount(1);
  const found = await today.total();
  expect(found).toBeLessThan(total);
  await expect(today.items()).toHaveCount(found);
  await expect(page.getByTestId("today-count")).toHaveText(`找到 ${found} 人`);
  for (const text of await today.items().getByTestId("today-row").locator(".row-main").allTextContents()) {
    expect(text).toContain(third.name);
  }
  await today.search("不存在的居民");
  await expect(page.getByTestId("no-results")).toBeVisible();
  await expect(today.items()).toHaveCount(0);
});

test("each role lands on its first task after login and whenever the app opens", async ({ browser }) => {
  const cases: { who: Account; url: RegExp; ready: string }[] = [
    { who: gridWorker, url: /\/today$/, ready: "today-item" },
    { who: volunteer, url: /\/deliveries$/, ready: "delivery" },
    { who: supervisor, url: /\/overview$/, ready: "dashboard-status" },
  ];
  for (const { who, url, ready } of cases) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await logInFresh(page, who);
    await expect(page).toHaveURL(url);
    await expect(page.getByTestId(ready).first()).toBeVisible();
    // Opening the app again (its start URL) lands there too.
    await page.goto("/");
    await expect(page).toHaveURL(url);
    // The user card is one tab away.
    await page.getByTestId("nav-home").click();
    await new HomePage(page).expectUser(who.name, ROLE_LABELS[who.username]);
    await ctx.close();
  }
});

const ROLE_LABELS: Record<string, string> = {
  [gridWorker.username]: "网格员",
  [volunteer.username]: "志愿者",
  [supervisor.username]: "督导员",
};
