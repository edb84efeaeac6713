-- wrk script for bench/casework.sh: rotates over the request paths listed in
-- the file named by $PATHS_FILE (one per line: case pages, searches), each
-- wrk connection starting at a different line, and sends the header given in
-- $AUTH_HEADER ("Cookie: lotse_session=..." or "Authorization: Bearer ...").
-- Any non-2xx answer is counted; casework.sh refuses figures with errors.
-- With $THINK_MS > 0 each connection pauses between its requests for a
-- random think time (exponential, that mean), as case workers do: the
-- latency at a given load instead of at saturation.
local paths = {}
local file = assert(io.open(os.getenv("PATHS_FILE"), "r"))
for line in file:lines() do
  if #line > 0 then paths[#paths + 1] = line end
end
file:close()
assert(#paths > 0, "no paths in " .. os.getenv("PATHS_FILE"))

local auth = os.getenv("AUTH_HEADER") or ""
local name, value = auth:match("^([^:]+):%s*(.*)$")
if name then wrk.headers[name] = value end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 7919)
end

local i = 0
function request()
  i = i + 1
  local path = paths[((i + (offset or 0)) % #paths) + 1]
  return wrk.format("GET", path)
end

local think_ms = tonumber(os.getenv("THINK_MS") or "0") or 0
if think_ms > 0 then
  function init()
    math.randomseed(offset or 0)  -- each thread its own sequence
  end
  function delay()
    return math.floor(-think_ms * math.log(1 - math.random()))
  end
end
