import { mergeConfig } from "vitest/config"
import { packageTests } from "../../vitest.shared.js"

export default mergeConfig(packageTests, {
  test: {
    coverage: {
      provider: "v8",
      include: ["src/**"],
      reporter: ["text-summary"],
      // The bar: at least 95% of core's lines are exercised by its tests.
      thresholds: { lines: 95 }
    }
  }
})
