// Journey: the community keeps its own directory (服务点与热线). A supervisor adds an elderly-care
// home with its hours, phone and position; it is listed for a grid worker, offline, after the
// community's hotlines, and drawn on the supervisor's map. Only supervisors and admins may add.
import { expect, test } from "@playwright/test";
import { logIn, waitSynced } from "../pages/session";
import { gridWorker, supervisor } from "./demo";

test("a supervisor adds a service point; grid workers find it offline and the map shows it", async ({ browser }) => {
  test.setTimeout(120_000);
  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const office = await laptop.newPage();
  await logIn(office, supervisor);
  await office.getByTestId("nav-services").click();
  await expect(office.getByTestId("hotline-list").getByTestId("facility")).toHaveCount(2);
  await office.getByTestId("add-facility").click();
  await expect(office).toHaveURL(/\/services\/new$/);
  const name = `康乐养老院${Date.now() % 100000}`;
  await office.getByTestId("field-kind").selectOption("elderly_care");
  await office.getByTestId("field-name").fill(name);
  await office.getByTestId("field-phone").fill("010-64001111");
  await office.getByTestId("field-hours").fill("全天");
  await office.getByTestId("field-address").fill("幸福里 20 号");
  await office.getByTestId("field-lat").fill("39.915");
  await office.getByTestId("field-lng").fill("116.415");
  await office.getByTestId("save").click();
  await expect(office.getByTestId("form-message")).toHaveText(/已保存/);
  // Saved on the laptop; the grid worker's phone can only receive it once it reached the server
  // (the badge says 待同步 until the outbox is empty).
  await waitSynced(office);

  // On the map as a point of its own.
  await office.getByTestId("nav-overview").click();
  await expect(office.getByTestId("dashboard-status")).toBeVisible();
  // Every placed facility: the demo's eight and the new one.
  await expect(office.locator("path.facility-point")).toHaveCount(9);
  await expect(office.getByTestId("map-legend")).toContainText("服务点");

  // A grid worker, offline: hotlines first, then the places, the new one with its call button.
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await logIn(page, gridWorker);
  await phone.setOffline(true);
  await page.getByTestId("nav-services").click();
  await expect(page.getByTestId("add-facility")).toHaveCount(0);
  const hotlines = page.getByTestId("hotline-list").getByTestId("facility");
  await expect(hotlines).toHaveCount(2);
  await expect(hotlines.first()).toContainText("服务热线");
  const added = page.getByTestId("facility").filter({ hasText: name });
  await expect(added).toContainText("社区养老机构");
  await expect(added).toContainText("全天");
  await expect(added.getByTestId("facility-call")).toHaveAttribute("href", "tel:010-64001111");
  // Read-only for a grid worker.
  await added.getByTestId("facility-open").click();
  await expect(page.getByTestId("field-name")).toBeDisabled();
  await expect(page.getByTestId("save")).toHaveCount(0);
  await laptop.close();
  await phone.close();
});
