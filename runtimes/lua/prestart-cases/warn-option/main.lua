warn("visible")
warn("@off")
warn("hidden")
print("done")
