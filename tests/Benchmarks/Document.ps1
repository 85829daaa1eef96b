# Shared by the scripts that write docs/PERFORMANCE.md (dot-source it): the number format of every
# figure and the line writer of the document, which appends to the caller's $md (a StringBuilder).
$f = { param($v) if ($v -ge 100) { '{0:N0}' -f $v } elseif ($v -ge 10) { '{0:N1}' -f $v } else { '{0:N2}' -f $v } }
function Line([string] $Text = '') { $null = $md.AppendLine($Text) }
