using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Madoguchi.Web;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Protection;

namespace Madoguchi.Cli;

/// <summary>What every command shares: where the database is, and how output is written.</summary>
internal static class Cli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int PendingMigrations = 3;

    public static readonly Option<string?> DbOption = new("--db")
    {
        Description = "SQLite のファイルパス、または postgres://user:pass@host:port/db（既定: 環境変数 MADOGUCHI_DB、なければ ./data/madoguchi.db）",
        Recursive = true,
    };

    public static readonly Option<string?> FilesOption = new("--files")
    {
        Description = "データベースに属するファイル（添付・鍵など）のフォルダ（既定: SQLite はファイルの横の <db>.files/）",
        Recursive = true,
    };

    public static readonly Option<string?> KeysOption = new("--keys")
    {
        Description = "暗号鍵のフォルダ（既定: 環境変数 MADOGUCHI_KEYS、なければデータベースの横の <db>.keys/）。データベースやファイルのフォルダの外に置きます",
        Recursive = true,
    };

    /// <summary>Settings from global options that the app reads from its configuration.</summary>
    public static string[] AppArgs(ParseResult result)
        => KeysFolder(result) is { } keys ? ["--" + KeyRingStore.Setting, keys] : [];

    /// <summary>
    /// The --keys folder, or null. `restore DIR --keys FILE` names a key export file instead (a file is
    /// never a key folder), and then the folder is the default one.
    /// </summary>
    public static string? KeysFolder(ParseResult result)
        => result.GetValue(KeysOption) is { Length: > 0 } keys && !File.Exists(keys) ? Path.GetFullPath(keys) : null;

    public static Option<string> FormatOption(params string[] formats) => new("--format")
    {
        Description = "出力形式: " + string.Join(" | ", formats),
        DefaultValueFactory = _ => formats[0],
        CustomParser = r =>
        {
            var v = r.Tokens.Count > 0 ? r.Tokens[0].Value : formats[0];
            if (!formats.Contains(v)) r.AddError($"--format は {string.Join(", ", formats)} のいずれかです（'{v}' は使えません）。");
            return v;
        },
    };

    public static Storage ResolveStorage(ParseResult result) => Storage.Parse(
        result.GetValue(DbOption) ?? Environment.GetEnvironmentVariable(Storage.EnvironmentVariable),
        result.GetValue(FilesOption) ?? Environment.GetEnvironmentVariable(Storage.FilesEnvironmentVariable));

    /// <summary>
    /// Opens the app's services on an existing, fully migrated database. Any command other than
    /// `db migrate`, `serve` and `demo load` refuses to touch a database whose schema is behind.
    /// </summary>
    /// <param name="checkKeys">False only for commands that repair the keys (`keys import`).</param>
    public static async Task<(WebApplication? App, int Exit)> OpenAsync(ParseResult result, CancellationToken ct, bool checkKeys = true)
    {
        Storage storage;
        try
        {
            storage = ResolveStorage(result);
        }
        catch (ArgumentException e)
        {
            Error(e.Message);
            return (null, Failed);
        }
        // Audit entries written by a command name the operating-system user who ran it.
        var app = MadoguchiApp.Create([.. AppArgs(result), $"--{Madoguchi.Web.Features.Audit.AuditTrail.ActorSetting}=cli:{Environment.UserName}"], storage, quiet: true);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MadoguchiDbContext>();
            IReadOnlyList<string> pending;
            try
            {
                pending = await DataModule.PendingMigrationsAsync(db, ct);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
            {
                Error($"データベース {storage.Display} に接続できません: {e.Message}");
                await app.DisposeAsync();
                return (null, Failed);
            }
            if (pending.Count > 0)
            {
                Error($"データベース {storage.Display} には未適用のマイグレーションが {pending.Count} 件あります（{string.Join(", ", pending)}）。" +
                      $"先に `./madoguchi db migrate` を実行してください。");
                await app.DisposeAsync();
                return (null, PendingMigrations);
            }
        }
        // Like the app, no command runs on a database whose keys are missing or foreign.
        if (checkKeys && !await KeysReadyAsync(app, ct))
        {
            await app.DisposeAsync();
            return (null, Failed);
        }
        return (app, Ok);
    }

    /// <summary>Checks the key ring against the database (creating one for a new database); prints why not.</summary>
    public static async Task<bool> KeysReadyAsync(WebApplication app, CancellationToken ct)
    {
        try
        {
            await app.Services.GetRequiredService<KeyRingGuard>().EnsureAsync(ct);
            return true;
        }
        catch (KeyRingException e)
        {
            Error(e.Message);
            return false;
        }
    }

    /// <summary>Opens the database, runs the body in a scope and disposes everything.</summary>
    public static async Task<int> RunAsync(ParseResult result, CancellationToken ct, Func<IServiceProvider, Task<int>> body, bool checkKeys = true)
    {
        var (app, exit) = await OpenAsync(result, ct, checkKeys);
        if (app is null) return exit;
        await using (app)
        {
            await using var scope = app.Services.CreateAsyncScope();
            try
            {
                return await body(scope.ServiceProvider);
            }
            catch (CliException e)
            {
                Error(e.Message);
                return e.ExitCode;
            }
        }
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Japanese text stays readable in the output; it is data, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // Times in Japan time (DESIGN.md §3), whichever offset the value was read with.
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower), new Madoguchi.Web.Shared.Japanese.JapanTimeJsonConverter() },
    };

    // Per invocation (AsyncLocal) so that tests can run commands in parallel, each with its own writers.
    internal static readonly AsyncLocal<TextWriter?> Out = new();
    internal static readonly AsyncLocal<TextWriter?> Err = new();

    /// <summary>Where data goes: alone on stdout.</summary>
    public static TextWriter Stdout => Out.Value ?? Console.Out;

    /// <summary>Where logs, progress and errors go, so stdout stays machine-readable.</summary>
    public static TextWriter Stderr => Err.Value ?? Console.Error;

    public static void WriteJson<T>(T value) => Stdout.WriteLine(JsonSerializer.Serialize(value, Json));

    public static void Info(string message) => Stderr.WriteLine(message);

    public static void Error(string message) => Stderr.WriteLine("エラー: " + message);
}

/// <summary>An expected failure with a message for the operator; no stack trace.</summary>
internal sealed class CliException(string message, int exitCode = Cli.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
