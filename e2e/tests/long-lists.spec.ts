// Journey: a supervisor of five grids (about 5,000 residents) opens every long list on a phone.
// The page stays under 2,000 DOM nodes, which a cheap phone lays out without stalling: the
// residents and the households draw only the rows on the screen however far they are scrolled,
// and every one is reached by scrolling; the ledger and the needs draw a page at a time while
// their count covers every row.
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

  // The ledger's count is every high-risk resident of the five grids, far more than it draws;
  // the next page is one tap away.
  await page.goto("/ledger");
  const total = Number(await page.getByTestId("ledger-count").getAttribute("data-total"));
  const drawn = await page.getByTestId("ledger-row").count();
  expect(total).toBeGreaterThan(drawn);
  await page.getByTestId("ledger-more").click();
  await expect(page.getByTestId("ledger-row")).toHaveCount(Math.min(total, drawn * 2));

  // The residents and the households: thousands of rows, a screenful drawn wherever the page is
  // scrolled to, down to the last row; a new search starts again at its first rows.
  for (const name of ["resident", "household"]) {
    await page.goto(`/${name}s`);
    const rows = page.getByTestId(`${name}-row`);
    await expect(rows.first()).toBeVisible();
    for (const at of [0.25, 0.5, 0.75, 1]) {
      const jumped = await jumpTo(page, rows, at);
      expect(jumped.onScreen, `${name}s at ${at * 100} %: rows on the screen`).toBeGreaterThan(3);
      expect(jumped.drawn, `${name}s at ${at * 100} %: rows drawn`).toBeLessThan(60);
      expect(jumped.nodes, `${name}s at ${at * 100} %: DOM nodes`).toBeLessThan(NODE_BUDGET);
    }
    await expect(rows.last()).toBeInViewport();
    await page.evaluate(() => window.scrollTo(0, 0));
    // Most demo addresses are in 幸福里: the search finds many and draws the first.
    await page.getByTestId(name === "resident" ? "search" : "household-search").fill("幸福里");
    await expect(rows.first()).toBeInViewport();
    expect(await rows.count()).toBeLessThan(60);
  }
  expect(errors).toEqual([]);
});
