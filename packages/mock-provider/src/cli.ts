#!/usr/bin/env node
import { startMockProvider } from "./server";

const USAGE = "usage: agentops-mock-provider [--port N] [--host H] [--stream-delay MS]";

function parseArguments(argv: string[]): { port: number; host: string; streamDelayMs: number } {
  const result = { port: 0, host: "127.0.0.1", streamDelayMs: 0 };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index]!;
    const [name, inline] = flag.includes("=") ? flag.split("=", 2) : [flag, undefined];
    const value = (): string => {
      const next = inline ?? argv[++index];
      if (next === undefined) throw new Error(`${name} needs a value`);
      return next;
    };
    if (name === "--port" || name === "-p") result.port = toNumber(name, value());
    else if (name === "--host") result.host = value();
    else if (name === "--stream-delay") result.streamDelayMs = toNumber(name, value());
    else if (name === "--help" || name === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${flag}`);
  }
  return result;
}

function toNumber(name: string, text: string): number {
  const number = Number(text);
  if (!Number.isInteger(number) || number < 0) throw new Error(`${name} needs a non-negative integer, got "${text}"`);
  return number;
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`agentops-mock-provider: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const provider = await startMockProvider(options);
  console.log(provider.url);
  const stop = (signal: NodeJS.Signals) => {
    provider.close().then(
      () => process.exit(signal === "SIGINT" ? 130 : 143),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`agentops-mock-provider: ${(error as Error)?.message ?? String(error)}`);
  process.exit(1);
});
