"""What the registry answers on the network: the GraphQL endpoint (HTTP and WebSocket),
vector tiles, OGC API Features, the map page, health, and the one error policy and
request id every one of them shares."""
