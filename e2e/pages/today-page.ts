// Page objects for Today (/today) and what follows a saved visit, and a counter of the taps a
// journey makes: every click, fill and select a person would make on the phone counts as one.
import { expect, type Locator, type Page } from "@playwright/test";

/** Counts the person's taps: each click, fill or select made through it is one. */
export class Taps {
  count = 0;

  async tap(target: Locator) {
    this.count++;
    await target.click();
  }

  async fill(target: Locator, value: string) {
    this.count++;
    await target.fill(value);
  }

  async select(target: Locator, value: string) {
    this.count++;
    await target.selectOption(value);
  }
}

export type DueRow = { id: string; name: string };

export class TodayPage {
  constructor(private readonly page: Page) {}

  async expectOpen() {
    await expect(this.page).toHaveURL(/\/today$/);
    await expect(this.items().first()).toBeVisible();
  }

  items() {
    return this.page.getByTestId("today-item");
  }

  item(residentId: string) {
    return this.page.locator(`[data-testid="today-item"][data-resident="${residentId}"]`);
  }

  /** The resident id and name of the n-th row (0-based). */
  async row(n: number): Promise<DueRow> {
    const item = this.items().nth(n);
    const id = (await item.getAttribute("data-resident")) ?? "";
    // The main line is the tier chip, then the name.
    const main = item.getByTestId("today-row").locator(".row-main");
    const chip = (await main.getByTestId("tier").textContent()) ?? "";
    const name = ((await main.textContent()) ?? "").replace(chip, "").trim();
    return { id, name };
  }

  /** How many are due (or found by the search), as the page counts them. */
  async total(): Promise<number> {
    return Number(await this.page.getByTestId("today-count").getAttribute("data-total"));
  }

  visitButton(residentId: string) {
    return this.item(residentId).getByTestId("today-visit");
  }


  async search(text: string) {
    await this.page.getByTestId("today-search").fill(text);
  }
}

/** What the visit form offers once the visit is saved. */
export class AfterVisit {
  constructor(private readonly page: Page) {}

  next() {
    return this.page.getByTestId("next-resident");
  }

  backToToday() {
    return this.page.getByTestId("back-to-today");
  }
}
