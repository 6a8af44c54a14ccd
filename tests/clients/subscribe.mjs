// A subscriber no one on the project wrote: graphql-ws's own client over the
// graphql-transport-ws protocol. Prints "connected", then each event as a JSON line, and
// exits after the number of events asked for.
//   node subscribe.mjs ws://host/graphql '<subscription>' '<variables JSON>' <count>
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, query, variables, count] = process.argv.slice(2);
let left = Number(count || 1);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  retryAttempts: 0,
  on: { connected: () => console.log("connected") },
});
client.subscribe(
  { query, variables: JSON.parse(variables || "{}") },
  {
    next: (event) => {
      console.log(JSON.stringify(event));
      left -= 1;
      if (left <= 0) client.dispose().then(() => process.exit(0));
    },
    error: (error) => {
      console.error(JSON.stringify(error, Object.getOwnPropertyNames(error)));
      process.exit(1);
    },
    complete: () => process.exit(0),
  },
);
