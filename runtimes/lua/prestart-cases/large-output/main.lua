for i = 1, 15000 do print("line " .. i .. " " .. string.rep("x", 50)) if i % 5000 == 0 then io.stderr:write("e", i, "\n") end end
