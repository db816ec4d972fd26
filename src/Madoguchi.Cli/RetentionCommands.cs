using System.CommandLine;
using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Cases;
using Madoguchi.Web.Features.Submissions;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Cli;

/// <summary>`retention`: 保存年限 per procedure, legal holds and the purge (normally the app's nightly job).</summary>
internal static class RetentionCommands
{
    public static Command Create() => new("retention", "台帳の保存年限 / retention of cases")
    {
        Set(),
        Hold(),
        Run(),
    };

    private static Command Set()
    {
        var procedure = new Option<string>("--procedure") { Description = "手続ID（例: KT-0001）", Required = true };
        var years = new Option<string>("--years") { Description = $"保存年限（1〜{RetentionService.MaxYears}の年数、または none で永年保存）", Required = true };
        var command = new Command("set", "手続の保存年限を設定します。完結した年度の翌年度4月1日から数えて満了した申請は、毎晩削除されます") { procedure, years };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var text = result.GetValue(years)!.Trim();
            int? n = text is "none" or "永年" ? null
                : int.TryParse(text, out var y) && y is >= 1 and <= RetentionService.MaxYears ? y
                : throw new CliException($"--years '{text}' は使えません。1〜{RetentionService.MaxYears}の年数か、永年保存なら none を指定してください。");
            var db = sp.GetRequiredService<MadoguchiDbContext>();
            var code = result.GetValue(procedure)!;
            var id = await db.Procedures.Where(p => p.Code == code).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct)
                ?? throw new CliException($"手続ID '{code}' はありません。inventory list で確かめてください。");
            var settings = await db.LedgerSettings.FindAsync([id], ct);
            if (settings is null) db.LedgerSettings.Add(settings = new LedgerSettings { ProcedureId = id });
            settings.RetentionYears = n;
            settings.UpdatedAt = sp.GetRequiredService<TimeProvider>().GetUtcNow();
            await sp.GetRequiredService<Madoguchi.Web.Features.Audit.AuditTrail>().AppendAsync(
                new Madoguchi.Web.Features.Audit.AuditEvent(Madoguchi.Web.Features.Audit.AuditActions.InventoryEdited, "procedure", id.ToString()) { Detail = $"保存年限 {(n is int v ? $"{v}年" : "永年")}" }, ct);
            Cli.Info($"{code} の保存年限を{(n is int w ? $"{w}年" : "永年")}にしました。");
            return Cli.Ok;
        }));
        return command;
    }

    private static Command Hold()
    {
        var receipt = new Option<string>("--receipt") { Description = "受付番号", Required = true };
        var reason = new Option<string?>("--reason") { Description = "保存を延長する理由（訴訟、不服申立てなど）" };
        var release = new Option<bool>("--release") { Description = "保存延長を解除します" };
        var command = new Command("hold", "申請を保存年限の削除から外します（リーガルホールド）。--release で解除") { receipt, reason, release };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var number = ReceiptNumbers.Normalise(result.GetValue(receipt)) ?? throw new CliException("受付番号の形が正しくありません（例: 7K3M-9QXD-2HFA）。");
            var db = sp.GetRequiredService<MadoguchiDbContext>();
            var c = await db.Cases.FirstOrDefaultAsync(x => x.ReceiptNumber == number, ct) ?? throw new CliException($"受付番号 {number} の申請はありません。");
            var outcome = await sp.GetRequiredService<CaseService>().SetLegalHoldAsync(c, !result.GetValue(release), result.GetValue(reason), new CaseActor(null, "CLI"), ct);
            if (outcome is CaseChange.Refused r) throw new CliException(r.Message);
            if (outcome is CaseChange.Conflict) throw new CliException("申請が同時に変更されました。もう一度実行してください。");
            Cli.Info(c.LegalHold ? $"{number} を保存延長にしました。" : $"{number} の保存延長を解除しました。");
            return Cli.Ok;
        }));
        return command;
    }

    private static Command Run()
    {
        var format = Cli.FormatOption("text", "json");
        var command = new Command("run", "保存年限が満了した申請を今すぐ削除します（アプリは毎晩2時に自動で行います）") { format };
        command.SetAction((result, ct) => Cli.RunAsync(result, ct, async sp =>
        {
            var purged = await sp.GetRequiredService<RetentionService>().RunAsync(ct);
            if (result.GetValue(format) == "json") Cli.WriteJson(purged.Select(p => new { procedure = p.ProcedureCode, cases = p.Cases, files = p.Files }));
            else foreach (var p in purged) Cli.Stdout.WriteLine($"{p.ProcedureCode}\t{p.Cases}\t{p.Files}");
            Cli.Info($"削除した申請: {purged.Sum(p => p.Cases)} 件（添付ファイル {purged.Sum(p => p.Files)} 件）。");
            return Cli.Ok;
        }));
        return command;
    }
}
