-- POST /api/v1/reservations, every request a slot no earlier request took.
-- args: tokens, item ids (comma-separated), local midnight (epoch s), first day ahead, days,
-- seed, threads, slots a day. Slot k of the run's block (items x days x slots a day, a day
-- range no other run of the benchmark uses) is booked by the k-th request overall: thread t
-- sends k = t, t + threads, t + 2 threads, ... and k goes through the permutation
-- (a k + b) mod N, a coprime with N, both drawn from the seed. So no two requests of a run
-- share a slot (until N requests, which the block is sized far beyond), and no two runs do.
-- A slot is 30 minutes at the top of an hour: with a setup buffer of at most 15 minutes it
-- never touches the next hour's booking.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "counting.lua")

local tokens, ids, midnight, first_day, n_slots, per_day, a, b, k, step
local OFFSET = 8 * 3600 -- Asia/Shanghai, +08:00 without daylight saving

local function gcd(x, y)
   while y ~= 0 do x, y = y, x % y end
   return x
end

function init(args)
   tokens = split(args[1], ",")
   ids = split(args[2], ",")
   midnight, first_day = tonumber(args[3]), tonumber(args[4])
   local days, seed, threads = tonumber(args[5]), tonumber(args[6]), tonumber(args[7])
   per_day = tonumber(args[8])
   n_slots = #ids * days * per_day
   math.randomseed(seed) -- the same draws in every thread: one permutation per run
   b = math.random(0, n_slots - 1)
   repeat a = math.random(1, n_slots - 1) until gcd(a, n_slots) == 1
   k, step = (tid or 0) - threads, threads
end

local function stamp(epoch)
   return os.date("!%Y-%m-%dT%H:%M:%S+08:00", epoch + OFFSET)
end

function slot(index)
   -- index -> item, day, hour: returns the item id and the start (epoch s)
   local item = ids[index % #ids + 1]
   local rest = math.floor(index / #ids)
   local hour = rest % per_day
   local day = first_day + math.floor(rest / per_day)
   return item, midnight + day * 86400 + hour * 3600
end

function request()
   k = k + step
   local item, starts = slot((a * k + b) % n_slots)
   local body = string.format('{"equipment_id": %s, "starts_at": "%s", "ends_at": "%s"}',
                              item, stamp(starts), stamp(starts + 1800))
   return wrk.format("POST", "/api/v1/reservations", {
      ["Authorization"] = "Bearer " .. tokens[k % #tokens + 1],
      ["Content-Type"] = "application/json"}, body)
end
