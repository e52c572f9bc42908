-- Requests every URL of the file named by MISS_URLS once, split between wrk's threads, each
-- thread stopping when its share is used up: every request is a URL nobody asked before, a
-- cache miss, as long as the file holds no repeats and the cache was emptied before the run.
-- At the end it prints "status CODE COUNT" for every status answered, so that a run can say
-- how many misses were answered and how many were shed (503) or refused (4xx).
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  local nthreads = tonumber(os.getenv("MISS_THREADS"))
  urls = {}
  local i = 0
  for line in io.lines(os.getenv("MISS_URLS")) do
    if i % nthreads == id then urls[#urls + 1] = line end
    i = i + 1
  end
  n = 0
  answered = 0
  statuses = {}
end

function request()
  n = n + 1
  return wrk.format("GET", urls[(n - 1) % #urls + 1])
end

function response(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if answered >= #urls then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do
      total[code] = (total[code] or 0) + count
    end
  end
  for code, count in pairs(total) do
    io.write(string.format("status %d %d\n", code, count))
  end
end
