print("bye")
raise SystemExit(7)
