import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "ERROR",
      // Local stacks in tests (in process and `dev` children) run 10× faster than AWS, same ratios.
      NOTION_INDEX_SYNC_TIME_SCALE: "10",
    },
  },
});
