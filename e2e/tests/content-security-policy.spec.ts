// Journey: the app runs under the server's Content-Security-Policy. A supervisor opens the app,
// logs in (the wasm starts, the service worker registers), and opens the map (Leaflet, loaded on
// demand, draws the grids): the browser reports no violation of the policy on the way.
import { expect, test, type Page } from "@playwright/test";
import { OverviewPage } from "../pages/overview-page";
import { logIn } from "../pages/session";
import { supervisor } from "./demo";

test.use({ viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false });

/** Every violation the browser reports, in any document of `page`, as text. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) seen.push(m.text());
  });
  await page.exposeFunction("__knockCspViolation", (v: string) => seen.push(v));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __knockCspViolation: (v: string) => void }).__knockCspViolation;
      report(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return seen;
}

test("the app, its service worker and the map run under the CSP with no violation", async ({ page }) => {
  const violations = await watchViolations(page);

  const shell = await page.goto("/login");
  const headers = shell!.headers();
  expect(headers["content-security-policy"]).toContain("script-src 'self' 'wasm-unsafe-eval' 'sha256-");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).not.toContain("unsafe-inline");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("no-referrer");

  // Logging in waits for the first sync and for the service worker to hold the shell.
  await logIn(page, supervisor);
  const overview = new OverviewPage(page);
  await overview.open();
  await expect(overview.polygons().first()).toBeVisible();
  await expect(page.locator(".leaflet-container")).toBeVisible();

  // The API's answers are never kept by the browser.
  const health = await page.request.get("/api/v1/health");
  expect(health.headers()["cache-control"]).toBe("no-store");

  expect(violations).toEqual([]);
});
