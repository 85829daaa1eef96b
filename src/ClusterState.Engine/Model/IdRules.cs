using System;
using System.Collections.Generic;
using System.Text;

namespace ClusterState;

/// <summary>
/// What an id may hold. Ids in this domain are node (peer) ids, task ids and CIDs: printable,
/// short, never wildcards. Every write path (the cmdlets, a server's commit action, anything
/// calling StateStore.Commit) checks the ids a change set introduces against these rules, so a
/// state cannot come to hold an id that no cmdlet could address. Ids already in a state are not
/// checked again: they stay readable, changeable and removable (-LiteralId).
/// </summary>
public static class IdRules
{
    /// <summary>
    /// The longest id, in UTF-8 bytes. CIDs (CIDv1 base32) are about 59 characters and peer ids
    /// about 52; 256 leaves room for any id scheme while keeping a hostile 1 MB id out.
    /// </summary>
    public const int MaxBytes = 256;

    /// <summary>The characters that make an id a PowerShell wildcard pattern.</summary>
    public static bool HasWildcard(string id) => id.AsSpan().IndexOfAny("*?[]") >= 0;

    /// <summary>
    /// The reason <paramref name="id"/> cannot be written, or null when it can: empty or
    /// whitespace-padded, longer than <see cref="MaxBytes"/> UTF-8 bytes, holding a control
    /// character (NUL included), a bidirectional override or isolate, a lone surrogate (which
    /// UTF-8 would silently turn into U+FFFD), or a wildcard character (* ? [ ]).
    /// </summary>
    public static string? Problem(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return "it is empty";
        if (char.IsWhiteSpace(id[0]) || char.IsWhiteSpace(id[^1])) return "it begins or ends with white space";
        for (int i = 0; i < id.Length; i++)
        {
            char c = id[i];
            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c)) return $"it holds a lone surrogate (U+{(int)c:X4}) at position {i}";
            if (char.IsControl(c)) return $"it holds the control character U+{(int)c:X4} at position {i}";
            if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
                return $"it holds the bidirectional formatting character U+{(int)c:X4} at position {i}";
            if (c is '*' or '?' or '[' or ']') return $"it holds the wildcard character '{c}' (ids never do; an existing one is addressed by its literal id)";
        }
        // Checked last: the surrogate check above guarantees the UTF-8 length is the real one.
        int bytes = Encoding.UTF8.GetByteCount(id);
        if (bytes > MaxBytes) return $"it is {bytes} UTF-8 bytes long; the limit is {MaxBytes}";
        return null;
    }

    /// <summary>Throws <see cref="ErrorIds.InvalidId"/> when <paramref name="id"/> breaks a rule.</summary>
    /// <param name="id">The id.</param>
    /// <param name="what">What it names, for the message: "node id", "assigned_to of task 'x'", ….</param>
    public static void Check(string? id, string what)
    {
        if (string.IsNullOrWhiteSpace(id))
            throw new ClusterStateException(ErrorIds.MissingId, ClusterStateErrorKind.InvalidArgument, $"A {what} needs a non-empty value.", id);
        if (Problem(id) is { } problem)
            throw new ClusterStateException(ErrorIds.InvalidId, ClusterStateErrorKind.InvalidArgument,
                $"The {what} '{Printable(id)}' cannot be written: {problem}.", Printable(id));
    }

    /// <summary>The id as it can be shown in a message: cut to 80 characters, invisible characters as \uXXXX.</summary>
    internal static string Printable(string? id)
    {
        if (id is null) return "";
        var sb = new StringBuilder();
        foreach (char c in id.Length > 80 ? id[..80] : id)
        {
            if (char.IsControl(c) || char.IsSurrogate(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
                sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        if (id.Length > 80) sb.Append('…');
        return sb.ToString();
    }
}
