// Journey: the ledger leaves the phone as CSV and XLSX files that open in a spreadsheet, with
// Chinese headers and every row of the filtered ledger (the screen draws them a page at a time),
// even with no network.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import * as XLSX from "xlsx";
import { logIn } from "../pages/session";
import { LedgerPage } from "../pages/worker-pages";
import { gridWorker } from "./demo";
import { parseCsv } from "./helpers/csv";

test("ledger exports open as spreadsheets holding every row of the filtered ledger", async ({ page, context }) => {
  await logIn(page, gridWorker);
  await context.setOffline(true);
  await page.getByTestId("nav-ledger").click();
  const ledger = new LedgerPage(page);
  await ledger.filterTier("red");
  await expect(ledger.rows().first()).toBeVisible();
  const onScreen = (await ledger.rows().locator("td:first-child").allTextContents()).map((s) => s.trim());
  expect(onScreen.length).toBeGreaterThan(0);
  const total = await ledger.total();
  expect(total).toBeGreaterThanOrEqual(onScreen.length);

  const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
  expect(csvDownload.suggestedFilename()).toMatch(/^重症高风险人员台账-\d{4}-\d{2}-\d{2}\.csv$/);
  const csvText = readFileSync(await csvDownload.path()).toString("utf8");
  expect(csvText.charCodeAt(0)).toBe(0xfeff);
  const csv = parseCsv(csvText.slice(1)).filter((r) => r.length > 1);
  expect(csv[0].slice(0, 5)).toEqual(["姓名", "性别", "年龄", "风险等级", "原因"]);
  expect(csv.length - 1).toBe(total);
  expect(csv.slice(1, 1 + onScreen.length).map((r) => r[0])).toEqual(onScreen);
  expect(csv.slice(1).every((r) => r[3] === "红色（高风险）")).toBe(true);

  const [xlsxDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-xlsx").click()]);
  expect(xlsxDownload.suggestedFilename()).toMatch(/\.xlsx$/);
  const book = XLSX.read(readFileSync(await xlsxDownload.path()), { type: "buffer" });
  const sheet = book.Sheets[book.SheetNames[0]];
  const rows = XLSX.utils.sheet_to_json<string[]>(sheet, { header: 1, raw: false });
  expect(rows[0].slice(0, 4)).toEqual(["姓名", "性别", "年龄", "风险等级"]);
  expect(rows.length - 1).toBe(total);
  expect(rows.slice(1, 1 + onScreen.length).map((r) => String(r[0]))).toEqual(onScreen);
});
