// Page object for the supervisor's overview: the grid map, the figures panel, the exports.
import { expect, type APIRequestContext, type Page } from "@playwright/test";

export type Figures = Record<string, number>;
export type GridSummary = { id: string; name: string; figures: Figures; coverage: number | null };
export type Dashboard = { date: string; grids: GridSummary[]; total: Figures; total_coverage: number | null };

/** The same figures straight from the server, as the level above would ask for them. */
export async function serverDashboard(request: APIRequestContext, username: string, password: string): Promise<Dashboard> {
  const login = await request.post("/api/v1/login", { data: { username, password, device_id: "e2e-api-probe" } });
  expect(login.ok()).toBe(true);
  const { token } = await login.json();
  const r = await request.get("/api/v1/dashboard", { headers: { Authorization: `Bearer ${token}` } });
  expect(r.ok()).toBe(true);
  return r.json();
}

export class OverviewPage {
  constructor(private readonly page: Page) {}

  async open() {
    await this.page.getByTestId("nav-overview").click();
    await expect(this.page.getByTestId("dashboard-status")).toBeVisible();
  }

  polygons() {
    return this.page.locator("path.grid-poly");
  }

  polygon(gridId: string) {
    return this.page.locator(`path.grid-${gridId}`);
  }

  panel() {
    return this.page.getByTestId("grid-figures");
  }

  /** A figure of the open panel, as a number ("87%" reads 87, "3 / 10" reads 3). */
  async figure(key: string): Promise<number> {
    const text = (await this.panel().getByTestId(`fig-${key}`).getByTestId("value").textContent()) ?? "";
    return Number.parseInt(text, 10);
  }

  async refresh() {
    await this.page.getByTestId("dashboard-refresh").click();
  }

  async layer(name: "risk" | "coverage" | "needs" | "packs") {
    await this.page.getByTestId(`layer-${name}`).click();
  }
}
