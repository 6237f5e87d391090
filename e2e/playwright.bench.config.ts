// Playwright set-up for the app benchmarks (not part of `cargo xtask test`): same browser and
// phone viewport as the journeys, one run at a time, figures printed to stdout.
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

export default defineConfig({
  ...base,
  testDir: "./bench",
  testMatch: /.*\.bench\.ts/,
  timeout: 300_000,
  reporter: "list",
  // No trace: recording one snapshots the page's DOM around every action, on the main thread
  // of the page being measured (about 90 ms during a supervisor's first sync).
  use: { ...base.use, trace: "off" },
});
