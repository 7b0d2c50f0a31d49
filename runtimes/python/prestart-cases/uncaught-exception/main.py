print("start")
def parse(text):
    return int(text)

def run():
    return parse("abc")

run()
