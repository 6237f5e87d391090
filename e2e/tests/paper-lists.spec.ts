// Journey: paper as a fallback. A grid worker prints the visit sheet of one building and of a
// whole grid — doors in walking order, the people behind them, boxes to tick, a building a page,
// the date — and a supervisor prints a batch's delivery list with a box to sign for every door of
// the filter, not only the doors drawn on screen.
import { expect, test, type Page } from "@playwright/test";
import { logIn } from "../pages/session";
import { gridWorker, supervisor } from "./demo";

/** The browser's print dialog is not ours: count what the page holds each time it is asked. */
async function recordPrints(page: Page, selector: string) {
  await page.addInitScript((sel) => {
    const w = window as unknown as { printed: number[] };
    w.printed = [];
    window.print = () => {
      w.printed.push(document.querySelectorAll(sel).length);
    };
  }, selector);
}

const printed = (page: Page) => page.evaluate(() => (window as unknown as { printed: number[] }).printed);
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

test("a grid worker prints the visit sheet of a building and of a grid", async ({ page }) => {
  test.setTimeout(120_000);
  await recordPrints(page, '[data-testid="sheet-row"]');
  await logIn(page, gridWorker);
  await page.getByTestId("nav-visit-sheet").click();
  await expect(page).toHaveURL(/\/print\/visits$/);
  const buildings = page.getByTestId("sheet-building");
  await expect(buildings.first()).toBeVisible();
  const all = await buildings.count();
  expect(all, "a grid of many buildings").toBeGreaterThan(1);

  // One building: its doors only, the red first behind each door, with boxes for the pen.
  const picker = page.getByTestId("sheet-building-filter");
  const first = (await picker.locator("option").nth(1).getAttribute("value")) ?? "";
  await picker.selectOption(first);
  await expect(buildings).toHaveCount(1);
  await expect(buildings.first().locator("h2")).toContainText(first);
  const rows = buildings.first().getByTestId("sheet-row");
  const count = await rows.count();
  expect(count).toBeGreaterThan(0);
  await expect(buildings.first().locator("thead")).toContainText("走访日期");
  await expect(rows.first()).toContainText("☐入户");

  await page.getByTestId("print-visits").click();
  await expect.poll(() => printed(page)).toEqual([count]);

  // The whole grid, as printed: dated, no controls, a building a page.
  await picker.selectOption("");
  await expect(buildings).toHaveCount(all);
  await page.emulateMedia({ media: "print" });
  await expect(page.getByTestId("sheet-printed")).toContainText(`打印日期：${today()}`);
  for (const hidden of ["print-visits", "sheet-building-filter", "nav-today", "sync-status"]) {
    await expect(page.getByTestId(hidden)).toBeHidden();
  }
  const pdf = await page.pdf({ preferCSSPageSize: true });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  expect(pages, "each building starts a page").toBeGreaterThanOrEqual(all);
});

test("a supervisor prints the delivery list of every door of the filter", async ({ page }) => {
  test.setTimeout(120_000);
  await recordPrints(page, '[data-testid="delivery-sheet-row"]');
  await logIn(page, supervisor);
  await page.getByTestId("nav-deliveries").click();
  const cards = page.getByTestId("delivery");
  await expect(cards.first()).toBeVisible();
  const onScreen = await cards.count();
  const counts = (await page.getByTestId("deliveries-count").textContent()) ?? "";
  const total = (counts.match(/\d+/g) ?? []).map(Number).reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThanOrEqual(onScreen);

  await page.getByTestId("print-deliveries").click();
  await expect.poll(() => printed(page)).toEqual([total]);
  // Only the doors left: the table follows the filter.
  await page.getByTestId("filter-to-do").check();
  const left = Number((counts.match(/\d+/g) ?? ["0", "0"])[1]);
  await page.getByTestId("print-deliveries").click();
  await expect.poll(() => printed(page)).toEqual([total, left]);
  await page.getByTestId("filter-to-do").uncheck();
  // Afterwards the screen is the cards again, and the table is gone.
  await expect(page.getByTestId("delivery-sheet")).toHaveCount(0);
  await expect(cards).toHaveCount(onScreen);
});
