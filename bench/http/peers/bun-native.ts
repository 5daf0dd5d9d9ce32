// Native Bun.serve baseline: `bun bench/http/peers/bun-native.ts <port>`.
import handler from "./handler.js";

const port = Number(process.argv[2] ?? 0);
const server = Bun.serve({ hostname: "127.0.0.1", port, fetch: handler.fetch });
console.log(`listening ${server.port}`);
