// Page objects for who changed what (issue 17): a record's 修改记录 panel (resident and household
// pages) and the overview's 修改冲突 card.
import { expect, type Locator, type Page } from "@playwright/test";

/** The folded change history of the record whose page is open. */
export class HistoryPanel {
  constructor(private readonly page: Page) {}

  panel() {
    return this.page.getByTestId("history-panel");
  }

  /** Opens (or, open, closes) the panel: each opening asks the server again. */
  async toggle() {
    await this.page.getByTestId("history-open").click();
  }

  error() {
    return this.panel().getByTestId("history-error");
  }

  /** The entries of one field, newest first. */
  entries(field: string): Locator {
    return this.panel().locator(`[data-testid="history-entry"][data-field="${field}"]`);
  }
}

/** The overview's list of open contests. */
export class ContestedCard {
  constructor(private readonly page: Page) {}

  card() {
    return this.page.getByTestId("contested");
  }

  /** The contest of one field of one record. */
  row(id: string, field: string): Locator {
    return this.page.locator(`[data-testid="contested-row"][data-id="${id}"][data-field="${field}"]`);
  }

  /** The side the field does not hold now: the value that was overwritten. */
  overwritten(row: Locator): Locator {
    return row.locator('[data-testid="contested-side"][data-current="false"]');
  }

  /** The side the field holds now. */
  holding(row: Locator): Locator {
    return row.locator('[data-testid="contested-side"][data-current="true"]');
  }

  /** Takes the overwritten value back (采用此值) and waits for the word that it is corrected. */
  async takeOverwritten(row: Locator) {
    await this.overwritten(row).getByTestId("contested-take").click();
    await expect(row.getByTestId("contested-done")).toContainText("已更正");
    await expect(row.getByTestId("contested-take")).toHaveCount(0);
  }
}
