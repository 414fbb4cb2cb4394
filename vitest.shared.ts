import { defineConfig } from "vitest/config"

/** Shared test settings: every package's tests mirror its modules under `test/`. */
export const packageTests = defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: process.env.CI ? ["default"] : ["default"]
  }
})
