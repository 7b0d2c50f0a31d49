echo "$#" "$@"
