using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace ClusterState.Query;

/// <summary>
/// Id filters with PowerShell wildcard syntax (<c>*</c>, <c>?</c>, <c>[a-z]</c>, backtick escapes),
/// case-insensitive. Literal ids are matched on the UTF-8 bytes; only patterns with wildcards
/// decode strings.
/// </summary>
internal sealed class IdPattern
{
    private readonly Utf8ValueSet? _literals;
    private readonly Regex? _wildcards;

    public IdPattern(IEnumerable<string> patterns)
    {
        var literal = new List<string>();
        var wild = new List<string>();
        foreach (var p in patterns)
        {
            if (HasWildcards(p)) wild.Add(p);
            else literal.Add(Unescape(p));
        }
        Literals = literal;
        if (literal.Count > 0) _literals = new Utf8ValueSet(literal);
        if (wild.Count > 0)
        {
            _wildcards = new Regex("^(?:" + string.Join("|", wild.Select(ToRegex)) + ")$",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
        }
    }

    /// <summary>True when any pattern has wildcards.</summary>
    public bool AnyWildcards => _wildcards is not null;

    /// <summary>The patterns that have no wildcard: each must match something or is reported as not found.</summary>
    public IReadOnlyList<string> Literals { get; }

    public bool Matches(ReadOnlySpan<byte> utf8)
    {
        if (_literals is not null && _literals.Matches(utf8)) return true;
        return _wildcards is not null && _wildcards.IsMatch(Encoding.UTF8.GetString(utf8));
    }

    public static bool HasWildcards(string pattern)
    {
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '`') { i++; continue; }
            if (c is '*' or '?' or '[') return true;
        }
        return false;
    }

    private static string Unescape(string pattern) => pattern.Contains('`', StringComparison.Ordinal)
        ? Regex.Replace(pattern, "`(.)", "$1")
        : pattern;

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    sb.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    int close = pattern.IndexOf(']', i + 1);
                    if (close < 0) { sb.Append(@"\["); break; }
                    string set = pattern.Substring(i + 1, close - i - 1);
                    sb.Append('[').Append(set.Replace(@"\", @"\\", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return sb.ToString();
    }
}
