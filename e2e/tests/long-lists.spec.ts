// Journey: a supervisor of five grids (about 5,000 residents) opens every long list on a phone.
// Each draws a page at a time — the whole page stays under 2,000 DOM nodes, which a cheap phone
// lays out without stalling — while the list's count still covers every row.
import { expect, test, type Page } from "@playwright/test";
import { logIn } from "../pages/session";
import { supervisor } from "./demo";

const NODE_BUDGET = 2_000;

async function domNodes(page: Page) {
  return page.evaluate(() => document.body.querySelectorAll("*").length);
}

test("long lists draw a page at a time and still count every row", async ({ page }) => {
  test.setTimeout(120_000);
  await logIn(page, supervisor);

  const lists: Array<{ path: string; row: string }> = [
    { path: "/ledger", row: "ledger-row" },
    { path: "/residents", row: "resident-row" },
    { path: "/households", row: "household-row" },
    { path: "/needs", row: "need-row" },
  ];
  for (const { path, row } of lists) {
    await page.goto(path);
    await expect(page.getByTestId(row).first()).toBeVisible();
    const nodes = await domNodes(page);
    expect(nodes, `${path}: ${nodes} DOM nodes`).toBeLessThan(NODE_BUDGET);
  }

  // The ledger's count is every high-risk resident of the five grids, far more than it draws;
  // the next page is one tap away.
  await page.goto("/ledger");
  const total = Number(await page.getByTestId("ledger-count").getAttribute("data-total"));
  const drawn = await page.getByTestId("ledger-row").count();
  expect(total).toBeGreaterThan(drawn);
  await page.getByTestId("ledger-more").click();
  await expect(page.getByTestId("ledger-row")).toHaveCount(Math.min(total, drawn * 2));

  // The residents and the households likewise; a new search starts again from its first page.
  for (const name of ["resident", "household"]) {
    await page.goto(`/${name}s`);
    const rows = page.getByTestId(`${name}-row`);
    await expect(rows.first()).toBeVisible();
    const page1 = await rows.count();
    await page.getByTestId(`${name}s-more`).click();
    await expect(rows).toHaveCount(page1 * 2);
    // Most demo addresses are in 幸福里: the search finds many pages and draws the first.
    await page.getByTestId(name === "resident" ? "search" : "household-search").fill("幸福里");
    await expect(rows).toHaveCount(page1);
    await expect(page.getByTestId(`${name}s-more`)).toBeVisible();
  }
});
