using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterState;

/// <summary>
/// What a request to a ClusterState server may ask for (docs/OPERATIONS.md lists these). A
/// server reads every ticket and action body through <c>Read</c>: strict JSON (an
/// unknown or mistyped field is refused, naming it, rather than ignored — a misspelt filter must
/// not quietly select everything), no null where an item or id is expected, and every list and
/// string bounded before any work is sized by it. Numbers that size work (generations, waits,
/// checkpoints kept) are clamped by the handlers against the state itself.
/// </summary>
public static class RequestLimits
{
    /// <summary>Largest request message (a change set, a ticket) the server accepts by default, in MiB (<c>--max-request-mb</c>).</summary>
    public const int DefaultMaxRequestMB = 64;

    /// <summary>Largest accepted <c>--max-request-mb</c>.</summary>
    public const int MaxRequestMBLimit = 1024;

    /// <summary>Most items in one list of a request (ids of a query, tasks of a change set).</summary>
    public const int MaxListItems = 1_000_000;

    /// <summary>Longest string in a request, in characters (ids are limited further by the write rules).</summary>
    public const int MaxStringLength = 65_536;

    /// <summary>Most generations one <c>changes</c> call lists (the newest of the range).</summary>
    public const int MaxChanges = ChangeFeed.MaxRange;

    /// <summary>Most JSON bytes of one <c>changes</c> result: a larger change is split into parts (RemoteWire.ChangePart), so every message stays under the 4 MiB that gRPC clients receive by default.</summary>
    public const int ChangeChunkBytes = 3 << 20;

    /// <summary>Bytes after which one <c>changes</c> call stops at the end of a generation (the client asks again from there): the response is bounded whatever the range.</summary>
    public const int MaxChangesBytes = 64 << 20;

    /// <summary>Longest long poll of one <c>wait</c> call.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    /// <summary>Most <c>wait</c> calls one client connection may have open at once.</summary>
    public const int MaxWaitsPerConnection = 16;

    /// <summary>Most <c>wait</c> calls the server holds open at once (all clients).</summary>
    public const int MaxWaits = 1_024;

    /// <summary>Default bytes of Arrow data per streamed chunk: with its framing a chunk stays under the 4 MiB that gRPC clients receive by default.</summary>
    public const int DefaultChunkBytes = 3 << 20;

    /// <summary>Most checkpoints a <c>checkpoint</c> call may keep (as Save-ClusterStateCheckpoint -Keep).</summary>
    public const int MaxKeep = 10_000;

    private static readonly JsonSerializerOptions Strict = new()
    {
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 16,
    };

    private static readonly ConcurrentDictionary<Type, (PropertyInfo Property, bool Nullable)[]> Properties = new();

    /// <summary>
    /// Reads a request object strictly; <paramref name="what"/> names it in errors. Throws
    /// <see cref="ClusterStateException"/> <c>RequestInvalid</c> (InvalidArgument) for anything
    /// that is not exactly a <typeparamref name="T"/> within the limits.
    /// </summary>
    public static T Read<T>(ReadOnlySpan<byte> json, string what) where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(json, Strict);
        }
        catch (JsonException e)
        {
            throw Invalid($"The {what} is not a JSON {typeof(T).Name}: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or ArgumentException or FormatException or OverflowException)
        {
            throw Invalid($"The {what} cannot be read as a {typeof(T).Name}: {e.Message}", e);
        }
        if (value is null) throw Invalid($"The {what} is null; a JSON {typeof(T).Name} object is needed.");
        Check(value, typeof(T).Name, 0);
        return value;
    }

    /// <summary>Reads a request object strictly from a JSON element (a ticket's query).</summary>
    public static T Read<T>(JsonElement json, string what) where T : class =>
        Read<T>(JsonSerializer.SerializeToUtf8Bytes(json), what);

    /// <summary>Walks a deserialized request: no null items, lists and strings within the limits.</summary>
    private static void Check(object value, string path, int depth)
    {
        if (depth > 8) return; // request types nest three deep; nothing deeper is read
        foreach (var (property, nullable) in Properties.GetOrAdd(value.GetType(), Settable))
        {
            object? item = property.GetValue(value);
            string at = path + "." + property.Name;
            switch (item)
            {
                case null when !nullable:
                    throw Invalid($"{at} is null; leave it out or give a value.");
                case null:
                    break;
                case string s:
                    CheckString(s, at);
                    break;
                case IDictionary fields: // an update's Fields: names and JSON values
                    if (fields.Count > MaxListItems) throw Invalid($"{at} has more than {MaxListItems:N0} entries.");
                    foreach (DictionaryEntry entry in fields)
                    {
                        string name = (string)entry.Key;
                        CheckString(name, at + " key");
                        if (entry.Value is JsonElement json) CheckJson(json, $"{at}[{name}]");
                    }
                    break;
                case IEnumerable list:
                    int i = 0;
                    foreach (var element in list)
                    {
                        if (i >= MaxListItems) throw Invalid($"{at} has more than {MaxListItems:N0} items.");
                        string elementAt = $"{at}[{i}]";
                        if (element is null) throw Invalid($"{elementAt} is null.");
                        if (element is string es) CheckString(es, elementAt);
                        else if (IsRequestType(element.GetType())) Check(element, elementAt, depth + 1);
                        i++;
                    }
                    break;
                default:
                    if (IsRequestType(item.GetType())) Check(item, at, depth + 1);
                    break;
            }
        }
    }

    /// <summary>The properties JSON can set, with whether their declaration allows null (<c>string?</c>, <c>int?</c>).</summary>
    private static (PropertyInfo, bool)[] Settable(Type type)
    {
        var nullability = new NullabilityInfoContext();
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && p.GetIndexParameters().Length == 0)
            .Select(p => (p, nullability.Create(p).WriteState != NullabilityState.NotNull))
            .ToArray();
    }

    private static bool IsRequestType(Type type) => type.IsClass && type.Namespace == typeof(RequestLimits).Namespace;

    private static void CheckJson(JsonElement json, string at)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                CheckString(json.GetString()!, at);
                break;
            case JsonValueKind.Array:
                if (json.GetArrayLength() > MaxListItems) throw Invalid($"{at} has more than {MaxListItems:N0} items.");
                int i = 0;
                foreach (var item in json.EnumerateArray()) CheckJson(item, $"{at}[{i++}]");
                break;
            case JsonValueKind.Object:
                throw Invalid($"{at} is a JSON object; a field is set by its own name, with a value.");
        }
    }

    private static void CheckString(string s, string at)
    {
        if (s.Length > MaxStringLength) throw Invalid($"{at} is {s.Length:N0} characters long; at most {MaxStringLength:N0} are accepted.");
    }

    /// <summary>An error about a request's content.</summary>
    public static ClusterStateException Invalid(string message, Exception? inner = null) =>
        new(ErrorIds.RequestInvalid, ClusterStateErrorKind.InvalidArgument, message, null, inner);
}
