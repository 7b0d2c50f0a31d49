print(collectgarbage("isrunning"), collectgarbage("incremental"), collectgarbage("generational"))
print(collectgarbage("count") > 0)
