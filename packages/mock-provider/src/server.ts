import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicRoutes } from "./anthropic";
import { delay, sendJson } from "./http";
import { openaiRoutes } from "./openai";
import type {
  HandlerContext,
  MockProvider,
  MockProviderOptions,
  RecordedRequest,
  RouteHandler,
  ScriptedResponse,
} from "./types";

const ROUTES: RouteHandler[] = [openaiRoutes, anthropicRoutes];

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseBody(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Starts a local HTTP server that answers like the OpenAI and Anthropic APIs, for tests, examples
 * and the demo. Answers are generated from the request unless scripted.
 *
 * @example
 * const provider = await startMockProvider();
 * const client = new OpenAI({ apiKey: "test", baseURL: provider.openaiBaseURL });
 * provider.script({ status: 429 });
 * await provider.close();
 */
export async function startMockProvider(options: MockProviderOptions = {}): Promise<MockProvider> {
  const host = options.host ?? "127.0.0.1";
  const streamDelayMs = options.streamDelayMs ?? 0;
  let queue: ScriptedResponse[] = [];
  const requests: RecordedRequest[] = [];

  const takeScripted = (path: string): ScriptedResponse | undefined => {
    const index = queue.findIndex((entry) => entry.path === undefined || path.endsWith(entry.path));
    return index === -1 ? undefined : queue.splice(index, 1)[0];
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = request.url ?? "/";
    const queryStart = url.indexOf("?");
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const body = parseBody(await readBody(request));
    requests.push({ method: request.method ?? "GET", path, headers: { ...request.headers }, body });
    const scripted = takeScripted(path);
    if (scripted?.destroy) {
      await delay(scripted.latencyMs ?? 0);
      request.socket.destroy();
      return;
    }
    const context: HandlerContext = { request, response, body, scripted, streamDelayMs };
    for (const route of ROUTES) {
      if (await route(path, context)) return;
    }
    sendJson(response, 404, { error: { message: `No route for ${request.method} ${path}`, type: "not_found" } });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendJson(response, 500, { error: { message: String(error), type: "server_error" } });
      } else {
        response.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    openaiBaseURL: `${url}/v1`,
    anthropicBaseURL: url,
    requests,
    script(...responses: ScriptedResponse[]) {
      queue.push(...responses);
    },
    reset() {
      queue = [];
      requests.length = 0;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
