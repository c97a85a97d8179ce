-- POST /api/v1/reservations where every request overlaps a seeded booking (expected 409).
-- args: tokens, item ids (comma-separated), start of the seeded bookings (epoch s), seeded
-- bookings per item, their spacing (s), seed. Each request takes a random item and one of its
-- seeded bookings, and asks for the first 30 minutes of it.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "counting.lua")

local tokens, ids, first, count, spacing, n = nil, nil, 0, 0, 0, 0
local OFFSET = 8 * 3600

function init(args)
   tokens = split(args[1], ",")
   ids = split(args[2], ",")
   first, count, spacing = tonumber(args[3]), tonumber(args[4]), tonumber(args[5])
   math.randomseed(tonumber(args[6]) + 7919 * (tid or 0))
end

local function stamp(epoch)
   return os.date("!%Y-%m-%dT%H:%M:%S+08:00", epoch + OFFSET)
end

function request()
   n = n + 1
   local starts = first + spacing * math.random(0, count - 1)
   local body = string.format('{"equipment_id": %s, "starts_at": "%s", "ends_at": "%s"}',
                              ids[math.random(1, #ids)], stamp(starts), stamp(starts + 1800))
   return wrk.format("POST", "/api/v1/reservations", {
      ["Authorization"] = "Bearer " .. tokens[n % #tokens + 1],
      ["Content-Type"] = "application/json"}, body)
end
