// A discarding OTLP/HTTP sink for the end-to-end bench: answers 200 to every POST once it has read
// the body, and drops it. Prints its URL on the first line of stdout. Runs in a process of its
// own, so that its work is not counted against the app being measured.
import * as http from "node:http";

const server = http.createServer((request, response) => {
  let bytes = 0;
  request.on("data", (chunk) => (bytes += chunk.length));
  request.on("end", () => {
    response.writeHead(request.method === "POST" && bytes > 0 ? 200 : 400, { "content-type": "application/x-protobuf" }).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.stdin.resume();
process.stdin.on("end", () => process.exit(0)); // ends with its parent
