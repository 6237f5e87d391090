// Journey: what a person sees when login cannot work: a wrong password, an unreachable server.
import { expect, test } from "@playwright/test";
import { LoginPage } from "../pages/login-page";
import { gridWorker } from "./demo";

test("a wrong password shows the Chinese message and stores no token", async ({ page }) => {
  const login = new LoginPage(page);
  await login.open();
  await login.logIn(gridWorker.username, "wrong-password");
  await expect(login.error()).toHaveText("用户名或密码错误，请检查后重试。");
  await expect(page).toHaveURL(/\/login$/);
  expect(await page.evaluate(() => localStorage.getItem("knock.session"))).toBeNull();
});

test("an unreachable server says so, and that the first login needs the network", async ({ page }) => {
  const login = new LoginPage(page);
  await login.open();
  await page.route("**/api/v1/login", (route) => route.abort("internetdisconnected"));
  await login.logIn(gridWorker.username, gridWorker.password);
  await expect(login.error()).toHaveText("无法连接服务器。第一次登录需要网络；登录过一次后，没有信号也能照常使用。请到有信号的地方再试。");
  expect(await page.evaluate(() => localStorage.getItem("knock.session"))).toBeNull();
});

test("empty fields are caught before anything is sent", async ({ page }) => {
  const login = new LoginPage(page);
  await login.open();
  await page.getByTestId("login-submit").click();
  await expect(login.error()).toHaveText("请输入用户名和密码。");
});
