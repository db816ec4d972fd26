using Npgsql;

namespace Madoguchi.Web.Data;

public enum StorageEngine { Sqlite, Postgres }

/// <summary>
/// Where a Madoguchi instance keeps its data: a SQLite file or a PostgreSQL database, and the
/// folder of files (uploads, keys, audit checkpoints) that belongs to that database alone.
/// </summary>
public sealed record Storage(StorageEngine Engine, string ConnectionString, string FilesFolder, string Display)
{
    public const string DefaultSqlitePath = "./data/madoguchi.db";
    public const string EnvironmentVariable = "MADOGUCHI_DB";
    public const string FilesEnvironmentVariable = "MADOGUCHI_FILES";

    /// <summary>Parses a SQLite file path or a postgres:// URL.</summary>
    /// <exception cref="ArgumentException">The value is neither.</exception>
    public static Storage Parse(string? value, string? filesFolder = null)
    {
        value = string.IsNullOrWhiteSpace(value) ? DefaultSqlitePath : value.Trim();
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            var cs = PostgresUrlToConnectionString(value);
            var b = new NpgsqlConnectionStringBuilder(cs);
            // An acknowledged commit is on disk (DESIGN.md §4.8), whatever the server's default says.
            if (!(b.Options ?? "").Contains("synchronous_commit", StringComparison.Ordinal))
            {
                b.Options = ((b.Options ?? "") + " -c synchronous_commit=on").Trim();
                cs = b.ConnectionString;
            }
            // Two PostgreSQL databases must never share files: default to a folder named after the database.
            var folder = filesFolder ?? Path.GetFullPath(Path.Combine("data", $"pg-{b.Host}-{b.Port}-{b.Database}.files"));
            return new Storage(StorageEngine.Postgres, cs, folder, $"postgres://{b.Host}:{b.Port}/{b.Database}");
        }
        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"データベースの指定 '{value}' を解釈できません。SQLite のファイルパスか postgres://user:pass@host:port/db の形式で指定してください。");
        }
        var path = Path.GetFullPath(value);
        var sqlite = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new Storage(StorageEngine.Sqlite, sqlite.ToString(), filesFolder ?? path + ".files", path);
    }

    public static string PostgresUrlToConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new ArgumentException($"PostgreSQL の URL '{url}' を解釈できません。postgres://user:pass@host:port/db の形式で指定してください。");
        }
        var database = uri.AbsolutePath.Trim('/');
        if (database.Length == 0)
        {
            throw new ArgumentException("PostgreSQL の URL にデータベース名がありません (postgres://user:pass@host:port/db)。");
        }
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(database),
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            b[Uri.UnescapeDataString(kv[0])] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
        }
        return b.ConnectionString;
    }

    /// <summary>Creates the files folder of this database if needed and returns a sub-folder of it.</summary>
    public string FilesPath(params string[] parts)
    {
        var path = Path.Combine([FilesFolder, .. parts]);
        Directory.CreateDirectory(path);
        return path;
    }
}
