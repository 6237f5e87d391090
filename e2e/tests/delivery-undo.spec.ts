// Journey: a volunteer mis-taps 已送达 and takes it back the same day, online and offline; the
// station's stock, as the supervisor sees it after sync, is where it was before. A door where
// nobody was at home is tried again from the list, and done doors look unlike those to do.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { DeliveriesPage } from "../pages/deliveries-page";
import { logIn, syncNow, waitSynced } from "../pages/session";
import { supervisor, volunteer } from "./demo";

async function antigenStock(page: Page) {
  await page.goto("/supplies");
  const row = page.getByTestId("supply").filter({ hasText: "抗原检测试剂" });
  return Number(await row.getByTestId("stock-total").textContent());
}

async function signIn(browser: Browser, who: typeof volunteer) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await logIn(page, who);
  return { ctx, page };
}

test("a delivered pack is undone the same day and the stock is restored after sync", async ({ browser }) => {
  const sup = await signIn(browser, supervisor);
  const before = await antigenStock(sup.page);
  const vol = await signIn(browser, volunteer);
  const list = new DeliveriesPage(vol.page);
  await list.open();

  // Online: delivered, synced, the stock went down by the pack's 5 kits.
  const id = await list.firstPendingId();
  await list.mark(id, "delivered");
  await expect(list.status(id)).toHaveText("已送达");
  await waitSynced(vol.page);
  await syncNow(sup.page);
  expect(await antigenStock(sup.page)).toBe(before - 5);

  // Undone: the door waits again and, once synced, the kits are back on the shelf.
  await list.card(id).getByTestId("door-undo").click();
  await expect(list.status(id)).toHaveText("待配送");
  await expect(list.card(id).getByTestId("mark-delivered")).toBeVisible();
  await waitSynced(vol.page);
  await syncNow(sup.page);
  expect(await antigenStock(sup.page)).toBe(before);

  // Offline: delivered and undone before the phone ever synced; nothing leaves stock.
  await vol.ctx.setOffline(true);
  await list.mark(id, "delivered");
  await expect(list.status(id)).toHaveText("已送达");
  await list.card(id).getByTestId("door-undo").click();
  await expect(list.status(id)).toHaveText("待配送");
  await vol.ctx.setOffline(false);
  await waitSynced(vol.page);
  await syncNow(sup.page);
  expect(await antigenStock(sup.page)).toBe(before);
  await sup.page.goto("/deliveries");
  await expect(sup.page.locator(`[data-testid="delivery"][data-id="${id}"]`).getByTestId("delivery-status")).toHaveText("待配送");
  await Promise.all([vol.ctx.close(), sup.ctx.close()]);
});

test("a door nobody answered is tried again, and done doors look unlike those to do", async ({ page }) => {
  await logIn(page, volunteer);
  const list = new DeliveriesPage(page);
  await list.open();
  const id = await list.firstPendingId();
  const card = list.card(id);
  const look = () =>
    card.evaluate((e) => {
      const s = getComputedStyle(e);
      return `${s.backgroundColor} ${s.borderLeftColor}`;
    });
  const toDo = await look();

  await list.mark(id, "not-home");
  await expect(list.status(id)).toHaveText("不在家");
  // Still to do: it keeps the to-do look and stays under the to-do filter.
  await list.toDoOnly(true);
  await expect(card).toBeVisible();
  await list.toDoOnly(false);
  await card.getByTestId("door-retry").click();
  await expect(list.status(id)).toHaveText("待配送");

  await list.mark(id, "refused");
  await expect(list.status(id)).toHaveText("拒收");
  await expect(card).toHaveClass(/door-done/);
  expect(await look()).not.toBe(toDo);
  await list.toDoOnly(true);
  await expect(card).toBeHidden();
  await list.toDoOnly(false);
  // Refused by mistake: taken back the same day.
  await card.getByTestId("door-undo").click();
  await expect(list.status(id)).toHaveText("待配送");
  expect(await look()).toBe(toDo);
  await waitSynced(page);
});
