// Journey: a supervisor of five grids (about 5,000 residents) opens every long list on a phone.
// The page stays under 2,000 DOM nodes, which a cheap phone lays out without stalling: the
// residents, the households and the high-risk ledger draw only the rows on the screen however
// far they are scrolled, and every one is reached by scrolling; the needs draw a page at a time
// while their count covers every row.
import { expect, test, type Page } from "@playwright/test";
import { logIn } from "../pages/session";
import { jumpTo } from "../pages/windowed-list";
import { supervisor } from "./demo";

const NODE_BUDGET = 2_000;

async function domNodes(page: Page) {
  return page.evaluate(() => document.body.querySelectorAll("*").length);
}

test("long lists draw what is on the screen or a page at a time, and reach every row", async ({ page }) => {
  test.setTimeout(120_000);
  // Whatever the lists do to draw, the page's CSP lets it (a blocked inline style is an error).
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
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

  // The ledger's count is every high-risk resident of the five grids, far more than it draws.
  await page.goto("/ledger");
  await expect(page.getByTestId("ledger-row").first()).toBeVisible();
  const total = Number(await page.getByTestId("ledger-count").getAttribute("data-total"));
  expect(total).toBeGreaterThan(await page.getByTestId("ledger-row").count());

  // The residents, the households and the ledger: thousands of rows, a screenful drawn wherever
  // the page is scrolled to, down to the last row; a new search starts again at its first rows.
  // (The ledger's filters fill a phone's first screen: its first row is drawn below them.)
  const windowed = [
    { path: "/residents", row: "resident-row", search: "search", query: "幸福里", belowTheFold: false },
    { path: "/households", row: "household-row", search: "household-search", query: "幸福里", belowTheFold: false },
    { path: "/ledger", row: "ledger-row", search: "ledger-search", query: "王", belowTheFold: true },
  ];
  for (const { path, row, search, query, belowTheFold } of windowed) {
    await page.goto(path);
    const rows = page.getByTestId(row);
    await expect(rows.first()).toBeVisible();
    for (const at of [0.25, 0.5, 0.75, 1]) {
      const jumped = await jumpTo(page, rows, at);
      expect(jumped.onScreen, `${path} at ${at * 100} %: rows on the screen`).toBeGreaterThan(3);
      expect(jumped.drawn, `${path} at ${at * 100} %: rows drawn`).toBeLessThan(60);
      expect(jumped.nodes, `${path} at ${at * 100} %: DOM nodes`).toBeLessThan(NODE_BUDGET);
    }
    await expect(rows.last()).toBeInViewport();
    await page.evaluate(() => window.scrollTo(0, 0));
    // Most demo addresses are in 幸福里, and many names begin with 王: the search finds many
    // and draws the first.
    await page.getByTestId(search).fill(query);
    if (belowTheFold) {
      await expect(rows.first()).toContainText(query);
      await rows.first().scrollIntoViewIfNeeded();
    }
    await expect(rows.first()).toBeInViewport();
    expect(await rows.count()).toBeLessThan(60);
  }
  expect(errors).toEqual([]);
});
