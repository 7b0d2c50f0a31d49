set -u
echo "before"
echo "total: $undefined_total"
echo "not reached"
