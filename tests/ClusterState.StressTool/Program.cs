// Writer and reader processes for the multi-process tests.
//   counter <dir> <writer> <commits>   each commit sets content own-<writer>.replication = i and adds 1 to counter
//   reader <dir> <writers> <base> <ms> opens the state again and again; checks counter = base + sum(own-*)
//   writer <dir>                       commits forever (own-0 = i, counter + 1), printing "ack <generation> <i>"
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using ClusterState;

switch (args[0])
{
    case "counter":
    {
        string dir = args[1];
        int writer = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        int commits = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 1; i <= commits; i++)
        {
            var result = StateStore.Commit(dir, Increment($"own-{writer}", i), new CommitOptions { LockTimeout = TimeSpan.FromMinutes(2) });
            Console.Out.WriteLine($"ack {result.Generation} {i}");
        }
        return 0;
    }
    case "writer":
    {
        string dir = args[1];
        for (int i = 1; ; i++)
        {
            var result = StateStore.Commit(dir, Increment("own-0", i));
            Console.Out.WriteLine($"ack {result.Generation} {i}");
            Console.Out.Flush();
        }
    }
    case "reader":
    {
        string dir = args[1];
        int writers = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        int counterBase = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        var until = Stopwatch.StartNew();
        long last = -1;
        int checks = 0;
        var seen = new HashSet<long>();
        while (until.ElapsedMilliseconds < int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture))
        {
            using var s = ClusterSnapshot.Open(dir);
            var (ok, detail) = Check(s, writers, counterBase);
            if (!ok)
            {
                Console.Out.WriteLine($"BAD {s.Generation} {detail}");
                return 1;
            }
            if (s.Generation < last)
            {
                Console.Out.WriteLine($"BAD generation went back from {last} to {s.Generation}");
                return 1;
            }
            last = s.Generation;
            seen.Add(s.Generation);
            checks++;
        }
        Console.Out.WriteLine($"ok {checks} checks, {seen.Count} generations, last {last}");
        return 0;
    }
    case "check":
    {
        using var s = ClusterSnapshot.Open(args[1]);
        var (ok, detail) = Check(s, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        Console.Out.WriteLine($"{(ok ? "ok" : "BAD")} {s.Generation} {detail}");
        return ok ? 0 : 1;
    }
    default:
        Console.Error.WriteLine("usage: counter|writer|reader|check ...");
        return 2;
}

static ChangeSet Increment(string own, int value) => new()
{
    UpdateContent =
    {
        new ContentUpdate { Cid = own, Replication = value },
        new ContentUpdate { Cid = "counter", ReplicationDelta = 1 },
    },
};

static (bool Ok, string Detail) Check(ClusterSnapshot s, int writers, int counterBase)
{
    var items = s.FindContent(new ContentQuery()).Items.ToDictionary(c => c.Cid, c => c.Replication ?? 0);
    int sum = Enumerable.Range(0, writers).Sum(w => items[$"own-{w}"]);
    int counter = items["counter"];
    return (counter - counterBase == sum, $"counter={counter} base={counterBase} own-sum={sum}");
}
