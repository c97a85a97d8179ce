-- Shared by the hot-path scripts (loaded with dofile): per-thread status counters, gathered
-- by the main state in done() through setup(thread)/thread:get, and printed with wrk's own
-- figures as one line "HOTBENCH {json}" that bench_hot_paths.py reads.

threads = {}
local started = 0

function setup(thread)
   -- Runs in the main state before the thread's init(): each thread learns its index.
   thread:set("tid", started)
   started = started + 1
   table.insert(threads, thread)
end

counts = {}

function response(status, headers, body)
   counts[status] = (counts[status] or 0) + 1
end

function split(text, separator)
   local parts = {}
   for part in string.gmatch(text, "[^" .. separator .. "]+") do
      table.insert(parts, part)
   end
   return parts
end

function done(summary, latency, requests)
   local total = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("counts") or {}) do
         total[status] = (total[status] or 0) + n
      end
   end
   local statuses = {}
   for status, n in pairs(total) do
      table.insert(statuses, string.format('"%d": %d', status, n))
   end
   local e = summary.errors
   io.write(string.format(
      'HOTBENCH {"requests": %d, "duration_us": %d, "p50_us": %.1f, "p99_us": %.1f,'
      .. ' "connect": %d, "read": %d, "write": %d, "timeout": %d, "statuses": {%s}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
      e.connect, e.read, e.write, e.timeout, table.concat(statuses, ", ")))
end
