// Journey: a volunteer at a stairwell reads their round on a 360 px phone. Each door is a card:
// where first and large, then who, what to hand over and the status, each on its own line, with
// a call button a thumb can hit; the doors sit under a heading per building in walking order,
// with what is done and left, and the volunteer can hide what is done. The card stays inside
// the screen in Chinese and in English, with a long word in it, and at 200 % text size.
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { DeliveriesPage } from "../pages/deliveries-page";
import { logIn } from "../pages/session";
import { volunteer } from "./demo";

// Not committed (test-results/ is ignored): for a person to look at, not compared pixel by pixel.
const SHOTS = path.join(__dirname, "..", "test-results", "screenshots");

async function noOverflow(card: Locator) {
  const { scroll, client } = await card.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(scroll, "nothing in the card is wider than the card").toBeLessThanOrEqual(client);
}

async function pageFits(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(scroll, "the page does not scroll sideways").toBeLessThanOrEqual(client);
}

async function shot(card: Locator, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  // Bottom-aligned, so the sticky header does not sit over the card's first line.
  await card.evaluate((e) => e.scrollIntoView({ block: "end" }));
  await card.screenshot({ path: path.join(SHOTS, name) });
}

test("a volunteer's doors are cards under their buildings, in walking order", async ({ page }) => {
  await logIn(page, volunteer);
  const list = new DeliveriesPage(page);
  await list.open();

  // The card: where, large and first; then who, what, the status; each on its own line.
  const id = await list.firstPendingId(true);
  const card = list.card(id);
  expect(await list.partsInOrder(card)).toEqual(["door-place", "door-name", "door-contents", "delivery-status", "door-call"]);
  await expect(card.getByTestId("door-place")).toHaveText(/号楼.*单元|组/);
  const size = (l: Locator) => l.evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  expect(await size(card.getByTestId("door-place"))).toBeGreaterThan(await size(card.getByTestId("door-name")));
  await expect(card.getByTestId("door-item")).toHaveText(["布洛芬 1 盒", "抗原试剂 5 人份"]);
  await expect(card.getByTestId("delivery-status")).toHaveText("待配送");
  // The note is folded away until wanted.
  await expect(card.getByTestId("delivery-note")).toBeHidden();
  await card.getByTestId("door-note").locator("summary").click();
  await expect(card.getByTestId("delivery-note")).toBeVisible();

  // One tap calls the recipient: a tel: link at least 48 px high.
  const call = card.getByTestId("door-call");
  await expect(call).toHaveAttribute("href", /^tel:1\d{10}$/);
  const box = (await call.boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(48);

  // Buildings in walking order (2 before 10), each with its own counts of the cards under it.
  const names = await page.getByTestId("building-name").allTextContents();
  const numbers = names.filter((n) => n.includes("号楼")).map((n) => Number(/(\d+)/.exec(n)?.[1]));
  expect(numbers.length).toBeGreaterThan(1);
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  for (const b of await list.buildings().all()) {
    const statuses = await b.getByTestId("delivery").evaluateAll((els) => els.map((e) => e.getAttribute("data-status")));
    const left = statuses.filter((s) => s === "pending" || s === "not_home").length;
    await expect(b.getByTestId("building-counts")).toHaveText(`已完成 ${statuses.length - left} · 剩余 ${left}`);
  }

  // What is still to do: done doors go, pending ones stay.
  const total = await list.cards().count();
  const done = await page.locator('[data-testid="delivery"].door-done').count();
  expect(done).toBeGreaterThan(0);
  await list.toDoOnly(true);
  await expect(list.cards()).toHaveCount(total - done);
  await expect(page.locator('[data-testid="delivery"].door-done')).toHaveCount(0);
  await list.toDoOnly(false);
  await expect(list.cards()).toHaveCount(total);
});

test("the door card fits a 360 px phone in Chinese, in English and at 200 % text", async ({ page }) => {
  await logIn(page, volunteer);
  const list = new DeliveriesPage(page);
  await list.open();
  const id = await list.firstPendingId(true);
  // A long English word in the note must wrap inside the card, not widen it.
  await list.mark(id, "not-home", "Pneumonoultramicroscopicsilicovolcanoconiosis-supercalifragilistic");
  const card = list.card(id);
  await expect(card.getByTestId("delivery-status")).toHaveText("不在家");
  await card.getByTestId("door-note").locator("summary").click();
  await expect(card.getByTestId("door-note-text")).toBeVisible();
  await card.scrollIntoViewIfNeeded();
  await noOverflow(card);
  await pageFits(page);
  await shot(card, "door-card-zh.png");

  await page.getByTestId("lang-switch").click();
  await expect(card.getByTestId("delivery-status")).toHaveText("not at home");
  await expect(card.getByTestId("door-retry")).toHaveText("Try again");
  await noOverflow(card);
  await pageFits(page);
  await shot(card, "door-card-en.png");

  // 200 % text: the root font size doubled, as a phone's largest text setting does.
  await page.evaluate(() => {
    const root = document.documentElement;
    root.style.fontSize = `${parseFloat(getComputedStyle(root).fontSize) * 2}px`;
  });
  await noOverflow(card);
  for (const c of await list.cards().all()) await noOverflow(c);
  await pageFits(page);
  await shot(card, "door-card-en-200.png");
  const call = card.getByTestId("door-call");
  expect((await call.boundingBox())!.height).toBeGreaterThanOrEqual(48);

  // Back to how the round was, for the journeys after this one.
  await card.getByTestId("door-retry").click();
  await expect(card.getByTestId("delivery-status")).toHaveText("pending");
  await page.getByTestId("lang-switch").click();
});
