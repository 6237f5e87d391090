// Journey: the supervisor at the street office, on a laptop, sees every grid on the map coloured,
// taps one to read its figures (the server's own), watches them move when a grid worker's
// offline visits arrive, and sends the daily report upward as files that hold what the screen shows.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import * as XLSX from "xlsx";
import { storedRecords } from "../pages/device-store";
import { OverviewPage, serverDashboard } from "../pages/overview-page";
import { LoginPage } from "../pages/login-page";
import { logIn, waitSynced } from "../pages/session";
import { VisitForm } from "../pages/worker-pages";
import { gridWorker, supervisor } from "./demo";
import { parseCsv } from "./helpers/csv";

test.use({ viewport: { width: 1366, height: 900 }, isMobile: false, hasTouch: false });

const PALETTE = ["#2e7d32", "#f9a825", "#ef6c00", "#c62828", "#9e9e9e"];

test("the map shows every grid coloured, a tap shows the server's figures, and visits move them", async ({ browser, request }) => {
  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await laptop.newPage();
  await logIn(page, supervisor);
  const overview = new OverviewPage(page);
  await overview.open();

  const server = await serverDashboard(request, supervisor.username, supervisor.password);
  expect(server.grids.length).toBe(5);
  await expect(overview.polygons()).toHaveCount(server.grids.length);
  for (const g of server.grids) {
    const fill = await overview.polygon(g.id).getAttribute("fill");
    expect(PALETTE).toContain(fill);
    await expect(page.locator(".grid-label", { hasText: g.name })).toBeVisible();
  }
  // Each layer colours the grids again; the risk layer by red residents. Every colour on the map
  // is named in the layer's legend, so the supervisor can read it without asking.
  for (const layer of ["risk", "needs", "packs", "coverage"] as const) {
    await overview.layer(layer);
    const named = await page.getByTestId("legend-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-colour")));
    for (const g of server.grids) {
      const fill = await overview.polygon(g.id).getAttribute("fill");
      expect(PALETTE).toContain(fill);
      expect(named, `${layer}: ${g.name}'s ${fill} in the legend`).toContain(fill);
    }
  }

  // Tap each grid: the panel shows that grid's figures exactly as the server computes them.
  for (const g of server.grids) {
    await overview.polygon(g.id).click({ force: true });
    await expect(overview.panel()).toHaveAttribute("data-grid", g.id);
    await expect(page.getByTestId("figures-title")).toHaveText(g.name);
    for (const key of ["residents", "aged_65", "red", "yellow", "overdue", "visited_7d", "needs_open"]) {
      expect(await overview.figure(key), `${g.name} ${key}`).toBe(g.figures[key]);
    }
  }

  // The grid worker's phone records two visits with no signal, then syncs.
  const first = server.grids.find((g) => g.name === gridWorker.grids[0])!;
  const before = first.figures.visits_today;
  const phone = await browser.newContext();
  const worker = await phone.newPage();
  await logIn(worker, gridWorker);
  await phone.setOffline(true);
  // Two residents of the worker's first grid, read from the phone's own store.
  const ids = (await storedRecords(worker))
    .filter((r) => r.entity === "resident" && r.fields.grid_id?.value === first.id)
    .slice(0, 2)
    .map((r) => r.id);
  expect(ids.length).toBe(2);
  for (const id of ids) {
    await worker.goto(`/visit/new?resident=${id}`);
    const visit = new VisitForm(worker);
    await visit.field("method").selectOption("in_person");
    await visit.field("temperature").fill("36.8");
    await visit.save();
  }
  await phone.setOffline(false);
  await waitSynced(worker);

  // The supervisor refreshes: the grid's figures moved by exactly those visits.
  await overview.refresh();
  await overview.polygon(first.id).click({ force: true });
  await expect
    .poll(async () => overview.figure("visits_today"))
    .toBe(before + 2);
  const after = await serverDashboard(request, supervisor.username, supervisor.password);
  const firstAfter = after.grids.find((g) => g.id === first.id)!;
  expect(firstAfter.figures.visits_today).toBe(before + 2);
  for (const key of ["visited_7d", "overdue", "red"]) {
    expect(await overview.figure(key), key).toBe(firstAfter.figures[key]);
  }
  await phone.close();
  await laptop.close();
});

