using System.CommandLine;
using System.Text;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Audit;
using Madoguchi.Web.Shared.Japanese;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Cli;

internal static class AuditCommands
{
    public static Command Create()
    {
        var checkpointsOption = new Option<string?>("--checkpoints") { Description = "照合するチェックポイントのファイル（既定: 設定 Madoguchi:Audit:CheckpointFile、なければデータベースの横の *.audit-checkpoints）" };
        var verify = new Command("verify", "監査ログのハッシュチェーンとチェックポイントを検証します。改ざんがあれば最初の番号と種類を示して失敗します") { checkpointsOption };
        verify.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var path = result.GetValue(checkpointsOption) ?? sp.GetRequiredService<AuditCheckpoints>().FilePath;
            List<AuditCheckpoint> checkpoints = [];
            if (File.Exists(path))
            {
                try
                {
                    checkpoints = await AuditCheckpoints.ReadAsync(path, ct);
                }
                catch (FormatException e)
                {
                    throw new CliException($"{path}: {e.Message}");
                }
            }
            else if (result.GetValue(checkpointsOption) is not null)
            {
                throw new CliException($"チェックポイントのファイル {path} がありません。パスを確認してください。");
            }
            else
            {
                Cli.Info($"チェックポイントのファイル {path} がないため、チェーンだけを検証します（末尾の切り詰めは検出できません）。");
            }
            var outcome = await AuditVerifier.VerifyAsync(sp.GetRequiredService<MadoguchiDbContext>(), checkpoints, ct);
            if (!outcome.Ok) throw new CliException($"監査ログの改ざんを検出しました。番号 {outcome.BadSequence}: {outcome.Message}", AuditDamageExit);
            Cli.Stdout.WriteLine(outcome.Message);
            return Cli.Ok;
        }));

        var checkpoint = new Command("checkpoint", "監査ログのチェックポイント（件数・最新ハッシュ・日時）をファイルに追記します（設定があればメールも送ります）");
        checkpoint.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var checkpoints = sp.GetRequiredService<AuditCheckpoints>();
            var written = await checkpoints.WriteAsync(sp.GetRequiredService<MadoguchiDbContext>(), ct)
                ?? throw new CliException("監査ログはまだ空です。チェックポイントは書きませんでした。");
            Cli.Info($"チェックポイントを {checkpoints.FilePath} に追記しました。");
            Cli.Stdout.WriteLine(written.ToLine());
            return Cli.Ok;
        }));

        var from = new Option<string>("--from") { Description = "開始日（日本時間、この日を含む。例: 2025-04-01）", Required = true };
        var to = new Option<string>("--to") { Description = "終了日（この日を含む）", Required = true };
        var output = new Option<string?>("--out") { Description = "出力する CSV ファイル（UTF-8 BOM 付き）。省略時は標準出力" };
        var export = new Command("export", "期間の監査ログを CSV で出力します") { from, to, output };
        export.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var start = ParseDate(result.GetValue(from)!, "--from");
            var end = ParseDate(result.GetValue(to)!, "--to");
            if (end < start) throw new CliException($"--to {end:yyyy-MM-dd} が --from {start:yyyy-MM-dd} より前です。");
            var db = sp.GetRequiredService<MadoguchiDbContext>();
            var trail = sp.GetRequiredService<AuditTrail>();
            var filter = new AuditSearch.Filter(start, end);
            var detail = $"from={start:yyyy-MM-dd} to={end:yyyy-MM-dd}";
            // The export holds staff names: it is itself recorded, in the transaction that reads it.
            var rows = await trail.ViewAsync(new AuditEvent(AuditActions.AuditExported, "audit", null) { Detail = detail },
                c => AuditSearch.Apply(db, filter).AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(c), ct);
            if (result.GetValue(output) is { } path)
            {
                await using var writer = new StreamWriter(path, false, AuditSearch.Utf8Bom);
                await AuditSearch.WriteCsvAsync(rows, writer, ct);
                Cli.Info($"{rows.Count} 件を {path} に出力しました。");
            }
            else
            {
                await AuditSearch.WriteCsvAsync(rows, Cli.Stdout, ct);
            }
            return Cli.Ok;
        }));
        return new Command("audit", "監査ログ（検証・チェックポイント・出力） / audit trail") { verify, checkpoint, export };
    }

    /// <summary>Exit code of a verification that found damage (1 stays for operator errors).</summary>
    public const int AuditDamageExit = 4;

    private static DateOnly ParseDate(string text, string option)
        => Wareki.ParseDate(text) ?? throw new CliException($"{option} '{text}' は日付として読めません。2025-04-01 や 令和7年4月1日 の形で指定してください。");
}
