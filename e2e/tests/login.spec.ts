// Journey: a grid worker opens Knock on a phone, logs in and lands on Today, sees their grids on
// the user card, reloads and is still logged in, then logs out.
import { expect, test } from "@playwright/test";
import { HomePage } from "../pages/home-page";
import { LoginPage } from "../pages/login-page";
import { gridWorker } from "./demo";

test("grid worker logs in, stays logged in across a reload, and logs out", async ({ page }) => {
  const login = new LoginPage(page);
  const home = new HomePage(page);

  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  // Chinese by default, whatever the browser's own language.
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();

  await login.logIn(gridWorker.username, gridWorker.password);
  await expect(page).toHaveURL(/\/today$/);
  await home.open();
  await home.expectUser(gridWorker.name, "网格员");
  await expect(home.grids()).toHaveText(gridWorker.grids);

  const token = await page.evaluate(() => JSON.parse(localStorage.getItem("knock.session") ?? "null")?.token);
  expect(token).toMatch(/^[0-9a-f]{64}$/);

  await page.reload();
  await home.expectUser(gridWorker.name, "网格员");
  await expect(home.grids()).toHaveCount(2);

  // The page fits a 360 px phone: nothing scrolls sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  await home.logOut();
  await expect(page).toHaveURL(/\/login$/);
  expect(await page.evaluate(() => localStorage.getItem("knock.session"))).toBeNull();

  // The revoked token no longer opens the API.
  const r = await page.request.post("/api/v1/logout", { headers: { Authorization: `Bearer ${token}` } });
  expect(r.status()).toBe(401);
});

test("the English switch is remembered across a reload", async ({ page }) => {
  await page.goto("/login");
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { name: "登录" })).toBeVisible();
});
