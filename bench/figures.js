// What every load script prints when autocannon is done: its figures as one line of JSON.
'use strict'
const autocannon = require('autocannon')

function printFigures (err, result) {
  if (err) { console.error(err); process.exit(1) }
  console.log(JSON.stringify({
    requests_per_s: result.requests.average,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total
  }))
}

function quietly (instance) {
  autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false })
}

module.exports = { printFigures, quietly }
