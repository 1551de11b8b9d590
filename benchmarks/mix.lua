-- wrk script: requests rotate through a mix of SPARQL queries, each sent by GET with
-- its own Accept header; every answer that is not a 200 is counted, by status.
-- Set by benchmarks/load.py through the environment:
--   SPARQL_MIX_FILE  one query a line: the Accept header, a tab, the query URL-encoded
--   SPARQL_PATH      the endpoint's path, e.g. /sparql
-- done() prints one line "WRK_JSON {...}" with the counts, the statuses that were not
-- 200, the start of the first such answer of each status, and the latency percentiles
-- (the same fields as sparql.lua's, and "statuses" and "examples").

local mix = {}
for line in io.lines(os.getenv("SPARQL_MIX_FILE")) do
  local accept, query = line:match("^([^\t]+)\t(.+)$")
  if accept then
    mix[#mix + 1] = {accept = accept, query = query}
  end
end
assert(#mix > 0, "no queries in SPARQL_MIX_FILE")
local path = os.getenv("SPARQL_PATH")

local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("first", #threads)
end

function init(args)
  -- Each thread starts at another query, so the mix is sent in full from the start.
  nextIndex = (first - 1) % #mix
  prepared = {}
  for i, item in ipairs(mix) do
    prepared[i] = wrk.format("GET", path .. "?query=" .. item.query, {Accept = item.accept})
  end
  other = {}
  examples = {}
end

function request()
  nextIndex = nextIndex % #mix + 1
  return prepared[nextIndex]
end

function response(status, headers, body)
  if status ~= 200 then
    other[status] = (other[status] or 0) + 1
    examples[status] = examples[status] or body:sub(1, 300)
  end
end

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local counts, firsts = {}, {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("other")) do
      counts[status] = (counts[status] or 0) + count
    end
    for status, body in pairs(thread:get("examples")) do
      firsts[status] = firsts[status] or body
    end
  end
  local parts, samples = {}, {}
  for status, count in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', status, count)
    samples[#samples + 1] = string.format('"%d": %s', status, json_string(firsts[status]))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"statuses": {%s}, "examples": {%s}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(parts, ", "), table.concat(samples, ", "),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
