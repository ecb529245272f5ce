// A stateless Streamable HTTP MCP server (no session ids, JSON answers), as the MCP
// TypeScript SDK documents it (README "Without Session Management (Stateless)"). Copied into
// the test zoo's install directory at start, where the SDK resolves.
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

createServer(async (req, res) => {
  if (req.method !== "POST" || req.url !== "/mcp") {
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    return;
  }
  const server = new McpServer({ name: "clawpatrol-zoo-stateless", version: "0.3.1" });
  server.registerTool(
    "add",
    { description: "Adds two numbers", inputSchema: { a: z.number(), b: z.number() } },
    async ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }] }),
  );
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on("close", () => {
    transport.close();
    server.close();
  });
  let body = "";
  for await (const chunk of req) body += chunk;
  await server.connect(transport);
  await transport.handleRequest(req, res, body ? JSON.parse(body) : undefined);
}).listen(Number(process.env.PORT), () => console.error(`stateless MCP on ${process.env.PORT}`));
