// Journey: a person for every door (issue 16, 楼门栋长). 孙丽 answers for 幸福里小区 1 and 2 号楼:
// her Today and her households hold those doors and no other, each showing her as responsible,
// and she cannot hand a door on. The supervisor's overview counts per responsible person and
// lists the doors nobody answers for; she gives one of them to 孙丽, whose phone then holds it
// after its next sync.
import { expect, test } from "@playwright/test";
import { logIn, syncNow } from "../pages/session";
import { buildingLeader, supervisor } from "./demo";

const HER_BUILDINGS = /幸福里小区 [12] 号楼/;

test("a building leader sees only her doors, and a door handed to her reaches her phone", async ({ browser }) => {
  test.setTimeout(180_000);
  const phone = await browser.newContext();
  const page = await phone.newPage();
  await logIn(page, buildingLeader);

  await page.getByTestId("nav-today").click();
  const today = page.getByTestId("today-row");
  await expect(today.first()).toBeVisible();
  for (const text of await today.allTextContents()) {
    expect(text).toMatch(HER_BUILDINGS);
  }

  await page.getByTestId("nav-households").click();
  const rows = page.getByTestId("household-row");
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allTextContents()) {
    expect(text).toMatch(HER_BUILDINGS);
    expect(text).toContain(`责任人：${buildingLeader.name}`);
  }
  await rows.first().click();
  await expect(page.getByTestId("responsible-name")).toHaveText(buildingLeader.name);
  await expect(page.getByTestId("responsible-form")).toHaveCount(0);

  // The supervisor sees the doors per person and those of nobody, and hands one out.
  const laptop = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const office = await laptop.newPage();
  await logIn(office, supervisor);
  await office.getByTestId("nav-overview").click();
  const herRow = office.getByTestId("responsible-row").filter({ hasText: buildingLeader.name });
  await expect(herRow.getByTestId("responsible-households")).toHaveText("40");
  const unassigned = office.getByTestId("unassigned");
  await expect(unassigned).toContainText("无责任人住户");
  // A door of her grid: she works in no other.
  const door = unassigned.getByTestId("unassigned-row").filter({ hasText: "幸福里第一网格" }).first();
  const address = (await door.locator(".row-main").textContent())!.trim();
  expect(address).not.toMatch(HER_BUILDINGS);
  await door.click();
  await expect(office.getByTestId("responsible-name")).toHaveText("暂无责任人");
  await office.getByTestId("responsible-select").selectOption({ label: buildingLeader.name });
  await office.getByTestId("responsible-save").click();
  await expect(office.getByTestId("responsible-message")).toContainText("已保存");
  await expect(office.getByTestId("responsible-name")).toHaveText(buildingLeader.name);
  await syncNow(office);
  await laptop.close();

  // Her phone starts its pull again and holds the new door, hers to look after.
  await syncNow(page);
  await page.getByTestId("nav-households").click();
  await page.getByTestId("household-search").fill(address);
  const found = page.getByTestId("household-row");
  await expect(found).toHaveCount(1);
  await expect(found).toContainText(`责任人：${buildingLeader.name}`);
  await phone.close();
});

test("a door a building leader adds is hers, and the server keeps it", async ({ page }) => {
  await logIn(page, buildingLeader);
  await page.goto("/households/new");
  const address = `幸福里小区 2 号楼 3 单元 ${900 + (Date.now() % 90)}`;
  await page.getByTestId("field-address").fill(address);
  await page.getByTestId("save").click();
  await expect(page).toHaveURL(/\/households\/[0-9a-f-]{36}/);
  await expect(page.getByTestId("responsible-name")).toHaveText(buildingLeader.name);
  // Pushed and accepted: a door of nobody's would have been refused (403) and shown as such.
  await syncNow(page);
  await expect(page.getByTestId("sync-status")).toHaveAttribute("data-state", "synced");
  await page.goto("/sync");
  await expect(page.getByTestId("rejected-none")).toBeVisible();
  await expect(page.getByTestId("rejected-item")).toHaveCount(0);
  await page.getByTestId("nav-households").click();
  await page.getByTestId("household-search").fill(address);
  await expect(page.getByTestId("household-row")).toContainText(`责任人：${buildingLeader.name}`);
});
