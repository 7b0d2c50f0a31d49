proc area {w h} {
    return [expr {$w * $h}]
}
