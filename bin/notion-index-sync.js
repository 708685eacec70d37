#!/usr/bin/env node
// The CLI runs from the TypeScript sources through tsx, so there is no build step to forget.
import { register } from "tsx/esm/api";

// The SDK's notice about Node 20 is for maintainers, not for every CLI call.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
await import("../lib/cli/main.ts");
