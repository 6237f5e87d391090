// Journey: every page each role can reach, checked by axe-core against WCAG 2 A and AA on a phone.
// A serious or critical violation (an input without a label, text too faint to read, a region a
// keyboard cannot reach …) fails the journey with the page, the rule and an example element.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { logIn, type Account } from "../pages/session";
import { admin, gridWorker, supervisor, volunteer } from "./demo";

/** Every page of the app; a role that may not open one is turned back, and that page is checked. */
const PAGES = [
  "/today",
  "/deliveries",
  "/overview",
  "/households",
  "/households/new",
  "/residents",
  "/residents/new",
  "/ledger",
  "/needs",
  "/needs/new",
  "/services",
  "/supplies",
  "/packs",
  "/users",
  "/import",
  "/sync",
  "/me",
  "/no-such-page",
];

/** The first record a list links to, to check the record's own page. */
const RECORDS: Array<{ list: string; row: string }> = [
  { list: "/residents", row: "resident-row" },
  { list: "/households", row: "household-row" },
  { list: "/needs", row: "need-row" },
];

/** Opens `path` inside the running app, as a tap on a link would, without reloading it. */
async function open(page: Page, path: string) {
  await page.evaluate((p) => {
    history.pushState(null, "", p);
    window.dispatchEvent(new PopStateEvent("popstate"));
  }, path);
  await expect(page.locator("h1").first()).toBeVisible();
  // Lists and figures fill in from the device's store just after the heading.
  await page.waitForTimeout(250);
}

async function violations(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${where}: ${v.id} (${v.impact}, ${v.nodes.length}×) e.g. ${v.nodes[0]?.target.join(" ")} — ${v.help}`);
}

async function checkEveryPage(page: Page, who: Account) {
  await logIn(page, who);
  const found: string[] = [];
  for (const path of PAGES) {
    await open(page, path);
    found.push(...(await violations(page, `${who.username} ${path} → ${new URL(page.url()).pathname}`)));
  }
  for (const { list, row } of RECORDS) {
    await open(page, list);
    const first = page.getByTestId(row).first();
    if ((await first.count()) === 0) continue;
    await first.click();
    await expect(page.locator("h1").first()).toBeVisible();
    await page.waitForTimeout(250);
    found.push(...(await violations(page, `${who.username} ${list}/…`)));
  }
  expect(found, found.join("\n")).toEqual([]);
}

test("the login page", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByTestId("login-submit")).toBeVisible();
  expect(await violations(page, "/login")).toEqual([]);
});

for (const who of [gridWorker, volunteer, supervisor, admin]) {
  test(`every page a ${who.username} reaches`, async ({ page }) => {
    test.setTimeout(180_000);
    await checkEveryPage(page, who);
  });
}
