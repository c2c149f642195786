-- A self-checking workload for the unmodified Lua interpreter: arithmetic,
-- recursion, strings, tables, coroutines, closures, the garbage collector
-- and files.  Each check prints one line; any wrong value stops with an
-- error (exit status 1).
local function check(name, got, want)
	if got ~= want then
		error(string.format("%s: got %s, want %s", name, tostring(got), tostring(want)))
	end
	print("lua: " .. name .. " ok")
end

local sieve, sum = {}, 0
for i = 2, 9999 do
	if not sieve[i] then
		sum = sum + i
		for j = i * i, 9999, i do sieve[j] = true end
	end
end
check("sum of the primes below 10000", sum, 5736396)

local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
check("fib(25)", fib(25), 75025)

check("string.format", string.format("%5.2f|%x|%s", math.pi, 255, "x"), " 3.14|ff|x")
check("gsub", (("hello world"):gsub("o", "0")), "hell0 w0rld")
check("integer division", 7 // 2 + 7 % 3, 4)

local t = {}
for i = 1, 1000 do t[i] = (i * 7919) % 1000 end
table.sort(t)
local sorted = true
for i = 2, #t do if t[i - 1] > t[i] then sorted = false end end
check("table.sort of 1000", sorted, true)

local co = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
check("coroutines", co() + co() + co(), 6)

local counters = {}
for i = 1, 100 do
	local n = i
	counters[i] = function() n = n + 1; return n end
end
check("closures", counters[50]() + counters[50](), 103)
local junk = {}
for i = 1, 20000 do junk[i] = { i, tostring(i) } end
junk = nil
collectgarbage()
check("garbage collected", collectgarbage("count") < 4096, true)

local f = assert(io.open("/tmp/lua.txt", "w"))
f:write("line1\nline2\nline3\n")
f:close()
local lines = 0
for _ in io.lines("/tmp/lua.txt") do lines = lines + 1 end
check("io.lines", lines, 3)
assert(os.rename("/tmp/lua.txt", "/tmp/lua2.txt"))
check("os.remove", os.remove("/tmp/lua2.txt"), true)
check("os.time", math.type(os.time()), "integer")

print("lua: all ok")
