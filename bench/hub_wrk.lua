-- wrk script of bench/hub_wrk.sh: POST /v1/screen with varied bodies and tokens.
-- HUB_BODIES is a file of request bodies, one JSON object a line (perturbed
-- copies of listed people and travellers who are not listed, interleaved);
-- HUB_TOKENS a file of API tokens, one a line. Each request takes the next
-- body and the next token; each wrk thread starts at its own offset. done()
-- prints one line for the script to read: requests, errors, p50 and p99.
local bodies, tokens = {}, {}
for line in io.lines(os.getenv("HUB_BODIES")) do bodies[#bodies + 1] = line end
for line in io.lines(os.getenv("HUB_TOKENS")) do tokens[#tokens + 1] = line end

local threads = {}
local n = 0

function setup(thread)
   n = n + 1
   thread:set("offset", n * 7919)
   table.insert(threads, thread)
end

local i, k = 0, 0
function init(args)
   i = offset % #bodies
   k = offset % #tokens
end

function request()
   i = i % #bodies + 1
   k = k % #tokens + 1
   return wrk.format("POST", "/v1/screen", {
      ["Authorization"] = "Bearer " .. tokens[k],
      ["Content-Type"] = "application/json",
   }, bodies[i])
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "HUBWRK requests=%d seconds=%.3f rps=%.1f non2xx=%d socket_errors=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
      summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
      e.status, e.connect + e.read + e.write + e.timeout,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000))
end
