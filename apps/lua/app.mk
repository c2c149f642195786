# lua: the unmodified Lua 5.4.4 interpreter (apps/lua/build.sh fetches and
# builds it) running root/test.lua, a self-checking script.
APP_ARGS := /test.lua
APP_BUILD := apps/lua/build.sh
