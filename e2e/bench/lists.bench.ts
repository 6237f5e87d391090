// Benchmark: with the whole demo community (about 5,000 residents) in IndexedDB, how long a
// phone with a 4× slower CPU takes from start to a usable Today list and household list, and
// how long one keystroke of search-as-you-type takes. Prints figures; asserts only that the
// lists showed up (docs/budgets.md: speed is measured, never asserted).
import { expect, test, type Page } from "@playwright/test";
import { storedRecords } from "../pages/device-store";
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

/** The steps of the start just measured, in ms from navigation start: the wasm fetched, then
 * the app's own marks (`app/src/browser.rs` `mark`), each the first after navigation. */
const STEPS = ["wasm", "knock:app", "knock:read-start", "knock:got", "knock:read", "knock:built"] as const;
async function startSteps(page: Page): Promise<Record<string, number>> {
  return page.evaluate((steps) => {
    const at: Record<string, number> = {};
    const wasm = performance.getEntriesByType("resource").find((r) => r.name.endsWith(".wasm")) as PerformanceResourceTiming | undefined;
    if (wasm) at.wasm = wasm.responseEnd;
    for (const name of steps.slice(1)) {
      const m = performance.getEntriesByName(name, "mark")[0];
      if (m) at[name] = m.startTime;
    }
    return at;
  }, [...STEPS]);
}

test("start to usable lists and search keystrokes, 4x CPU throttle", async ({ page }) => {
  await logIn(page, supervisor);
  const residents = (await storedRecords(page)).filter((r) => r.entity === "resident").length;
  await throttle(page, 4);
  const today = [];
  const homes = [];
  const steps: Record<string, number>[] = [];
  for (let i = 0; i < 3; i++) {
    today.push(await startToUsable(page, "/today", "today-row"));
    steps.push(await startSteps(page));
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
  // Where a start's time goes: each step's median, ms from navigation start.
  const breakdown = STEPS.map((s) => {
    const xs = steps.map((x) => x[s]).filter((x) => x !== undefined);
    return xs.length ? `${s} ${median(xs).toFixed(0)}` : `${s} —`;
  }).join(", ");
  console.log(
    `BENCH lists (${residents} residents, 4x CPU throttle): start to usable Today ${median(today)} ms (runs ${today.join(", ")}), ` +
      `households ${median(homes)} ms (runs ${homes.join(", ")}); search keystroke median ${median(keystrokes).toFixed(1)} ms, ` +
      `max ${Math.max(...keystrokes).toFixed(1)} ms (each: ${keystrokes.map((k) => k.toFixed(0)).join(", ")}); ` +
      `Today's start, median ms from navigation: ${breakdown}`,
  );
  expect(residents).toBeGreaterThan(1000);
});
