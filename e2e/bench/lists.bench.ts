// Benchmark: with the whole demo community (about 5,000 residents) in IndexedDB, how long a
// phone with a 4× slower CPU takes from start to a usable Today list and household list, and
// how long one keystroke of search-as-you-type takes. Prints figures; asserts only that the
// lists showed up (docs/budgets.md: speed is measured, never asserted).
import { expect, test, type Page } from "@playwright/test";
import { logIn } from "../pages/session";
import { supervisor } from "../tests/demo";

async function throttle(page: Page, rate: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
}

/** Milliseconds from navigation start until `testid` has at least one element. */
async function startToUsable(page: Page, path: string, testid: string) {
  const started = Date.now();
  await page.goto(path);
  await expect(page.getByTestId(testid).first()).toBeVisible({ timeout: 60_000 });
  return Date.now() - started;
}

test("start to usable lists and search keystrokes, 4x CPU throttle", async ({ page }) => {
  await logIn(page, supervisor);
  const residents = await page.evaluate(async () => {
    const name = (await indexedDB.databases()).map((d) => d.name).find((n) => n?.startsWith("knock-"))!;
    const db: IDBDatabase = await new Promise((res) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => res(r.result);
    });
    const n: number = await new Promise((res) => {
      const r = db.transaction("records").objectStore("records").index("entity").count("resident");
      r.onsuccess = () => res(r.result);
    });
    db.close();
    return n;
  });
  await throttle(page, 4);
  const today = [];
  const homes = [];
  for (let i = 0; i < 3; i++) {
    today.push(await startToUsable(page, "/today", "today-row"));
    homes.push(await startToUsable(page, "/households", "household-row"));
  }
  // Search as you type: one keystroke at a time, time until the list has been redrawn.
  const keystrokes: number[] = await page.evaluate(async () => {
    const input = document.querySelector('[data-testid="household-search"]') as HTMLInputElement;
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const times: number[] = [];
    for (const text of ["幸", "幸福", "幸福里", "幸福里小", "幸福里小区", "王", "王芳", "李", "李强", "1", "13", "138", "w", "wg", "wgl", "wangf"]) {
      const t0 = performance.now();
      input.value = text;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await frame();
      times.push(performance.now() - t0);
    }
    return times;
  });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `BENCH lists (${residents} residents, 4x CPU throttle): start to usable Today ${median(today)} ms (runs ${today.join(", ")}), ` +
      `households ${median(homes)} ms (runs ${homes.join(", ")}); search keystroke median ${median(keystrokes).toFixed(1)} ms, ` +
      `max ${Math.max(...keystrokes).toFixed(1)} ms (each: ${keystrokes.map((k) => k.toFixed(0)).join(", ")})`,
  );
  expect(residents).toBeGreaterThan(1000);
});
