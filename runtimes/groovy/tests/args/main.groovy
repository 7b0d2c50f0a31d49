println(([args.length] + args.toList()).join(' '))
