print(collectgarbage("count"))
