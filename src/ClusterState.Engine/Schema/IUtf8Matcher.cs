using System;

namespace ClusterState.Schema;

/// <summary>Something that decides on raw UTF-8 bytes (a value set, a pattern) without decoding.</summary>
internal interface IUtf8Matcher
{
    bool Matches(ReadOnlySpan<byte> utf8);
}
