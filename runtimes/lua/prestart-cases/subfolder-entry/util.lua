return "top-level util"
