// Journeys: each role on a phone logs in, lands on its first task, tries every page it may not
// use by its address and is turned back home with a word of why, and finds no tab, link or
// button for what it may not do (model/src/access.rs). Then the pages for an address that
// does not exist and for a record this device does not hold.
import { expect, test, type Page } from "@playwright/test";
import { LoginPage } from "../pages/login-page";
import { RolePages } from "../pages/role-pages";
import { type Account, waitSynced } from "../pages/session";
import { admin, gridWorker, supervisor, volunteer } from "./demo";

/** Logs in and expects to land on `home`, synced. */
async function logInAt(page: Page, who: Account, home: string) {
  await page.goto("/login");
  await new LoginPage(page).logIn(who.username, who.password);
  await expect(page).toHaveURL(new RegExp(`${home}$`));
  await waitSynced(page);
}

async function openCard(page: Page) {
  await page.getByTestId("nav-home").click();
  await expect(page).toHaveURL(/\/me$/);
}

test("a volunteer has their deliveries and none of the health records", async ({ page }) => {
  const roles = new RolePages(page);
  await logInAt(page, volunteer, "/deliveries");
  await expect(page.getByTestId("delivery").first()).toBeVisible();
  expect(await roles.navLinks()).toEqual(["nav-deliveries"]);
  // Their few deliveries cannot show that a household got two packs, and no tier is computed
  // from a resident they receive only the name and phone of.
  await expect(page.getByTestId("double-delivery")).toHaveCount(0);
  await expect(page.getByTestId("tier")).toHaveCount(0);

  await openCard(page);
  expect(await roles.navLinks()).toEqual(["nav-guides", "nav-services", "nav-deliveries", "nav-sync"]);

  for (const path of [
    "/today",
    "/households",
    "/households/new",
    "/residents",
    "/residents/new",
    "/visit/new",
    "/ledger",
    "/print/visits",
    "/vaccination",
    "/spot-checks",
    "/gatherings",
    "/overview",
    "/needs",
    "/needs/new",
    "/supplies",
    "/packs",
    "/users",
    "/import",
  ]) {
    await roles.expectRefused(path, "/deliveries");
  }
  // The notice goes with the next step.
  await page.getByTestId("nav-home").click();
  await expect(roles.notice()).toHaveCount(0);
  for (const path of ["/services", "/sync", "/me", "/guides"]) await roles.expectOpens(path);
});

test("a grid worker knocks on doors but plans no batch and sees no overview", async ({ page }) => {
  const roles = new RolePages(page);
  await logInAt(page, gridWorker, "/today");
  expect(await roles.navLinks()).toEqual(["nav-today", "nav-households", "nav-ledger", "nav-needs"]);
  await expect(page.getByTestId("today-visit").first()).toBeVisible();
  await openCard(page);
  expect(await roles.navLinks()).toEqual([
    "nav-today",
    "nav-households",
    "nav-residents",
    "nav-vaccination",
    "nav-gatherings",
    "nav-visit-sheet",
    "nav-guides",
    "nav-ledger",
    "nav-needs",
    "nav-services",
    "nav-deliveries",
    "nav-supplies",
    "nav-sync",
  ]);
  for (const path of ["/packs", "/overview", "/users", "/import", "/spot-checks"]) {
    await roles.expectRefused(path, "/today");
  }
  // Stock is the supervisor's: the grid worker reads it and records no move.
  await roles.expectOpens("/supplies");
  await expect(page.getByTestId("supply").first()).toBeVisible();
  await expect(page.getByTestId("stock-move-form")).toHaveCount(0);
  await roles.expectOpens("/households");
  await expect(page.getByTestId("add-household")).toBeVisible();
});

test("a supervisor looks across grids and edits no household, resident or visit", async ({ page }) => {
  const roles = new RolePages(page);
  await logInAt(page, supervisor, "/overview");
  expect(await roles.navLinks()).toEqual(["nav-ledger", "nav-overview", "nav-needs", "nav-import"]);
  await openCard(page);
  expect(await roles.navLinks()).toEqual([
    "nav-households",
    "nav-residents",
    "nav-vaccination",
    "nav-spot-checks",
    "nav-gatherings",
    "nav-visit-sheet",
    "nav-guides",
    "nav-ledger",
    "nav-overview",
    "nav-needs",
    "nav-services",
    "nav-deliveries",
    "nav-supplies",
    "nav-packs-plan",
    "nav-import",
    "nav-sync",
  ]);
  for (const path of ["/visit/new", "/users", "/households/new", "/residents/new"]) {
    await roles.expectRefused(path, "/overview");
  }

  await page.getByTestId("nav-home").click();
  await page.getByTestId("nav-households").click();
  await expect(page.getByTestId("household-row").first()).toBeVisible();
  await expect(page.getByTestId("add-household")).toHaveCount(0);
  await page.getByTestId("household-row").first().click();
  await expect(page.getByTestId("member-row").first()).toBeVisible();
  for (const id of ["save", "member-visit", "add-member"]) {
    await expect(page.getByTestId(id)).toHaveCount(0);
  }
  await page.getByTestId("member-row").first().locator("a.row").click();
  await expect(page.getByTestId("risk-summary")).toBeVisible();
  await expect(page.getByTestId("raise-need")).toBeVisible();
  for (const id of ["save", "record-visit"]) {
    await expect(page.getByTestId(id)).toHaveCount(0);
  }
  await roles.expectOpens("/residents");
  await expect(page.getByTestId("resident-row").first()).toBeVisible();
  await expect(page.getByTestId("add-resident")).toHaveCount(0);
  // Today opens for a supervisor who reads it all, but offers no visit to record.
  await roles.expectOpens("/today");
  await expect(page.getByTestId("today-item").first()).toBeVisible();
  await expect(page.getByTestId("today-visit")).toHaveCount(0);
  await roles.expectOpens("/supplies");
  await expect(page.getByTestId("stock-move-form")).toBeVisible();
});

test("an admin opens every page", async ({ page }) => {
  const roles = new RolePages(page);
  await logInAt(page, admin, "/overview");
  expect(await roles.navLinks()).toEqual(["nav-ledger", "nav-overview", "nav-needs", "nav-users", "nav-import"]);
  for (const path of ["/today", "/packs", "/users", "/import", "/visit/new", "/households/new", "/residents/new"]) {
    await roles.expectOpens(path);
  }
  await roles.expectOpens("/households");
  await expect(page.getByTestId("add-household")).toBeVisible();
});

test("an unknown address and an unknown record say so, with the way home", async ({ page }) => {
  const roles = new RolePages(page);
  await page.goto("/no-such-page");
  await expect(roles.notFound()).toContainText("找不到此页面");
  await roles.goHome();
  await expect(page).toHaveURL(/\/login$/);

  await logInAt(page, gridWorker, "/today");
  await page.goto("/no/such/page");
  await expect(roles.notFound()).toContainText("找不到此页面");
  await roles.goHome();
  await expect(page).toHaveURL(/\/today$/);

  for (const [path, form] of [
    ["/residents/no-such-resident", "resident-form"],
    ["/households/no-such-household", "household-form"],
    ["/needs/no-such-need", "need-form"],
    ["/visit/new?resident=no-such-resident", "visit-form"],
  ]) {
    await page.goto(path);
    await expect(roles.recordNotHere()).toContainText("此记录不在本设备上");
    await expect(page.getByTestId(form)).toBeHidden();
  }
  // In English too.
  await page.getByTestId("lang-switch").click();
  await expect(roles.recordNotHere()).toContainText("not on this device");
  await roles.goHome();
  await expect(page).toHaveURL(/\/today$/);
});
