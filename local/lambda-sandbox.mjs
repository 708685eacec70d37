// A Lambda execution environment for the local runner: a worker thread that loads one handler module
// (its cold start) and runs one invocation at a time. Plain JavaScript, so that it starts without a
// loader; it registers tsx to load the TypeScript handler. The runner terminates the worker at an
// invocation's deadline, as Lambda stops a function at its timeout (local/function-runner.ts).
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { localLambdaContext } = await import(workerData.contextModule);
const module = await import(workerData.handlerModule);

parentPort.on("message", async ({ id, event, timeoutMs }) => {
  const context = localLambdaContext(workerData.functionName, { timeoutMs, memoryMb: 1024 });
  try {
    const result = await module.handler(event, context);
    parentPort.postMessage({ id, result });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: { name: error?.name ?? "Error", message: error?.message ?? String(error) },
    });
  }
});
parentPort.postMessage({ ready: true });
