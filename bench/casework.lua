-- wrk script for bench/casework.sh: rotates over the request paths listed in
-- the file named by $PATHS_FILE (one per line: case pages, searches), each
-- wrk connection starting at a different line, and sends the header given in
-- $AUTH_HEADER ("Cookie: lotse_session=..." or "Authorization: Bearer ...").
-- Any non-2xx answer is counted; casework.sh refuses figures with errors.
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
