// Journey: needs reported upward (issue 17). The street office logs in on its queue of the needs
// its communities escalated; it may not open a grid worker's pages. It returns one, first without
// the reason it must give, then with it; the need leaves the unanswered list and shows under the
// returned ones; after a sync the supervisor's copy of the need carries the answer.
import { expect, test } from "@playwright/test";
import { RolePages } from "../pages/role-pages";
import { logIn, syncNow } from "../pages/session";
import { streetOffice, supervisor } from "./demo";

test("the street office returns an escalated need with its reason and the community sees it", async ({ browser }) => {
  test.setTimeout(150_000);
  const pc = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const office = await pc.newPage();
  await logIn(office, streetOffice);
  await office.getByTestId("nav-upward").click();
  await expect(office).toHaveURL(/\/upward$/);
  const item = office.getByTestId("upward-item").first();
  await expect(item).toBeVisible();
  await expect(item.getByTestId("need-upward")).toContainText("等待街道受理");
  const id = (await item.getAttribute("data-need"))!;
  // The resident's name and phone come with the need; nothing of their health does.
  await expect(item.getByTestId("upward-call")).toBeVisible();

  await item.getByTestId("upward-status").selectOption("returned");
  await item.getByTestId("upward-save").click();
  await expect(item.getByTestId("upward-message")).toContainText("退回须写明原因");
  const reason = `请先联系区医院绿色通道，床位紧张时再报 ${Date.now() % 100000}`;
  await item.getByTestId("upward-note").fill(reason);
  await item.getByTestId("upward-save").click();
  await expect(office.locator(`[data-testid="upward-item"][data-need="${id}"]`)).toHaveCount(0);
  await office.getByTestId("upward-filter-status").filter({ hasText: "街道已退回" }).click();
  const returned = office.locator(`[data-testid="upward-item"][data-need="${id}"]`);
  await expect(returned.getByTestId("need-upward")).toContainText(reason);
  await expect(office.getByTestId("upward-reports")).toBeVisible();
  await syncNow(office);

  const roles = new RolePages(office);
  await roles.expectRefused("/today", "/upward");
  await pc.close();

  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const sup = await laptop.newPage();
  await logIn(sup, supervisor);
  await sup.goto(`/needs/${id}`);
  await expect(sup.getByTestId("need-upward")).toHaveAttribute("data-status", "returned");
  await expect(sup.getByTestId("need-upward")).toContainText(reason);
  await laptop.close();
});
