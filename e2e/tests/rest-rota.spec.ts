// Journey: the rest rota (issue 17, 轮休). The supervisor gives 王芳 today off with 李强 as cover;
// 李强's phone, on its next sync, holds 王芳's grid for the day: his Today says whom he covers and
// lists her grid's due residents beside his own.
import { expect, test } from "@playwright/test";
import { logIn, syncNow } from "../pages/session";
import { gridWorker, gridWorker2, supervisor } from "./demo";

test("a cover finds the covered grid's due residents on Today", async ({ browser }) => {
  test.setTimeout(180_000);
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await logIn(page, gridWorker2);
  await page.getByTestId("nav-today").click();
  await expect(page.getByTestId("today-count")).toBeVisible();
  await expect(page.getByTestId("today-covering")).toHaveCount(0);
  // 幸福里小区 5 号楼 is in 王芳's first grid, not his.
  await page.getByTestId("today-search").fill("幸福里小区 5 号楼");
  await expect(page.getByTestId("today-row")).toHaveCount(0);

  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const office = await laptop.newPage();
  await logIn(office, supervisor);
  await office.goto("/rota");
  await office.getByTestId("rota-grid").selectOption({ label: "幸福里第一网格" });
  await office.getByTestId("rota-worker").selectOption({ label: gridWorker.name });
  await office.getByTestId("rota-kind").selectOption("rest");
  await office.getByTestId("rota-cover").selectOption({ label: gridWorker2.name });
  await office.getByTestId("rota-save").click();
  await expect(office.getByTestId("rota-message")).toContainText("已保存");
  const day = office.getByTestId("rota-day").filter({ hasText: gridWorker.name }).first();
  await expect(day).toContainText(`代班：${gridWorker2.name}`);
  await syncNow(office);
  await laptop.close();

  await syncNow(page, 60_000);
  await page.getByTestId("nav-today").click();
  await expect(page.getByTestId("today-covering")).toContainText("幸福里第一网格");
  await expect(page.getByTestId("today-covering")).toContainText(gridWorker.name);
  await page.getByTestId("today-search").fill("幸福里小区 5 号楼");
  await expect(page.getByTestId("today-row").first()).toBeVisible();
  await phone.close();
});
