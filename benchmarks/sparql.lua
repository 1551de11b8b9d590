-- wrk script: every request sends the same SPARQL query and Accept header.
-- Set by benchmarks/run.py through the environment:
--   SPARQL_QUERY_FILE  the query text
--   SPARQL_ACCEPT      the Accept header
--   SPARQL_METHOD      GET (query in the URL) or POST (form-encoded body)
--   SPARQL_PATH        the endpoint's path, e.g. /sparql
-- done() prints one line "WRK_JSON {...}" with the counts and latency percentiles.

local function urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local file = assert(io.open(os.getenv("SPARQL_QUERY_FILE"), "rb"))
local form = "query=" .. urlencode(file:read("*a"))
file:close()

wrk.headers["Accept"] = os.getenv("SPARQL_ACCEPT")
if os.getenv("SPARQL_METHOD") == "POST" then
  wrk.method = "POST"
  wrk.path = os.getenv("SPARQL_PATH")
  wrk.body = form
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
else
  wrk.method = "GET"
  wrk.path = os.getenv("SPARQL_PATH") .. "?" .. form
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
