// Journey: a supervisor imports the roster their office keeps, once as CSV and once as XLSX. The
// preview lists every row's problems and writes nothing (the grid worker's phone, synced, has
// no new resident yet); on confirmation the good rows are created, the duplicates (one within
// the file, one of a registered resident) merged, the bad ones refused, and the grid worker's
// phone finds the new resident after a sync.
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import * as XLSX from "xlsx";
import { ImportPage } from "../pages/import-page";
import { ResidentsPage } from "../pages/residents-page";
import { RolePages } from "../pages/role-pages";
import { logIn, syncNow } from "../pages/session";
import { admin, gridWorker, supervisor } from "./demo";

type Change = { entity: string; id: string; field: string; value: unknown };

/** A registered resident of the grid worker's first grid, read through the API as the admin. */
async function registeredResident(request: APIRequestContext, grid: string) {
  const login = await request.post("/api/v1/login", {
    data: { username: admin.username, password: admin.password, device_id: "e2e-import-probe" },
  });
  const token = (await login.json()).token as string;
  const fields = new Map<string, Record<string, unknown>>();
  let cursor = "";
  for (;;) {
    const r = await request.get(`/api/v1/sync/pull?limit=5000${cursor ? `&cursor=${cursor}` : ""}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const page = await r.json();
    for (const c of page.changes as Change[]) {
      if (c.entity !== "resident") continue;
      fields.set(c.id, { ...(fields.get(c.id) ?? {}), [c.field]: c.value });
    }
    cursor = page.cursor;
    if (!page.has_more) break;
  }
  const found = [...fields.values()].find(
    (f) => f.grid_id === grid && typeof f.birth_date === "string" && f.name && !f._deleted && f.tag_living_alone !== true,
  );
  expect(found, "a registered resident to duplicate").toBeTruthy();
  return { name: found!.name as string, birth: found!.birth_date as string };
}

async function gridOf(request: APIRequestContext) {
  const login = await request.post("/api/v1/login", {
    data: { username: gridWorker.username, password: gridWorker.password, device_id: "e2e-import-probe2" },
  });
  const user = (await login.json()).user;
  return { id: user.grids[0] as string, name: user.grid_names[0] as string };
}

/** Header and rows: two new people at one address, a row with no name, a row with a bad date
 * and a bad phone, the first person again (spaced differently), and a registered resident. */
function roster(tag: string, grid: string, registered: { name: string; birth: string }) {
  return [
    ["姓名", "性别", "出生日期", "联系电话", "住址", "网格", "独居"],
    [`导入${tag}甲`, "女", "1948-03-02", "13800000001", `新村 ${tag} 号`, grid, "是"],
    [`导入${tag}乙`, "男", "1950/7/1", "", `新村 ${tag} 号`, grid, ""],
    ["", "男", "1950-01-01", "", "新村 10 号", grid, ""],
    [`导入${tag}丙`, "男", "1950-13-01", "123", "新村 11 号", grid, ""],
    [`导入${tag} 甲`, "女", "1948年3月2日", "", "", grid, ""],
    [registered.name, "", registered.birth, "", "", grid, "是"],
  ];
}

function csv(rows: string[][]) {
  return Buffer.from(rows.map((r) => r.join(",")).join("\r\n") + "\r\n", "utf8");
}

function xlsx(rows: string[][]) {
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet(rows), "名单");
  return XLSX.write(book, { type: "buffer", bookType: "xlsx" }) as Buffer;
}

async function residentsNamed(page: Page, name: string) {
  await page.goto("/me");
  const list = new ResidentsPage(page);
  await list.open();
  await list.search(name);
  // Search runs as one types; give it a moment to settle on the final text.
  await page.waitForTimeout(300);
  return list.rows().filter({ hasText: name }).count();
}

async function journey(
  browser: Browser,
  request: APIRequestContext,
  file: { name: string; mimeType: string; make: (rows: string[][]) => Buffer },
) {
  const tag = String(Date.now() % 100000);
  const grid = await gridOf(request);
  const registered = await registeredResident(request, grid.id);
  const rows = roster(tag, grid.name, registered);
  const newName = `导入${tag}甲`;

  const sup = await browser.newContext({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false });
  const supPage = await sup.newPage();
  await logIn(supPage, supervisor);
  const worker = await browser.newContext();
  const phone = await worker.newPage();
  await logIn(phone, gridWorker);
  const registeredBefore = await residentsNamed(phone, registered.name);

  const imp = new ImportPage(supPage);
  await imp.open();
  await imp.upload(file.name, file.mimeType, file.make(rows));
  await expect(imp.mapping("name")).toHaveValue("姓名");
  await expect(imp.mapping("address")).toHaveValue("住址");
  await expect(imp.rows()).toHaveCount(6);
  expect(await imp.counts()).toEqual({ created: 2, merged: 2, refused: 2 });
  await expect(imp.row(4)).toHaveAttribute("data-action", "refuse");
  await expect(imp.row(4).getByTestId("import-row-problems")).toContainText("缺少姓名");
  await expect(imp.row(5).getByTestId("import-row-problems")).toContainText("出生日期应为有效日期");
  await expect(imp.row(5).getByTestId("import-row-problems")).toContainText("手机号应为 11 位数字");
  await expect(imp.row(6)).toHaveAttribute("data-action", "merge");
  await expect(imp.row(7)).toHaveAttribute("data-action", "merge");
  await expect(imp.row(2).getByTestId("import-row-action")).toHaveText("新建");

  // Another mapping is previewed again at once: without the phone column the bad phone is no
  // longer a problem; mapped back, it is.
  await imp.mapping("phone").selectOption("");
  await expect(imp.row(5).getByTestId("import-row-problems")).not.toContainText("手机号");
  await imp.mapping("phone").selectOption("联系电话");
  await expect(imp.row(5).getByTestId("import-row-problems")).toContainText("手机号应为 11 位数字");

  // Nothing is written before confirmation: the worker's phone, synced, has no new resident.
  await syncNow(phone);
  expect(await residentsNamed(phone, newName)).toBe(0);

  await imp.commit();
  expect(await imp.counts()).toEqual({ created: 2, merged: 2, refused: 2 });

  await syncNow(phone);
  expect(await residentsNamed(phone, newName)).toBe(1);
  expect(await residentsNamed(phone, `导入${tag}乙`)).toBe(1);
  expect(await residentsNamed(phone, `导入${tag}丙`)).toBe(0);
  expect(await residentsNamed(phone, registered.name)).toBe(registeredBefore);
  await Promise.all([sup.close(), worker.close()]);
}

test("a supervisor imports a CSV roster and the grid worker's phone receives it", async ({ browser, request }) => {
  await journey(browser, request, { name: "名单.csv", mimeType: "text/csv", make: csv });
});

test("a supervisor imports an XLSX roster and the grid worker's phone receives it", async ({ browser, request }) => {
  await journey(browser, request, {
    name: "名单.xlsx",
    mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    make: xlsx,
  });
});

test("a grid worker has no import tab and cannot import", async ({ page }) => {
  await logIn(page, gridWorker);
  await expect(page.getByTestId("nav-needs")).toBeVisible();
  await expect(page.getByTestId("nav-import")).toHaveCount(0);
  // The page table turns a grid worker back to Today with a word of why.
  await new RolePages(page).expectRefused("/import", "/today");
});

test("the import page says it needs the network when offline", async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false });
  const page = await ctx.newPage();
  await logIn(page, supervisor);
  await new ImportPage(page).open();
  await expect(page.getByTestId("import-offline")).toHaveCount(0);
  await ctx.setOffline(true);
  await expect(page.getByTestId("import-offline")).toContainText("需要联网");
  await ctx.setOffline(false);
  await expect(page.getByTestId("import-offline")).toHaveCount(0, { timeout: 30_000 });
  await ctx.close();
});
