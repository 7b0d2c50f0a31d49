for _, k in ipairs({"HOME", "LANG", "PATH", "TMPDIR", "LUA_INIT", "PWD"}) do print(k, os.getenv(k)) end
print(io.popen("pwd"):read("l"), os.setlocale(), os.setlocale(nil, "ctype"))