test("a supervisor's first sync asks for the figures when the overview opens and once the records came, not for every change of the phone's store", async ({ page }) => {
  // A cold dashboard takes the server a quarter of a second of its CPU: asked for again in the
  // middle of the first sync, it slowed the sync's own pages.
  const asked: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/v1/dashboard") asked.push(r.url());
  });
  const login = new LoginPage(page);
  await login.open();
  await login.logIn(supervisor.username, supervisor.password);
  await expect(page).toHaveURL(/\/overview$/);
  await waitSynced(page);
  // Whatever a first sync's end sets off has had time to ask by the time the map is drawn.
  await expect(new OverviewPage(page).polygons()).toHaveCount(5);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 1_000)));
  expect(asked.length, asked.join("\n")).toBeGreaterThanOrEqual(1);
  expect(asked.length, asked.join("\n")).toBeLessThanOrEqual(2);
});

test("the daily report downloads as CSV and XLSX holding the figures on screen", async ({ page }) => {
  await logIn(page, supervisor);
  const overview = new OverviewPage(page);
  await overview.open();
  await expect(page.getByTestId("grid-row")).toHaveCount(5);
  const onScreen = await page.getByTestId("grid-row").evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll("td")].map((td) => (td.textContent ?? "").trim())),
  );
  const date = await page.getByTestId("dashboard-date").inputValue();

  const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-daily-csv").click()]);
  expect(csvDownload.suggestedFilename()).toBe(`日报-${date}.csv`);
  const csvText = readFileSync(await csvDownload.path()).toString("utf8");
  expect(csvText.charCodeAt(0)).toBe(0xfeff);
  const csv = parseCsv(csvText.slice(1)).filter((r) => r.length > 1);
  expect(csv[0].slice(0, 5)).toEqual(["日期", "网格", "居民数", "65岁及以上", "红色（高风险）"]);
  expect(csv.length).toBe(onScreen.length + 2);
  expect(csv[csv.length - 1][1]).toBe("合计");

  const [xlsxDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-daily-xlsx").click()]);
  expect(xlsxDownload.suggestedFilename()).toBe(`日报-${date}.xlsx`);
  const book = XLSX.read(readFileSync(await xlsxDownload.path()), { type: "buffer" });
  const rows = XLSX.utils.sheet_to_json<(string | number)[]>(book.Sheets[book.SheetNames[0]], { header: 1, raw: true });
  expect(rows[0][1]).toBe("网格");

  // Each grid's row on screen: name, residents, red, coverage, overdue, open needs, packs.
  for (const [name, residents, red, coverage, overdue, needsOpen] of onScreen) {
    const c = csv.find((r) => r[1] === name)!;
    const x = rows.find((r) => r[1] === name)!;
    expect(c, name).toBeTruthy();
    expect([c[2], c[4], c[9], c[12]]).toEqual([residents, red, overdue, needsOpen]);
    expect([x[2], x[4], x[9], x[12]].map(String)).toEqual([residents, red, overdue, needsOpen]);
    expect(coverage === "—" ? "" : `${c[8]}%`).toBe(coverage === "—" ? "" : coverage);
    expect(c[0]).toBe(date);
  }
});

test("with no signal the overview still draws the map from the last figures", async ({ page, context }) => {
  await logIn(page, supervisor);
  const overview = new OverviewPage(page);
  await overview.open();
  await expect(overview.polygons()).toHaveCount(5);
  const residents = await overview.figure("residents");

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId("dashboard-status")).toContainText("无法连接服务器");
  // Leaflet comes from the service worker's cache, the figures from the device.
  await expect(overview.polygons()).toHaveCount(5);
  expect(await overview.figure("residents")).toBe(residents);

  // Zoomed in, the households of the device's own store appear as points.
  await expect(page.locator("path.household-point")).toHaveCount(0);
  for (let i = 0; i < 5 && (await page.locator("path.household-point").count()) === 0; i++) {
    await page.locator(".leaflet-control-zoom-in").click();
    await page.waitForTimeout(500);
  }
  await expect(page.locator("path.household-point").first()).toBeVisible();
});
