print(package.path)
print(package.cpath)
print(package.config)
