x = input("prompt> ")
