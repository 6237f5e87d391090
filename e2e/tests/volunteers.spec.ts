// Journey: two volunteers, both offline, deliver health packs from the same stock at the same
// time. After both sync, stock went down by both deliveries, both show as delivered, the
// supervisor sees both, and a volunteer's phone never held a resident's health data.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { storedRecords } from "../pages/device-store";
import { logIn, syncNow, waitSynced } from "../pages/session";
import { supervisor, volunteer, volunteer2 } from "./demo";

async function phone(browser: Browser, who: typeof volunteer) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await logIn(page, who);
  await page.getByTestId("nav-deliveries").click();
  await expect(page.getByTestId("delivery").first()).toBeVisible();
  return { ctx, page };
}

async function antigenStock(page: Page) {
  await page.goto("/supplies");
  const row = page.getByTestId("supply").filter({ hasText: "抗原检测试剂" });
  return Number(await row.getByTestId("stock-total").textContent());
}

test("two volunteers deliver offline from one stock and both count", async ({ browser }) => {
  const sup = await browser.newContext();
  const supPage = await sup.newPage();
  await logIn(supPage, supervisor);
  const before = await antigenStock(supPage);

  const a = await phone(browser, volunteer);
  const b = await phone(browser, volunteer2);
  await a.ctx.setOffline(true);
  await b.ctx.setOffline(true);

  const deliver = async (page: Page) => {
    const first = page.getByTestId("delivery").filter({ has: page.getByTestId("mark-delivered") }).first();
    const name = ((await first.getByTestId("door-name").textContent()) ?? "").trim();
    // The note is folded away until wanted.
    await first.getByTestId("door-note").locator("summary").click();
    await first.getByTestId("delivery-note").fill("已交给本人");
    await first.getByTestId("mark-delivered").click();
    await expect(page.getByTestId("delivery").filter({ hasText: name }).getByTestId("delivery-status")).toHaveText("已送达");
    return name;
  };
  const [nameA, nameB] = await Promise.all([deliver(a.page), deliver(b.page)]);
  await expect(a.page.getByTestId("deliveries-count")).toContainText("已完成");

  await a.ctx.setOffline(false);
  await b.ctx.setOffline(false);
  await waitSynced(a.page);
  await waitSynced(b.page);

  await syncNow(supPage);
  expect(await antigenStock(supPage)).toBe(before - 10);
  await supPage.goto("/deliveries");
  for (const name of [nameA, nameB]) {
    const row = supPage.getByTestId("delivery").filter({ hasText: name }).filter({ hasText: "已送达" });
    await expect(row.first()).toBeVisible();
  }

  // What the volunteer's phone holds: deliveries, and of residents only name and phone.
  const stored = await storedRecords(a.page);
  const healthEntities = stored.filter((r) => r.entity === "visit" || r.entity === "need");
  expect(healthEntities).toEqual([]);
  const residentFields = new Set(stored.filter((r) => r.entity === "resident").flatMap((r) => Object.keys(r.fields)));
  expect(residentFields.size).toBeGreaterThan(0);
  for (const f of residentFields) expect(["grid_id", "household_id", "name", "phone", "_deleted"]).toContain(f);
  const householdFields = new Set(stored.filter((r) => r.entity === "household").flatMap((r) => Object.keys(r.fields)));
  for (const f of householdFields) {
    expect(["grid_id", "address", "building", "unit", "room", "village", "village_group", "_deleted"]).toContain(f);
  }
  await Promise.all([a.ctx.close(), b.ctx.close(), sup.close()]);
});

test("a supervisor plans a batch of packs and the volunteer finds them on their list", async ({ browser }) => {
  // A thousand new doors reach the volunteer's phone through a real sync.
  test.setTimeout(120_000);
  const sup = await browser.newContext({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false });
  const page = await sup.newPage();
  await logIn(page, supervisor);
  await page.goto("/packs");
  await page.locator(".field", { hasText: "布洛芬" }).getByTestId("pack-quantity").fill("1");
  await expect(page.getByTestId("plan-preview")).toContainText("将为");
  const preview = (await page.getByTestId("plan-preview").textContent()) ?? "";
  const count = Number(/(\d+)/.exec(preview)?.[1]);
  expect(count).toBeGreaterThan(0);
  await page.getByTestId("create-plan").click();
  await expect(page.getByTestId("form-message")).toContainText("志愿者");
  await page.locator("label.check", { hasText: volunteer.name }).getByTestId("pack-volunteer").check();
  await page.getByTestId("plan-name").fill("e2e 批次");
  await page.getByTestId("create-plan").click();
  // Nothing is made until the batch is confirmed, in words that say for how many.
  await expect(page.getByTestId("create-plan-confirm")).toContainText(`将为 ${count} 位居民创建配送，分给 1 名志愿者`);
  await expect(page.getByTestId("plan-created")).toHaveCount(0);
  await page.getByTestId("create-plan-yes").click();
  await expect(page.getByTestId("plan-created")).toHaveText(`已创建 ${count} 个配送。`);
  // The batch took everyone it was for: asked again, nobody is left without a pack.
  await expect(page.getByTestId("plan-preview")).toContainText("将为 0 人");
  await waitSynced(page);

  const { ctx, page: v } = await phone(browser, volunteer);
  // The new doors arrive (the count covers every one of them) and the list draws a page of them
  // at a time, so a phone with a batch of a thousand doors stays light.
  const counts = v.getByTestId("deliveries-count");
  const total = async () => ((await counts.textContent()) ?? "").match(/\d+/g)!.map(Number).reduce((a, b) => a + b, 0);
  await expect(async () => expect(await total()).toBeGreaterThanOrEqual(count)).toPass({ timeout: 60_000 });
  const all = await total();
  const page1 = await v.getByTestId("delivery").count();
  expect(page1).toBeGreaterThan(0);
  await expect(v.getByTestId("delivery").filter({ hasText: "退烧药（布洛芬） 1 盒" }).first()).toBeVisible();
  expect(await v.evaluate(() => document.body.querySelectorAll("*").length)).toBeLessThan(2_000);
  if (all > page1) {
    await v.getByTestId("deliveries-more").click();
    await expect(v.getByTestId("delivery")).toHaveCount(Math.min(all, page1 * 2));
  }
  await Promise.all([ctx.close(), sup.close()]);
});
