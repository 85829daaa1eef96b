using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// One top-level type per file, and the file is named after it (docs/ARCHITECTURE.md, STYLE.md),
/// for the engine and the cmdlets: a reader finds <c>TaskColumns</c> in <c>TaskColumns.cs</c>.
/// A partial type may spread over files named <c>Type.Part.cs</c> (<c>StateStore.Commit.cs</c>);
/// a generic type's file drops the arity. Nested types stay inside their type's file.
/// </summary>
public sealed class SourceRulesTests
{
    // Top-level declarations start a line (file-scoped namespaces); nested ones are indented.
    private static readonly Regex Declaration = new(
        @"^(?<modifiers>(?:(?:public|internal|private|protected|static|sealed|abstract|partial|readonly|unsafe|file|ref)\s+)*)(?:class|struct|record|interface|enum|delegate\s+[\w<>\[\]?,. ]+?)\s+(?:struct\s+|class\s+)?(?<name>[A-Za-z_]\w*)",
        RegexOptions.Multiline);

    [Fact]
    public void Sources_DeclareOneTopLevelTypeNamedAfterTheFile()
    {
        var violations = SourceFiles().SelectMany(f => Violations(Path.GetFileName(f.Path), File.ReadAllText(f.Path))
            .Select(v => $"{f.Relative}: {v}")).ToList();
        Assert.True(violations.Count == 0, "Files that break one-type-per-file:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void SourceScan_SeesBothProjectsAndThePartialStateStore()
    {
        // Guards the guard: a wrong directory or pattern would make the scan above pass vacuously.
        var files = SourceFiles().ToList();
        Assert.Contains(files, f => f.Relative == "ClusterState.Engine/Storage/StateStore.Commit.cs");
        Assert.Contains(files, f => f.Relative == "ClusterState.PowerShell/Commands/AddClusterTaskCommand.cs");
        Assert.True(files.Count > 100, $"only {files.Count} source files found");
        var declared = files.Sum(f => TopLevelTypes(File.ReadAllText(f.Path)).Count);
        Assert.True(declared >= files.Count - 1, $"{declared} declarations in {files.Count} files: the pattern misses some");
    }

    [Theory]
    [InlineData("Good.cs", "namespace N;\n\n/// <summary>x</summary>\npublic sealed class Good\n{\n    private sealed class Nested { }\n}\n", 0)]
    [InlineData("Good.cs", "namespace N;\n\ninternal readonly record struct Good(int A);\n", 0)]
    [InlineData("Good.cs", "namespace N;\n\npublic sealed class Good<T>\n{\n}\n", 0)]
    [InlineData("Good.Part.cs", "namespace N;\n\npublic static partial class Good\n{\n}\n", 0)]
    [InlineData("Good.Part.cs", "namespace N;\n\npublic static class Good\n{\n}\n", 1)]
    [InlineData("Good.cs", "namespace N;\n\npublic enum Kind { A }\n\npublic sealed class Good\n{\n}\n", 2)]
    [InlineData("Other.cs", "namespace N;\n\ninternal interface IGood\n{\n}\n", 1)]
    [InlineData("Good.cs", "namespace N;\n\n// class Bad in a comment\npublic sealed class Good\n{\n    string S = @\"\nclass Bad\";\n}\n", 0)]
    public void Violations_OfOneFile_AreFound(string fileName, string source, int expected)
    {
        Assert.Equal(expected, Violations(fileName, source).Count);
    }

    private static List<string> Violations(string fileName, string source)
    {
        var types = TopLevelTypes(source);
        var violations = new List<string>();
        if (types.Count > 1) violations.Add($"{types.Count} top-level types ({string.Join(", ", types.Select(t => t.Name))}): give each its own file");
        string[] parts = Path.GetFileNameWithoutExtension(fileName).Split('.');
        foreach (var (name, partial) in types)
        {
            if (!string.Equals(name, parts[0].Split('`')[0], StringComparison.Ordinal))
                violations.Add($"declares {name}: name the file {name}.cs");
            else if (parts.Length > 1 && !partial)
                violations.Add($"declares {name}, which is not partial: name the file {name}.cs");
        }
        return violations;
    }

    private static List<(string Name, bool Partial)> TopLevelTypes(string source) =>
        Declaration.Matches(LayerTests.StripCommentsAndStrings(source))
            .Select(m => (m.Groups["name"].Value, Regex.IsMatch(m.Groups["modifiers"].Value, @"\bpartial\b")))
            .ToList();

    /// <summary>The .cs files of the engine and the cmdlets, with paths relative to src/.</summary>
    private static IEnumerable<(string Path, string Relative)> SourceFiles()
    {
        string src = Path.GetDirectoryName(LayerTests.EngineRoot())!;
        foreach (var project in new[] { "ClusterState.Engine", "ClusterState.PowerShell" })
        {
            string root = Path.Combine(src, project);
            foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(src, file).Replace(Path.DirectorySeparatorChar, '/');
                string inProject = relative[(project.Length + 1)..];
                if (inProject.StartsWith("bin/", StringComparison.Ordinal) || inProject.StartsWith("obj/", StringComparison.Ordinal)) continue;
                yield return (file, relative);
            }
        }
    }
}
