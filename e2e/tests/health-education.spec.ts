// Journey: health education (科普宣教). With no signal, a grid worker reads a guide, copies it for
// the building's WeChat group, and records that a household received it that way; once synced,
// the community's figures count one more household reached, as the level above reads them.
import { expect, test } from "@playwright/test";
import { serverDashboard } from "../pages/overview-page";
import { logIn, syncNow } from "../pages/session";
import { HouseholdsPage, Nav } from "../pages/worker-pages";
import { gridWorker, supervisor } from "./demo";

test("a guide read and shared offline, and the household's education counted", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const before = await serverDashboard(request, supervisor.username, supervisor.password);
  const phone = await browser.newContext({ permissions: ["clipboard-read", "clipboard-write"] });
  const page = await phone.newPage();
  await logIn(page, gridWorker);
  await phone.setOffline(true);

  // The library, offline, from the card (更多).
  await page.getByTestId("nav-guides").click();
  await expect(page.getByTestId("guide-row")).toHaveCount(5);
  await page.getByTestId("guide-row").filter({ hasText: "需要就医的危险信号" }).click();
  await expect(page.getByTestId("guide-title")).toHaveText("需要就医的危险信号");
  await expect(page.getByTestId("guide")).toContainText("血氧饱和度低于 93%");
  await page.getByTestId("guide-copy").click();
  await expect(page.getByTestId("guide-message")).toHaveText(/已复制/);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied.startsWith("【需要就医的危险信号】")).toBe(true);
  expect(copied).toContain("· 血氧饱和度低于 93%");

  // A household with no education yet receives the guide through the WeChat group.
  const nav = new Nav(page);
  await nav.go("households");
  const households = new HouseholdsPage(page);
  let grid = "";
  for (let i = 0; ; i++) {
    expect(i, "a household without education among the first ten").toBeLessThan(10);
    await households.rows().nth(i).click();
    await expect(page.getByTestId("education")).toBeVisible();
    if ((await page.getByTestId("education-none").count()) > 0) break;
    await page.goBack();
  }
  await page.getByTestId("education-guide").selectOption("warning_signs");
  await page.getByTestId("education-channel").selectOption("wechat_group");
  await page.getByTestId("education-save").click();
  await expect(page.getByTestId("education-message")).toHaveText("已记录宣教。");
  const row = page.getByTestId("education-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("需要就医的危险信号");
  await expect(row).toContainText("微信群");
  await expect(row).toContainText("全户");

  await phone.setOffline(false);
  await syncNow(page);
  const after = await serverDashboard(request, supervisor.username, supervisor.password);
  expect(after.total.households_educated).toBe(before.total.households_educated + 1);
  expect(after.total.households).toBe(before.total.households);
  grid = after.grids.find((g) => g.figures.households_educated > (before.grids.find((b) => b.id === g.id)?.figures.households_educated ?? 0))?.name ?? "";
  expect(gridWorker.grids).toContain(grid);
  await phone.close();
});
