// Playwright setup for Knock's journeys: Debian's Chromium, a phone viewport by default, and the
// server that `cargo xtask test` starts (BASE_URL).
import { defineConfig } from "@playwright/test";

const baseURL = process.env.BASE_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  use: {
    baseURL,
    // A cheap Android phone: 360 px wide, touch.
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    // An English browser: Knock must still start in Chinese.
    locale: "en-US",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
});
