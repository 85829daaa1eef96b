using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Microsoft.Data.Sqlite;

namespace ClusterState.Benchmarks;

/// <summary>
/// The peer an engineer would reach for instead of the commit log (issue 15): SQLite in WAL mode
/// with synchronous=FULL (every commit fsyncs the WAL), one task row updated per transaction in a
/// table of a million tasks. Measured in the same run, right after the single-task commit it
/// stands beside, so that both see the same disk in the same mood.
/// </summary>
public static class SqlitePeerMeasurement
{
    private const int WarmUps = 5;

    /// <summary>Builds the table in a fresh database under the bench root, times <paramref name="commits"/> single-row updates, deletes it.</summary>
    public static object Measure(int commits)
    {
        // --quick keeps the quick run quick: a smaller table, the same commit.
        int rows = BenchConfig.Quick ? 20_000 : 1_000_000;
        string dir = Path.Combine(BenchStates.Root, "sqlite-peer");
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "tasks.db");
        try
        {
            // Pooling off: the file is deleted afterwards, and a pooled handle would keep it open.
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            // Read back: a pragma SQLite does not take is silently ignored, and the figure would be of another mode.
            if (Scalar(connection, "PRAGMA journal_mode=WAL") is not "wal") throw new InvalidOperationException("SQLite did not switch to WAL mode.");
            Execute(connection, "PRAGMA synchronous=FULL");
            if (Scalar(connection, "PRAGMA synchronous") is not 2L) throw new InvalidOperationException("SQLite did not take synchronous=FULL.");
            Execute(connection, """
                CREATE TABLE tasks (
                    id TEXT PRIMARY KEY,
                    type TEXT NOT NULL,
                    status TEXT NOT NULL,
                    assigned_to TEXT,
                    cpu_cores INTEGER,
                    memory_mb INTEGER,
                    created_at TEXT NOT NULL,
                    updated_at TEXT NOT NULL)
                """);
            var clock = Stopwatch.StartNew();
            Fill(connection, rows);
            double fillMs = clock.Elapsed.TotalMilliseconds;
            // The bulk load's WAL folded into the database first: the timed commits start from an empty WAL, as ours from a compacted state.
            Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");

            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE tasks SET memory_mb = $memory, updated_at = $now WHERE id = $id";
            var memory = update.Parameters.Add("$memory", SqliteType.Integer);
            var now = update.Parameters.Add("$now", SqliteType.Text);
            var id = update.Parameters.Add("$id", SqliteType.Text);
            update.Prepare();
            var random = new Random(15);
            var times = new List<double>(commits);
            for (int i = 0; i < WarmUps + commits; i++)
            {
                // Autocommit: each statement is its own transaction, committed (and the WAL fsynced) before it returns.
                id.Value = TaskId(random.Next(rows));
                memory.Value = 1024 + (i % 2) * 1024;
                now.Value = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
                var commit = Stopwatch.StartNew();
                if (update.ExecuteNonQuery() != 1) throw new InvalidOperationException($"The update of {id.Value} changed no row.");
                if (i >= WarmUps) times.Add(commit.Elapsed.TotalMilliseconds);
            }
            string version = (string)Scalar(connection, "SELECT sqlite_version()")!;
            Console.WriteLine($"SQLite {version} WAL synchronous=FULL, {rows:N0} rows (filled in {fillMs:N0} ms): single-row update commit {Stats.Percentile(times, 50):N2} ms (p99 {Stats.Percentile(times, 99):N2})");
            return new { Rows = rows, SqliteVersion = version, Journal = "WAL", Synchronous = "FULL", FillMs = fillMs, Commit = Stats.Summary(times) };
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string TaskId(int i) => $"task-{i:D8}-5f0c-4e1a-9b7d-0000{i % 100_000_000:D8}";

    private static void Fill(SqliteConnection connection, int rows)
    {
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO tasks VALUES ($id, $type, $status, $assigned, $cpu, $memory, $created, $created)";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var type = insert.Parameters.Add("$type", SqliteType.Text);
        var status = insert.Parameters.Add("$status", SqliteType.Text);
        var assigned = insert.Parameters.Add("$assigned", SqliteType.Text);
        var cpu = insert.Parameters.Add("$cpu", SqliteType.Integer);
        var memory = insert.Parameters.Add("$memory", SqliteType.Integer);
        var created = insert.Parameters.Add("$created", SqliteType.Text);
        insert.Prepare();
        string[] types = { "inference", "training", "pin_content", "transcode" };
        string[] statuses = { "pending", "running", "completed", "failed" };
        var start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int i = 0; i < rows; i++)
        {
            id.Value = TaskId(i);
            type.Value = types[i % types.Length];
            status.Value = statuses[i * 7 % statuses.Length];
            assigned.Value = i % 3 == 0 ? DBNull.Value : $"12D3KooWnode{i % 1000:D6}";
            cpu.Value = 1 + i % 16;
            memory.Value = 512 * (1 + i % 32);
            created.Value = start.AddSeconds(i).ToString("O", CultureInfo.InvariantCulture);
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
