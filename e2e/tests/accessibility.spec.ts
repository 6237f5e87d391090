// Journey: every page each role can reach, checked by axe-core against WCAG 2 A and AA on a phone.
// A serious or critical violation (an input without a label, text too faint to read, a region a
// keyboard cannot reach …) fails the journey with the page, the rule and an example element, as
// does a control a thumb cannot hit (under 48 px high) or text under 16 px. Every page is also
// photographed at 360 × 740 in Chinese into e2e/test-results/screenshots/pages/ (not committed), for
// review by eye.
import * as path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { logIn, type Account } from "../pages/session";
import { admin, gridWorker, streetOffice, supervisor, volunteer } from "./demo";

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
  "/print/visits",
  "/vaccination",
  "/spot-checks",
  "/gatherings",
  "/gatherings/new",
  "/upward",
  "/rota",
  "/guides",
  "/guides/warning_signs",
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

/** Smallest height a control may have: a thumb at arm's length, in the sun (WCAG 2.5.5's 44 px and Android's 48 dp). */
const TOUCH_PX = 48;
/** Smallest text a 60-year-old reads without glasses. */
const TEXT_PX = 16;

/** Visible controls lower than a thumb, and visible text smaller than TEXT_PX, on the page as drawn. */
async function tooSmall(page: Page, where: string): Promise<string[]> {
  const found = await page.evaluate(
    ({ touch, text }) => {
      const out: string[] = [];
      const name = (e: Element) =>
        `${e.tagName.toLowerCase()}${e.getAttribute("data-testid") ? `[data-testid=${e.getAttribute("data-testid")}]` : ""} "${(e.textContent ?? "").trim().slice(0, 20)}"`;
      const visible = (e: Element) => {
        const r = e.getBoundingClientRect();
        const st = getComputedStyle(e);
        return r.width > 0 && r.height > 0 && st.visibility !== "hidden" && st.display !== "none";
      };
      const controls = document.querySelectorAll(
        "button, a[href], select, summary, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), textarea",
      );
      for (const e of controls) {
        // A link inside a sentence is text, not a target of its own (WCAG 2.5.8's inline exception).
        if (e.tagName === "A" && getComputedStyle(e).display === "inline") continue;
        if (e.closest(".leaflet-container .leaflet-pane")) continue;
        if (!visible(e)) continue;
        const h = e.getBoundingClientRect().height;
        if (h < touch - 0.5) out.push(`target ${Math.round(h)} px: ${name(e)}`);
      }
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const seen = new Set<Element>();
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || seen.has(el) || !(n.textContent ?? "").trim()) continue;
        seen.add(el);
        if (el.closest("script, style, noscript, svg, .leaflet-control-attribution") || !visible(el)) continue;
        const px = parseFloat(getComputedStyle(el).fontSize);
        if (px < text - 0.5) out.push(`text ${px} px: ${name(el)}`);
      }
      return out;
    },
    { touch: TOUCH_PX, text: TEXT_PX },
  );
  return found.map((f) => `${where}: ${f}`);
}

const SHOTS = path.join(__dirname, "..", "test-results", "screenshots", "pages");

/** At 200 % text (the root font doubled, as a phone's largest text setting does) the page still
 *  fits the screen's width: it wraps rather than scroll sideways (WCAG 1.4.4 and 1.4.10). */
async function wideAtDoubleText(page: Page, where: string): Promise<string[]> {
  const { scroll, client, widest } = await page.evaluate(() => {
    const root = document.documentElement;
    const before = root.style.fontSize;
    root.style.fontSize = `${parseFloat(getComputedStyle(root).fontSize) * 2}px`;
    const scroll = root.scrollWidth;
    const client = root.clientWidth;
    // The element that sticks out furthest, to say what to fix (a scroll region's inside is its own).
    let widest = "";
    let right = client;
    for (const e of document.body.querySelectorAll("*")) {
      if (e.closest(".table-scroll, .leaflet-container")) continue;
      const r = e.getBoundingClientRect().right;
      if (r > right + 0.5) {
        right = r;
        widest = `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} "${(e.textContent ?? "").trim().slice(0, 20)}"`;
      }
    }
    root.style.fontSize = before;
    return { scroll, client, widest };
  });
  return scroll > client ? [`${where}: at 200 % text ${scroll} px wide on a ${client} px screen, e.g. ${widest}`] : [];
}

/** A photograph of the page as the role sees it, named by role and path. */
async function photograph(page: Page, who: Account, label: string) {
  const file = `${who.username}${label.replace(/[^a-z0-9-]+/gi, "_")}.png`;
  await page.screenshot({ path: path.join(SHOTS, file) });
}

async function checkEveryPage(page: Page, who: Account) {
  await logIn(page, who);
  const found: string[] = [];
  for (const path of PAGES) {
    await open(page, path);
    const where = `${who.username} ${path} → ${new URL(page.url()).pathname}`;
    found.push(...(await violations(page, where)), ...(await tooSmall(page, where)), ...(await wideAtDoubleText(page, where)));
    await photograph(page, who, path);
  }
  for (const { list, row } of RECORDS) {
    await open(page, list);
    const first = page.getByTestId(row).first();
    if ((await first.count()) === 0) continue;
    await first.click();
    await expect(page.locator("h1").first()).toBeVisible();
    await page.waitForTimeout(250);
    found.push(...(await violations(page, `${who.username} ${list}/…`)), ...(await tooSmall(page, `${who.username} ${list}/…`)));
    await photograph(page, who, `${list}-record`);
  }
  expect(found, found.join("\n")).toEqual([]);
}

test("the login page", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByTestId("login-submit")).toBeVisible();
  expect([...(await violations(page, "/login")), ...(await tooSmall(page, "/login"))]).toEqual([]);
  await page.screenshot({ path: path.join(SHOTS, "login.png") });
});

for (const who of [gridWorker, volunteer, supervisor, admin, streetOffice]) {
  test(`every page a ${who.username} reaches`, async ({ page }) => {
    test.setTimeout(180_000);
    await checkEveryPage(page, who);
  });
}
