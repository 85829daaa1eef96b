using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The engine's layers point only down (docs/ARCHITECTURE.md): a file of one folder may use the
/// types of its own folder and of lower layers, never those of a higher layer or of a sibling.
/// Public types share the ClusterState namespace, so the check reads the sources: it finds where
/// each type is declared and which type names every file uses (comments and strings removed).
/// </summary>
public sealed class LayerTests
{
    /// <summary>The layers, lowest first; folders on one line are siblings and do not use each other.</summary>
    internal static readonly string[][] Layers =
    {
        new[] { "" },                     // ClusterStateException and ErrorIds, used by every layer
        new[] { "Model" },                // the objects of the pipeline and the change set: plain data
        new[] { "Schema" },               // the Arrow schema, column bindings, batch building
        new[] { "Storage" },              // the state directory: metadata, snapshots, commits, locks, indexes
        new[] { "Query" },                // filters over a snapshot's columns
        new[] { "Analysis", "Sample" },   // summaries, placement, metrics; the sample generator
        new[] { "Persistence" },          // files of a state: Parquet checkpoints, exports, imports, the report
        new[] { "Remote" },               // a state behind a ClusterState server, the sources cmdlets use
    };

    [Fact]
    public void Engine_files_use_only_their_own_and_lower_layers()
    {
        var violations = Violations();
        Assert.True(violations.Count == 0, "Layer violations (file: type from a higher or sibling layer):\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_engine_folder_is_a_layer_of_the_picture()
    {
        var known = Layers.SelectMany(l => l).Where(f => f.Length > 0).ToHashSet(StringComparer.Ordinal);
        var folders = Directory.GetDirectories(EngineRoot()).Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj") && Directory.GetFiles(Path.Combine(EngineRoot(), f!), "*.cs").Length > 0);
        Assert.DoesNotContain(folders, f => !known.Contains(f!));
    }

    internal static string EngineRoot()
    {
        // tests/ClusterState.Engine.Tests/bin/<Configuration>/net10.0 -> src/ClusterState.Engine
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.GetFullPath(Path.Combine(output.FullName, "../../../../../src/ClusterState.Engine"));
    }

    internal static List<string> Violations()
    {
        string root = EngineRoot();
        var files = Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        var code = files.ToDictionary(f => f, f => StripCommentsAndStrings(File.ReadAllText(f)));
        var folderOf = files.ToDictionary(f => f, f => Path.GetRelativePath(root, Path.GetDirectoryName(f)!) is var d && d == "." ? "" : d);
        var declared = new Dictionary<string, string>(StringComparer.Ordinal); // type name -> folder
        // Top-level types only (file-scoped namespaces put them at the start of a line); nested
        // types are private to their file's class and not part of a layer's surface.
        var declaration = new Regex(@"^(?:(?:public|internal|static|sealed|abstract|partial|readonly|unsafe|file)\s+)*(?:class|struct|record|interface|enum)\s+(?:struct\s+|class\s+)?([A-Z]\w*)", RegexOptions.Multiline);
        foreach (var file in files)
        {
            foreach (Match m in declaration.Matches(code[file])) declared.TryAdd(m.Groups[1].Value, folderOf[file]);
        }
        int RankOf(string folder) => Array.FindIndex(Layers, l => l.Contains(folder));
        var violations = new List<string>();
        var identifier = new Regex(@"\b[A-Z]\w*\b");
        foreach (var file in files)
        {
            string folder = folderOf[file];
            int rank = RankOf(folder);
            if (rank < 0)
            {
                violations.Add($"{Path.GetRelativePath(root, file)}: folder '{folder}' is not in the layer picture");
                continue;
            }
            var used = identifier.Matches(code[file]).Select(m => m.Value).Distinct(StringComparer.Ordinal);
            foreach (var name in used)
            {
                if (!declared.TryGetValue(name, out var other) || other == folder) continue;
                int otherRank = RankOf(other);
                if (otherRank > rank || (otherRank == rank && other != folder))
                    violations.Add($"{Path.GetRelativePath(root, file)} ({folder}): {name} ({other})");
            }
        }
        return violations;
    }

    /// <summary>Code without comments, string and character literals (their words are not uses of types).</summary>
    internal static string StripCommentsAndStrings(string source)
    {
        // Order matters: verbatim and raw strings, then normal strings and chars, then comments.
        source = Regex.Replace(source, "\"\"\"[\\s\\S]*?\"\"\"", "\"\"");
        source = Regex.Replace(source, "@\"(?:[^\"]|\"\")*\"", "\"\"");
        source = Regex.Replace(source, "//[^\\n]*|/\\*[\\s\\S]*?\\*/|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])'", m => m.Value.StartsWith("//", StringComparison.Ordinal) || m.Value.StartsWith("/*", StringComparison.Ordinal) ? " " : "\"\"");
        // Interpolated strings keep their holes' code in braces; a plain identifier inside text is rare enough to accept.
        return source;
    }
}
