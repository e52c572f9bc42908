-- Requests every URL of the file named by MISS_URLS once, split between wrk's threads, each
-- thread stopping when its share is used up: every request is a URL nobody asked before, a
-- cache miss, as long as the file holds no repeats and the cache was emptied before the run.
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
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
  done = 0
end

function request()
  n = n + 1
  return wrk.format("GET", urls[(n - 1) % #urls + 1])
end

function response(status, headers, body)
  done = done + 1
  if done >= #urls then wrk.thread:stop() end
end
