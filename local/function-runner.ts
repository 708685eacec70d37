/**
 * Runs a Lambda handler module the way Lambda does, for the local stack: in its own execution
 * environment (a worker thread that imports the module once: the cold start), one invocation at a
 * time, each with its context counting down from the function's timeout. An invocation still running
 * at its deadline is stopped: the worker is terminated, the invocation fails, and the next one starts
 * a new environment (another cold start), as after a Lambda timeout.
 */
import { createInterface } from "node:readline";
import { Worker } from "node:worker_threads";

export class InvocationTimeoutError extends Error {
  override name = "InvocationTimeoutError";
}

export interface FunctionRunner {
  /** Starts an environment (the cold start) now, so that a module that cannot load fails here. */
  warm(): Promise<void>;
  invoke<T>(event: unknown): Promise<T>;
  stop(): Promise<void>;
}

export interface FunctionRunnerOptions {
  functionName: string;
  /** The handler module's URL (it exports `handler`). */
  handlerModule: URL;
  timeoutMs: number;
  /** Each line the function writes to stdout; without it, its stdout is the process's. */
  onOutput?: (line: string) => void;
}

interface Reply {
  id?: number;
  ready?: boolean;
  result?: unknown;
  error?: { name: string; message: string };
}

export function createFunctionRunner(options: FunctionRunnerOptions): FunctionRunner {
  let sandbox: { worker: Worker; ready: Promise<void> } | undefined;
  let invocations = 0;
  let queue: Promise<unknown> = Promise.resolve();

  function environment() {
    if (sandbox !== undefined) return sandbox;
    const worker = new Worker(new URL("./lambda-sandbox.mjs", import.meta.url), {
      workerData: {
        functionName: options.functionName,
        handlerModule: options.handlerModule.href,
        contextModule: new URL("./lambda-context.ts", import.meta.url).href,
      },
      // The environment the stack set up, as the function's configuration.
      env: { ...process.env },
      stdout: options.onOutput !== undefined,
    });
    worker.unref();
    if (options.onOutput) {
      const onOutput = options.onOutput;
      createInterface({ input: worker.stdout, crlfDelay: Number.POSITIVE_INFINITY }).on("line", onOutput);
    }
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (reply: Reply) => {
        if (!reply.ready) return;
        worker.off("message", onMessage);
        resolve();
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
      worker.once("exit", (code) =>
        reject(new Error(`${options.functionName} exited during its cold start (${code})`)),
      );
    });
    ready.catch(() => undefined);
    const created = { worker, ready };
    sandbox = created;
    worker.once("exit", () => {
      if (sandbox === created) sandbox = undefined;
    });
    return created;
  }

  async function invokeNow<T>(event: unknown): Promise<T> {
    const { worker, ready } = environment();
    await ready;
    invocations += 1;
    const id = invocations;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        sandbox = undefined;
        void worker.terminate();
        reject(
          new InvocationTimeoutError(`${options.functionName} timed out after ${options.timeoutMs / 1000} s`),
        );
      }, options.timeoutMs);
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        cleanup();
        if (reply.error) reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
        else resolve(reply.result as T);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`${options.functionName} exited during an invocation (${code})`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("exit", onExit);
      };
      worker.on("message", onMessage);
      worker.once("exit", onExit);
      worker.postMessage({ id, event, timeoutMs: options.timeoutMs });
    });
  }

  return {
    warm: () => environment().ready,
    invoke<T>(event: unknown): Promise<T> {
      // One invocation at a time per environment, as Lambda runs them.
      const turn = queue.then(() => invokeNow<T>(event));
      queue = turn.catch(() => undefined);
      return turn;
    },
    async stop() {
      const current = sandbox;
      sandbox = undefined;
      await current?.worker.terminate();
    },
  };
}
