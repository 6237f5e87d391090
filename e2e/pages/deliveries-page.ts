// Page object for the delivery list (/deliveries): a heading per building, one card per door.
import { expect, type Locator, type Page } from "@playwright/test";

export class DeliveriesPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.goto("/deliveries");
    await expect(this.page.getByTestId("deliveries-count")).toBeVisible();
  }

  buildings() {
    return this.page.getByTestId("building");
  }

  cards() {
    return this.page.getByTestId("delivery");
  }

  /** The card of one delivery by its id, found again after a re-render. */
  card(id: string) {
    return this.page.locator(`[data-testid="delivery"][data-id="${id}"]`);
  }

  /** The first card still waiting (with a call button, if asked), by its delivery id. */
  async firstPendingId(withPhone = false): Promise<string> {
    let cards = this.cards().filter({ has: this.page.getByTestId("mark-delivered") });
    if (withPhone) cards = cards.filter({ has: this.page.getByTestId("door-call") });
    const card = cards.first();
    await expect(card).toBeVisible();
    return (await card.getAttribute("data-id"))!;
  }

  async mark(id: string, what: "delivered" | "not-home" | "refused", note?: string) {
    const card = this.card(id);
    if (note !== undefined) {
      await card.getByTestId("door-note").locator("summary").click();
      await card.getByTestId("delivery-note").fill(note);
    }
    await card.getByTestId(`mark-${what}`).click();
  }

  status(id: string) {
    return this.card(id).getByTestId("delivery-status");
  }

  /** The texts of a card's parts, top to bottom, in the order they are laid out. */
  async partsInOrder(card: Locator): Promise<string[]> {
    return card.evaluate((el) => {
      const ids = ["door-place", "door-name", "door-contents", "delivery-status", "door-call"];
      return ids
        .map((id) => el.querySelector(`[data-testid="${id}"]`) as HTMLElement | null)
        .filter((e): e is HTMLElement => e !== null)
        .map((e) => ({ id: e.dataset.testid!, top: e.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((e) => e.id);
    });
  }

  async toDoOnly(on: boolean) {
    await this.page.getByTestId("filter-to-do").setChecked(on);
  }
}
