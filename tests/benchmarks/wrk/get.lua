-- GET requests (floor, /me, availability): args are the bearer tokens (comma-separated, or
-- "-" for none) and then one or more paths; each request takes the next token and path.
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "counting.lua")

local tokens, paths, n = {}, {}, 0

function init(args)
   if args[1] ~= "-" then tokens = split(args[1], ",") end
   for i = 2, #args do table.insert(paths, args[i]) end
   n = tid or 0
end

function request()
   n = n + 1
   local headers = {}
   if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[n % #tokens + 1] end
   return wrk.format("GET", paths[n % #paths + 1], headers)
end
