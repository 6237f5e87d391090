// Page objects for the grid worker's screens: households, visit, today, ledger, needs.
import { expect, type Page } from "@playwright/test";

export class Nav {
  constructor(private readonly page: Page) {}
  async go(tab: "today" | "households" | "ledger" | "needs" | "home") {
    await this.page.getByTestId(`nav-${tab}`).first().click();
  }
}

export class HouseholdsPage {
  constructor(private readonly page: Page) {}
  async search(text: string) {
    await this.page.getByTestId("household-search").fill(text);
  }
  rows() {
    return this.page.getByTestId("household-row");
  }
}

export class VisitForm {
  constructor(private readonly page: Page) {}
  field(name: string) {
    return this.page.getByTestId(`field-${name}`);
  }
  async save() {
    await this.page.getByTestId("save").click();
    await expect(this.page.getByTestId("visit-saved")).toBeVisible();
  }
}

export class LedgerPage {
  constructor(private readonly page: Page) {}
  rows() {
    return this.page.getByTestId("ledger-row");
  }
  async filterTier(tier: "all" | "red" | "yellow") {
    await this.page.getByTestId("filter-tier").selectOption(tier);
  }
  /** Narrows the ledger to names or phone numbers holding `text`. */
  async search(text: string) {
    await this.page.getByTestId("ledger-search").fill(text);
  }
  /** How many rows the ledger holds in all, drawn or not. */
  async total() {
    return Number(await this.page.getByTestId("ledger-count").getAttribute("data-total"));
  }
}
