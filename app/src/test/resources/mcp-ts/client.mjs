// An MCP agent on the TypeScript SDK: connects to Warden's /mcp with its bearer token, lists its tools, calls one
// with the purpose and dataset in _meta, and prints what it saw as one JSON document.
// Usage: WARDEN_TOKEN=... node client.mjs <mcp-url> <tool> '<arguments json>' '<_meta json>'
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, tool, args, meta] = process.argv.slice(2);
const token = process.env.WARDEN_TOKEN;
if (!url || !tool || !token) {
  console.error('usage: WARDEN_TOKEN=<agent token> node client.mjs <mcp-url> <tool> [arguments json] [_meta json]');
  process.exit(2);
}

const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
const client = new Client({ name: 'warden-ts-agent', version: '1.0.0' });
await client.connect(transport);
const { tools } = await client.listTools();
const result = await client.callTool({
  name: tool,
  arguments: JSON.parse(args ?? '{}'),
  _meta: JSON.parse(meta ?? '{}'),
});
console.log(JSON.stringify({
  protocolVersion: transport.protocolVersion,
  sessionId: transport.sessionId ?? null,
  serverName: client.getServerVersion()?.name ?? null,
  tools: tools.map(t => ({ name: t.name, inputSchema: t.inputSchema })),
  result,
}));
await transport.terminateSession();
await client.close();
