// Journey: a grid worker's door-knocking day on a phone, offline from just after login: find a
// household by a member's name, register a new resident, record a visit with severe warning
// signs, see the resident red at the top of Today and in the ledger, raise and resolve a need.
// Back online, the supervisor of that grid sees all of it.
import { expect, test } from "@playwright/test";
import { ResidentForm } from "../pages/residents-page";
import { logIn, waitSynced } from "../pages/session";
import { HouseholdsPage, LedgerPage, Nav, VisitForm } from "../pages/worker-pages";
import { gridWorker, supervisor } from "./demo";

test("a grid worker's offline day reaches the supervisor", async ({ browser }) => {
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await logIn(page, gridWorker);
  await phone.setOffline(true);
  const nav = new Nav(page);

  // Find a household by one of its members' names.
  await page.getByTestId("nav-residents").click();
  const member = ((await page.getByTestId("resident-row").first().locator(".row-main").textContent()) ?? "").trim();
  await nav.go("households");
  const households = new HouseholdsPage(page);
  await households.search(member);
  const found = households.rows().filter({ hasText: member }).first();
  await expect(found).toBeVisible();
  await found.click();
  await expect(page.getByTestId("member-row").filter({ hasText: member })).toBeVisible();

  // Register a new member of that household.
  await page.getByTestId("add-member").click();
  const name = `新居民${Date.now() % 100000}`;
  const form = new ResidentForm(page);
  await form.set("name", name);
  await form.set("birth_date", "1975-06-01");
  await form.set("phone", "13512345678");
  await form.save();
  await expect(page.getByTestId("risk-summary")).toContainText("绿");
  await expect(page.getByTestId("household-link")).toBeVisible();
  const residentUrl = page.url().replace(/\?.*$/, "");

  // A visit that finds severe warning signs: red at once, and an emergency need in one tap.
  await page.getByTestId("record-visit").click();
  const visit = new VisitForm(page);
  await visit.field("method").selectOption("in_person");
  await visit.field("temperature").fill("39.6");
  await visit.field("spo2").fill("90");
  await visit.field("warn_breathing").check();
  await visit.save();
  await expect(page.getByTestId("visit-warning")).toContainText("红色");
  await page.getByTestId("raise-emergency").click();
  await expect(page.getByTestId("emergency-raised")).toBeVisible();
  await expect(page.getByTestId("call-120")).toHaveAttribute("href", "tel:120");
  // The community's own hotlines beside 120 (issue 16).
  await expect(page.getByTestId("community-hotline")).toHaveCount(2);
  await expect(page.getByTestId("community-hotline").first()).toHaveAttribute("href", /^tel:/);

  await nav.go("today");
  const top = page.getByTestId("today-row").first();
  await expect(top).toContainText(name);
  await expect(top.getByTestId("tier")).toHaveAttribute("data-tier", "red");

  await nav.go("ledger");
  const ledger = new LedgerPage(page);
  await ledger.filterTier("red");
  await ledger.search(name);
  await expect(ledger.rows().filter({ hasText: name })).toHaveCount(1);

  // The emergency need: on the needs list first, then resolved with what was done.
  await nav.go("needs");
  const need = page.getByTestId("need-row").filter({ hasText: name });
  await expect(need).toHaveCount(1);
  await need.click();
  await expect(page.getByTestId("hotline")).toBeVisible();
  const needUrl = page.url();
  await page.getByTestId("need-resolve").click();
  await page.getByTestId("need-resolve-yes").click();
  await expect(page.getByTestId("error-resolution")).toBeVisible();
  await page.getByTestId("field-resolution").fill("已联系 120 转诊东城医院");
  await page.getByTestId("need-resolve").click();
  await page.getByTestId("need-resolve-yes").click();
  await expect(page.getByTestId("need-status")).toHaveText("已解决");
  await nav.go("needs");
  await expect(page.getByTestId("need-row").filter({ hasText: name })).toHaveCount(0);

  // Back online: everything goes up by itself.
  await phone.setOffline(false);
  await waitSynced(page);

  const laptop = await browser.newContext();
  const sup = await laptop.newPage();
  await logIn(sup, supervisor);
  await sup.goto(residentUrl);
  await expect(sup.getByTestId("field-name")).toHaveValue(name);
  await expect(sup.getByTestId("risk-summary").getByTestId("tier")).toHaveAttribute("data-tier", "red");
  await sup.goto(needUrl);
  await expect(sup.getByTestId("need-status")).toHaveText("已解决");
  await expect(sup.getByTestId("field-resolution")).toHaveValue("已联系 120 转诊东城医院");
  await sup.getByTestId("nav-ledger").click();
  // Five grids of high-risk residents: the ledger draws what is on the screen, its search finds anyone.
  const supLedger = new LedgerPage(sup);
  await supLedger.filterTier("red");
  expect(await supLedger.rows().count()).toBeLessThanOrEqual(100);
  await supLedger.search(name);
  await expect(supLedger.rows().filter({ hasText: name })).toHaveCount(1);
  await phone.close();
  await laptop.close();
});

test("a second registration of the same person is caught before it is saved", async ({ page }) => {
  await logIn(page, gridWorker);
  await page.getByTestId("nav-residents").click();
  await page.getByTestId("resident-row").first().click();
  const form = new ResidentForm(page);
  await expect(form.field("name")).not.toHaveValue("");
  const name = await form.field("name").inputValue();
  const birth = await form.field("birth_date").inputValue();
  const phoneNo = await form.field("phone").inputValue();
  // Registering them again from their own household, so in the same grid.
  await page.getByTestId("household-link").click();
  await page.getByTestId("add-member").click();
  await form.set("name", name);
  await form.set("birth_date", birth);
  if (phoneNo) await form.set("phone", phoneNo);
  await page.getByTestId("save").click();
  await expect(page.getByTestId("duplicate-warning")).toContainText(name);
  await expect(page).toHaveURL(/\/residents\/new/);
});

test("input errors are shown next to the field in words", async ({ page }) => {
  await logIn(page, gridWorker);
  await page.goto("/residents/new");
  const form = new ResidentForm(page);
  await form.set("name", "测试");
  await form.set("phone", "12345");
  await page.getByTestId("save").click();
  await expect(page.getByTestId("error-phone")).toContainText("电话");
  await expect(page.getByTestId("form-message")).toHaveText("请先改正标出的错误。");
});
