return "app util"
