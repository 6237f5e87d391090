// Page objects for a resident's page (/residents/:id) — its visit history and whether they still
// live here — the visit correction (/visits/:id), and the same status panel on a household.
import { expect, type Locator, type Page } from "@playwright/test";

/** The panel that marks a resident or household as gone and restores them. */
export class StatusPanel {
  constructor(private readonly page: Page) {}

  banner() {
    return this.page.getByTestId("departure-banner");
  }

  problem() {
    return this.page.getByTestId("departure-problem");
  }

  confirmation() {
    return this.page.getByTestId("departure-confirm");
  }

  /** Fills the form (status, date as YYYY-MM-DD or left as today, reason) and asks to mark. */
  async fill(status: string, reason: string, date?: string) {
    await this.page.getByTestId("mark-departed").click();
    await this.page.getByTestId("departure-status-select").selectOption(status);
    if (date !== undefined) await this.page.getByTestId("departure-date").fill(date);
    await this.page.getByTestId("departure-reason-input").fill(reason);
    await this.page.getByTestId("departure-next").click();
  }

  async confirm() {
    await this.page.getByTestId("departure-confirm-yes").click();
    await expect(this.banner()).toBeVisible();
  }

  async restore() {
    await this.page.getByTestId("restore").click();
    await expect(this.banner()).toHaveCount(0);
    await expect(this.page.getByTestId("mark-departed")).toBeVisible();
  }
}

export type HistoryRow = { when: string; who: string; found: string };

export class ResidentPage {
  readonly status: StatusPanel;

  constructor(private readonly page: Page) {
    this.status = new StatusPanel(page);
  }

  async open(id: string) {
    await this.page.goto(`/residents/${id}`);
    await this.expectOpen(id);
  }

  async expectOpen(id: string) {
    await expect(this.page).toHaveURL(new RegExp(`/residents/${id}$`));
    await expect(this.page.getByTestId("risk-summary")).toBeVisible();
  }

  historyRows(): Locator {
    return this.page.getByTestId("visit-history-row");
  }

  async history(): Promise<HistoryRow[]> {
    const rows = this.historyRows();
    const out: HistoryRow[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      out.push({
        when: ((await row.getByTestId("visit-when").textContent()) ?? "").trim(),
        who: ((await row.getByTestId("visit-who").textContent()) ?? "").trim(),
        found: ((await row.getByTestId("visit-found").textContent()) ?? "").trim(),
      });
    }
    return out;
  }

  async recordVisit() {
    await this.page.getByTestId("record-visit").click();
    await expect(this.page.getByTestId("visit-form")).toBeVisible();
  }

  async correct(n: number) {
    await this.historyRows().nth(n).getByTestId("visit-correct").click();
    await expect(this.page).toHaveURL(/\/visits\/[0-9a-zA-Z-]+$/);
  }

  async openHousehold() {
    await this.page.getByTestId("household-link").click();
    await expect(this.page).toHaveURL(/\/households\/[0-9a-zA-Z-]+$/);
  }
}

/** The correction of one visit. */
export class VisitCorrection {
  constructor(private readonly page: Page) {}

  field(name: string) {
    return this.page.getByTestId(`field-${name}`);
  }

  async save() {
    await this.page.getByTestId("save").click();
    await expect(this.page.getByTestId("form-message")).toHaveText("更正已保存。");
  }

  async backToResident() {
    await this.page.getByTestId("back-to-resident").click();
  }
}
