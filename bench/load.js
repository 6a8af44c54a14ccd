// Sends nearest-service requests at random points in Weihai and prints autocannon's
// figures as one line of JSON:  node load.js TARGET URL CONNECTIONS SECONDS [BODY]
//   TARGET is "graphql" (the registry), "postgraphile" or "rest" (a bare endpoint), or
//   "fixed": every request sends BODY (a JSON text) as it is.
'use strict'
const autocannon = require('autocannon')
const { printFigures, quietly } = require('./figures')

const [target, url, connections, seconds, fixedBody] = process.argv.slice(2)

// A fixed-seed generator (mulberry32): every target gets the same sequence of points.
let seed = 3710
function random () {
  seed = (seed + 0x6D2B79F5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
function point () {
  return { lon: 121.25 + random() * 1.4, lat: 36.75 + random() * 0.8 }
}

const bodies = {
  graphql: ({ lon, lat }) => ({
    query: 'query N($lon: Float!, $lat: Float!) { nearestServices(near: {lon: $lon, lat: $lat}, first: 5) { distanceMeters service { id kind name geometry } } }',
    variables: { lon, lat }
  }),
  postgraphile: ({ lon, lat }) => ({
    query: 'query N($lon: Float!, $lat: Float!) { nearestServices(lon: $lon, lat: $lat, k: 5) { nodes { id kind name geometry distanceM } } }',
    variables: { lon, lat }
  }),
  rest: (p) => p,
  fixed: () => JSON.parse(fixedBody)
}

const instance = autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [{
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request) => {
      request.body = JSON.stringify(bodies[target](point()))
      return request
    }
  }]
}, printFigures)
quietly(instance)
