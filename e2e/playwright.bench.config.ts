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
});
