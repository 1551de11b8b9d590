-- wrk script of the repeat mix: most requests repeat one of the example queries,
-- the others look up a random IRI with a query text never sent before.
-- Set by benchmarks/repeat_mix.py through the environment:
--   MIX_EXAMPLES      file of URL-encoded example queries, one per line
--   MIX_IRIS          file of IRIs to look up, one per line
--   MIX_SHARE         share of requests that repeat an example (e.g. 0.9)
--   SPARQL_PATH       the endpoint's path, e.g. /sparql
--   SPARQL_ACCEPT     the Accept header
-- done() prints one line "WRK_JSON {...}", as sparql.lua does.

local function urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if line ~= "" then found[#found + 1] = line end
  end
  return found
end

local examples = lines(os.getenv("MIX_EXAMPLES"))
local iris = lines(os.getenv("MIX_IRIS"))
local share = tonumber(os.getenv("MIX_SHARE"))
local path = os.getenv("SPARQL_PATH")
local headers = { ["Accept"] = os.getenv("SPARQL_ACCEPT") }
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  -- Each thread its own sequence, the same for every server measured.
  math.randomseed(1000 + id)
  counter = id * 100000000
end

function request()
  if math.random() < share then
    return wrk.format("GET", path .. "?query=" .. examples[math.random(#examples)], headers)
  end
  counter = counter + 1
  -- The LIMIT makes every lookup a query text never seen before: never a repeat.
  local query = "SELECT ?p ?o WHERE { <" .. iris[math.random(#iris)] .. "> ?p ?o } LIMIT " .. counter
  return wrk.format("GET", path .. "?query=" .. urlencode(query), headers)
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
