-- The one wrk script of the benchmark (bench/load/wrk.ts writes its arguments).
-- wrk ... -s wrk.lua <url> -- <plan file> <result file> <threads> <capture>
-- The plan has one request per line: method, path, authorization, body (tab-separated, the last two may be
-- empty). Thread k of n sends lines k, k + n, k + 2n, ... in a loop, so a line always goes to the same
-- thread (the claim plan gives every thread its own agent key, the status plan every task one thread).
-- Every status code is counted; with <capture> = "ids" the task id of each 200 answer is kept (claims).

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

function init(args)
  local plan_path, threads_total = args[1], tonumber(args[3])
  result_path = args[2]
  capture_ids = args[4] == "ids"
  requests = {}
  local line_number = 0
  for line in io.lines(plan_path) do
    if line_number % threads_total == thread_index then
      local method, path, authorization, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if authorization ~= "" then
        headers["Authorization"] = authorization
      end
      if body ~= "" then
        headers["Content-Type"] = "application/json"
      else
        body = nil
      end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
    line_number = line_number + 1
  end
  next_request = 1
  statuses = {}
  ids = {}
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if capture_ids and status == 200 then
    local id = body:match('"data":{"id":"([^"]+)"')
    if id then
      table.insert(ids, id)
    end
  end
end

function done(summary, latency, requests)
  local statuses_total = {}
  local ids_total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      statuses_total[status] = (statuses_total[status] or 0) + count
    end
    for _, id in ipairs(thread:get("ids")) do
      table.insert(ids_total, '"' .. id .. '"')
    end
  end
  local status_fields = {}
  for status, count in pairs(statuses_total) do
    table.insert(status_fields, string.format('"%d":%d', status, count))
  end
  local e = summary.errors
  -- done() runs in wrk's main Lua state, which never saw init(): the path comes from a thread.
  local file = io.open(threads[1]:get("result_path"), "w")
  file:write(string.format(
    '{"requests":%d,"durationUs":%d,"bytes":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"statuses":{%s},"ids":[%s]}',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout,
    table.concat(status_fields, ","), table.concat(ids_total, ",")))
  file:close()
end
