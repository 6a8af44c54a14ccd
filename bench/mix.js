// A map client's mix under load: vector tiles of the visible area, nearest services on a
// click, name search as the user types; prints autocannon's figures as one line of JSON:
//   node mix.js URL CONNECTIONS SECONDS TILES_JSON
// TILES_JSON: a JSON array of [z, x, y] tiles that hold data (chosen by bench/abuse.py).
'use strict'
const autocannon = require('autocannon')
const { printFigures, quietly } = require('./figures')

const [url, connections, seconds, tilesJson] = process.argv.slice(2)
const tiles = JSON.parse(tilesJson)
const layers = ['services', 'villages', 'place-names']
const searches = ['威海', '岚', '石岛', '文登', '老年', '幸福', '山']

let seed = 3710 // the same sequence for every run (mulberry32)
function random () {
  seed = (seed + 0x6D2B79F5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = (items) => items[Math.floor(random() * items.length)]

const instance = autocannon({
  url,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [{
    setupRequest: (request) => {
      const r = random()
      if (r < 0.6) {
        const [z, x, y] = pick(tiles)
        request.method = 'GET'
        request.path = `/tiles/${pick(layers)}/${z}/${x}/${y}.mvt`
        request.body = undefined
        request.headers = {}
      } else {
        request.method = 'POST'
        request.path = '/graphql'
        request.headers = { 'content-type': 'application/json' }
        request.body = JSON.stringify(r < 0.85
          ? {
              query: 'query N($lon: Float!, $lat: Float!) { nearestServices(near: {lon: $lon, lat: $lat}, first: 5) { distanceMeters service { id kind name geometry } } }',
              variables: { lon: 121.25 + random() * 1.4, lat: 36.75 + random() * 0.8 }
            }
          : {
              query: 'query S($q: String!) { searchPlaceNames(query: $q, first: 10) { id standardName areaChain { name } } }',
              variables: { q: pick(searches) }
            })
      }
      return request
    }
  }]
}, printFigures)
quietly(instance)
