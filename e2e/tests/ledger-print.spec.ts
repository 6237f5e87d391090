// Journey: paper as a fallback. A supervisor of five grids prints the high-risk ledger: the
// print holds every row of the filter (not only the few on the screen), also when printed from
// the browser's own menu, the date it was printed and the table's headings, none of the screen's
// controls, on A4 pages; afterwards the screen draws only what it shows again.
import { expect, test } from "@playwright/test";
import { logIn } from "../pages/session";
import { LedgerPage } from "../pages/worker-pages";
import { supervisor } from "./demo";

test("the ledger prints every row on A4 with its date and headings", async ({ page }) => {
  test.setTimeout(120_000);
  // The browser's print dialog is not ours: record what the page holds when it is asked for.
  await page.addInitScript(() => {
    (window as unknown as { printedRows: number[] }).printedRows = [];
    window.print = () => {
      (window as unknown as { printedRows: number[] }).printedRows.push(
        document.querySelectorAll('[data-testid="ledger-row"]').length,
      );
    };
  });
  await logIn(page, supervisor);
  await page.getByTestId("nav-ledger").click();
  const ledger = new LedgerPage(page);
  await expect(ledger.rows().first()).toBeVisible();
  const total = await ledger.total();
  const onScreen = await ledger.rows().count();
  expect(total).toBeGreaterThan(onScreen);

  await page.getByTestId("print-ledger").click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { printedRows: number[] }).printedRows))
    .toEqual([total]);
  await expect(ledger.rows()).toHaveCount(onScreen);

  // The browser's menu prints without our button: it says so before and after.
  await page.evaluate(() => window.dispatchEvent(new Event("beforeprint")));
  await expect(ledger.rows()).toHaveCount(total);
  await page.evaluate(() => window.dispatchEvent(new Event("afterprint")));
  await expect(ledger.rows()).toHaveCount(onScreen);

  // As printed: the date, no controls, the headings on every page, A4 pages numbered.
  await page.emulateMedia({ media: "print" });
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  await expect(page.getByTestId("ledger-printed")).toHaveText(`打印日期：${today}`);
  for (const hidden of ["print-ledger", "export-csv", "ledger-search", "nav-ledger", "sync-status"]) {
    await expect(page.getByTestId(hidden)).toBeHidden();
  }
  await expect(page.locator("table.ledger thead")).toBeVisible();
  const pdf = await page.pdf({ preferCSSPageSize: true });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  expect(pages, "a hundred rows fill more than one A4 page").toBeGreaterThanOrEqual(2);
});
