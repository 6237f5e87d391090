// Journey: reporting upward as a record. A supervisor sends the daily report and makes the weekly
// one in one tap: the week is the server's figures of the seven days ending on the chosen date, a
// row a day and the week; both reports are kept and listed, with the grids and who sent them.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import * as XLSX from "xlsx";
import { OverviewPage } from "../pages/overview-page";
import { logIn } from "../pages/session";
import { supervisor } from "./demo";

test.use({ viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false });

test("the daily and the weekly report are sent and kept", async ({ page }) => {
  test.setTimeout(120_000);
  await logIn(page, supervisor);
  const overview = new OverviewPage(page);
  await overview.open();
  const date = await page.getByTestId("dashboard-date").inputValue();
  const sent = page.getByTestId("report-sent");
  const before = await sent.count();

  await Promise.all([page.waitForEvent("download"), page.getByTestId("export-daily-xlsx").click()]);
  await expect(sent).toHaveCount(before + 1);
  await expect(sent.first()).toContainText(`日报 · ${date}`);
  await expect(sent.first()).toContainText(supervisor.name);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-weekly").click()]);
  expect(download.suggestedFilename()).toBe(`周报-${date}.xlsx`);
  const book = XLSX.read(readFileSync(await download.path()), { type: "buffer" });
  const rows = XLSX.utils.sheet_to_json<(string | number)[]>(book.Sheets[book.SheetNames[0]], { header: 1, raw: true });
  expect(rows[0].slice(0, 3)).toEqual(["日期", "网格", "居民数"]);
  expect(rows.length).toBe(1 + 7 + 1);
  expect(rows[7][0]).toBe(date);
  expect(rows[8][1]).toBe("本周");
  const visits = rows.slice(1, 8).reduce((sum, r) => sum + Number(r[11]), 0);
  expect(Number(rows[8][11])).toBe(visits);

  await expect(sent).toHaveCount(before + 2);
  await expect(sent.first()).toContainText(`周报 · ${date}`);
});
