// The GraphQL over HTTP audit of npm's graphql-http, against the URL given: prints each
// check's id, name, status (ok, warn, error) and reason, one JSON array.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const shown = await Promise.all(
  results.map(async (r) => ({
    id: r.id,
    name: r.name,
    status: r.status,
    reason: r.reason ?? null,
    body: r.response ? await r.response.clone().text().catch(() => null) : null,
  })),
);
console.log(JSON.stringify(shown));
